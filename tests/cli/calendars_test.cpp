// The built-in calendars (calendars/), through the binary as a user meets
// them: listed, shown, used by name, and never shadowed by a set's own.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <set>
#include <nlohmann/json.hpp>

#include "compiler/builtin_calendars.h"
#include "tests/support/subprocess.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {

// "2027-03-26 Good Friday", one a day listed.
std::vector<std::string> dates_and_names(const std::string& out) {
  std::vector<std::string> days;
  for (const json& d : json::parse(out)) days.push_back(d["date"].get<std::string>() + " " + d["name"].get<std::string>());
  return days;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_file_of_calendars_is_built_in_clean_and_canonical) {
  for (const auto& d : callpolicy::builtin_calendar_problems()) BOOST_ERROR(d.where.file << ": " << d.message);
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(CALLPOLICY_SOURCE_DIR "/calendars")) {
    files.insert(entry.path().stem().string());
  }
  std::set<std::string> built_in;
  for (const auto& c : callpolicy::builtin_calendars()) {
    built_in.insert(std::string(c.name));
    BOOST_TEST(!c.title.empty(), c.name << " has a title");
  }
  BOOST_TEST(files == built_in, boost::test_tools::per_element());
  BOOST_TEST(built_in.count("ca") + built_in.count("ca-bc") + built_in.count("us") == 3u);
  const auto fmt = run_callpolicy({"fmt", "--check", CALLPOLICY_SOURCE_DIR "/calendars"});
  BOOST_TEST(fmt.exit_code == 0, fmt.out << fmt.err);
}

BOOST_AUTO_TEST_CASE(calendars_lists_them_in_text_and_json) {
  const auto text = run_callpolicy({"calendars"});
  BOOST_REQUIRE(text.exit_code == 0);
  BOOST_TEST(text.out.find("ca-bc  British Columbia") != std::string::npos, text.out);
  const auto listed = run_callpolicy({"calendars", "--format", "json"});
  BOOST_REQUIRE(listed.exit_code == 0);
  const json all = json::parse(listed.out);
  BOOST_TEST(all.size() == callpolicy::builtin_calendars().size());
  const auto bc = std::find_if(all.begin(), all.end(), [](const json& c) { return c["id"] == "ca-bc"; });
  BOOST_REQUIRE(bc != all.end());
  BOOST_TEST((*bc)["holidays"] == 12);  // Family Day is two rules: its Monday moved in 2019
}

// British Columbia's own list for 2027: eleven statutory holidays.
BOOST_AUTO_TEST_CASE(show_gives_british_columbias_2027_as_the_province_lists_it) {
  const auto shown = run_callpolicy({"calendars", "show", "ca-bc", "--from", "2027", "--to", "2027", "--format", "json"});
  BOOST_REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  const std::vector<std::string> expected{
      "2027-01-01 New Year's Day",  "2027-02-15 Family Day",
      "2027-03-26 Good Friday",     "2027-05-24 Victoria Day",
      "2027-07-01 Canada Day",      "2027-08-02 British Columbia Day",
      "2027-09-06 Labour Day",      "2027-09-30 National Day for Truth and Reconciliation",
      "2027-10-11 Thanksgiving Day", "2027-11-11 Remembrance Day",
      "2027-12-25 Christmas Day"};
  BOOST_TEST(dates_and_names(shown.out) == expected, boost::test_tools::per_element());
  for (const json& d : json::parse(shown.out)) BOOST_TEST(d["calendar"] == "ca-bc");
  const auto text = run_callpolicy({"calendars", "show", "ca-bc", "--from", "2027"});
  BOOST_TEST(text.out.find("2027-05-24  Mon  Victoria Day\n") != std::string::npos, text.out);
  // 2018's Family Day was the second Monday of February, 2019's the third.
  const auto moved = run_callpolicy({"calendars", "show", "ca-bc", "--from", "2018-02-01", "--to", "2019-02-28",
                                     "--format", "json"});
  const std::vector<std::string> family{"2018-02-12 Family Day",
                                                                "2019-02-18 Family Day"};
  std::vector<std::string> family_days;
  for (const std::string& d : dates_and_names(moved.out)) {
    if (d.ends_with("Family Day")) family_days.push_back(d);
  }
  BOOST_TEST(family_days == family, boost::test_tools::per_element());
  BOOST_TEST(dates_and_names(moved.out).size() == 11u);  // Good Friday 2018 to New Year's Day 2019 between
}

// Every state and the District has its calendar, and a few days that only a
// state keeps: Massachusetts' Patriots' Day, California's César Chávez Day
// (Wednesday 2027-03-31, and the Monday after when it is a Sunday), Virginia's Election
// Day in even years only, and the District's Inauguration Day every fourth year.
BOOST_AUTO_TEST_CASE(the_states_and_the_district_have_their_own_days) {
  const json all = json::parse(run_callpolicy({"calendars", "--format", "json"}).out);
  int states = 0;
  for (const json& c : all) states += c["id"].get<std::string>().starts_with("us-") ? 1 : 0;
  BOOST_TEST(states == 51);
  const auto days = [](const std::string& id, const std::string& from, const std::string& to) {
    return dates_and_names(run_callpolicy({"calendars", "show", id, "--from", from, "--to", to, "--format", "json"}).out);
  };
  BOOST_TEST(days("us-ma", "2027-04-01", "2027-04-30") == std::vector<std::string>{"2027-04-19 Patriots' Day"},
             boost::test_tools::per_element());
  BOOST_TEST(days("us-ca", "2027-03-01", "2027-03-31") == std::vector<std::string>{"2027-03-31 César Chávez Day"},
             boost::test_tools::per_element());
  // 2024-03-31 is a Sunday: kept on Monday too.
  BOOST_TEST(days("us-ca", "2024-03-31", "2024-04-01") ==
                 (std::vector<std::string>{"2024-03-31 César Chávez Day", "2024-04-01 César Chávez Day (observed)"}),
             boost::test_tools::per_element());
  BOOST_TEST(days("us-va", "2026-11-01", "2026-11-30") ==
                 (std::vector<std::string>{"2026-11-03 Election Day", "2026-11-11 Veterans Day",
                                           "2026-11-26 Thanksgiving Day"}),
             boost::test_tools::per_element());
  BOOST_TEST(days("us-va", "2027-11-01", "2027-11-30") ==
                 (std::vector<std::string>{"2027-11-11 Veterans Day", "2027-11-25 Thanksgiving Day"}),
             boost::test_tools::per_element());
  BOOST_TEST(days("us-dc", "2029-01-20", "2029-01-20") == std::vector<std::string>{"2029-01-20 Inauguration Day"},
             boost::test_tools::per_element());
  BOOST_TEST(days("us-dc", "2030-01-20", "2030-01-20").empty());
}

// An observed day is listed in the year it falls in: New Year's Day 2028, a
// Saturday, is kept on Friday 2027-12-31, in 2027's list and not 2028's.
BOOST_AUTO_TEST_CASE(show_lists_an_observed_day_in_its_own_year) {
  const auto y2027 = dates_and_names(
      run_callpolicy({"calendars", "show", "us", "--from", "2027-12-01", "--to", "2027", "--format", "json"}).out);
  const std::vector<std::string> december{"2027-12-24 Christmas Day (observed)",
                                                                  "2027-12-25 Christmas Day",
                                                                  "2027-12-31 New Year's Day (observed)"};
  BOOST_TEST(y2027 == december, boost::test_tools::per_element());
  const auto january = dates_and_names(
      run_callpolicy({"calendars", "show", "us", "--from", "2028-01-01", "--to", "2028-01-31", "--format", "json"}).out);
  BOOST_REQUIRE(!january.empty());
  BOOST_TEST(january.front() == "2028-01-01 New Year's Day");
}

BOOST_AUTO_TEST_CASE(show_refuses_what_it_cannot_list) {
  const auto unknown = run_callpolicy({"calendars", "show", "ca-bx"});
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(unknown.err.find("unknown calendar 'ca-bx', did you mean 'ca-bc'?") != std::string::npos, unknown.err);
  for (const std::vector<std::string>& range : {std::vector<std::string>{"--from", "20x7"},
                                                std::vector<std::string>{"--from", "2027", "--to", "2026"},
                                                std::vector<std::string>{"--from", "1000"},
                                                std::vector<std::string>{"--from", "2000", "--to", "3500"}}) {
    std::vector<std::string> args{"calendars", "show", "ca"};
    args.insert(args.end(), range.begin(), range.end());
    const auto refused = run_callpolicy(args);
    BOOST_TEST(refused.exit_code == 2, range.back() << ": " << refused.out);
    BOOST_TEST(refused.out.empty());
  }
}

// A set's own calendar, built on a built-in one, shown with --context.
BOOST_AUTO_TEST_CASE(show_takes_a_sets_own_calendar_from_its_context) {
  temp_dir dir;
  dir.write("closures.policy", "calendar closures {\n  use ca-on\n  2027-01-04 \"Staff training\"\n}\n");
  const auto shown = run_callpolicy({"calendars", "show", "closures", "--from", "2027-01-01", "--to", "2027-01-31",
                                     "--context", dir.path(), "--format", "json"});
  BOOST_REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  const std::vector<std::string> expected{"2027-01-01 New Year's Day",
                                                                  "2027-01-04 Staff training"};
  BOOST_TEST(dates_and_names(shown.out) == expected, boost::test_tools::per_element());
  BOOST_TEST(json::parse(shown.out)[0]["calendar"] == "closures");
  // Without its context the name means nothing.
  BOOST_TEST(run_callpolicy({"calendars", "show", "closures"}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(a_sets_calendar_with_a_built_in_name_is_an_error_naming_both) {
  temp_dir dir;
  const std::string own = dir.write("bc.policy", "calendar ca-bc {\n  yearly 08-01 \"Our day\"\n}\n");
  const auto checked = run_callpolicy({"check", dir.path()});
  BOOST_TEST(checked.exit_code == 1);
  BOOST_TEST(checked.err.find(own + ":1:10: error[E023]: calendar 'ca-bc' has the name of a built-in calendar") !=
                 std::string::npos,
             checked.err);
  BOOST_TEST(checked.err.find("built in at ca-bc:") != std::string::npos, checked.err);
}

// The issue that made these: a BC clinic's Good Friday 2027 went to the desk.
BOOST_AUTO_TEST_CASE(a_clinic_using_ca_bc_keeps_good_friday) {
  const auto decided = run_callpolicy({"eval", CALLPOLICY_SOURCE_DIR "/rules", "--clinic", "coastal-pediatrics",
                                       "--at", "2027-03-26T10:00", "--format", "json"});
  BOOST_REQUIRE_MESSAGE(decided.exit_code == 0, decided.err);
  BOOST_TEST(json::parse(decided.out)["reason"] == "holiday");
  // What the set compiles carries the built-in calendar it uses, as its own.
  temp_dir out;
  const auto compiled = run_callpolicy({"compile", CALLPOLICY_SOURCE_DIR "/rules", "-o", out.path() + "/bundle.json"});
  BOOST_REQUIRE_MESSAGE(compiled.exit_code == 0, compiled.err);
  const json bundle = json::parse(read_text(out.path() + "/bundle.json"));
  std::vector<std::string> names;
  for (const json& c : bundle["calendars"]) names.push_back(c["name"]);
  BOOST_TEST(names == (std::vector<std::string>{"ca-bc", "ca-qc"}), boost::test_tools::per_element());
}
