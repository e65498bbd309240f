// The authoring experience of issue 12, end to end through the binary:
// each numbered point of the issue as a user types it.
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// Two clinics in their own files: one clean, one whose warnings are its
// own, and a third file broken beyond repair.
struct three_files {
  temp_dir dir;
  std::string bright, noisy, broken;
  three_files() {
    bright = dir.write("bright.policy", R"(clinic bright-smiles {
  timezone "America/Toronto"
  numbers  { ported +14165551000 }
  hours    { mon-fri 09:00-17:00 }
  holidays { use ontario }
  mode     after-hours-only
  fallback forward
  forward  +14165551001
}
)");
    dir.write("holidays.policy", "calendar ontario {\n  yearly 12-25 \"Christmas Day\"\n}\n");
    // Four warnings of its own: no numbers, an unused hours block, a default fallback, a duplicate day.
    noisy = dir.write("noisy.policy", R"(clinic noisy {
  timezone "America/Toronto"
  hours { mon 09:00-17:00
          mon 10:00-12:00 }
  mode overflow-only
  overflow 3
}
)");
    broken = dir.write("broken.policy", "clinic broken {\n  timezone \"Mars/Olympus\"\n  mode sometimes\n}\n");
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(eval_prints_only_its_clinic_and_leaves_out_a_broken_file_with_a_warning) {
  three_files set;
  const auto r = run_callpolicy({"eval", set.dir.path(), "--clinic", "bright-smiles", "--at", "2026-12-02T10:00"});
  BOOST_TEST_INFO(r.err);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("action      forward") != std::string::npos);
  BOOST_TEST(r.err.find("noisy.policy") == std::string::npos);  // another clinic's warnings
  BOOST_TEST(count(r.err, "warning: left out '" + set.broken + "': 2 errors") == 1u);
  // The broken clinic itself still fails, with its own errors.
  const auto own = run_callpolicy({"eval", set.dir.path(), "--clinic", "broken", "--at", "2026-12-02T10:00"});
  BOOST_TEST(own.exit_code == 1);
  BOOST_TEST(own.err.find("broken.policy:2:12: error[E010]") != std::string::npos);
  BOOST_TEST(own.err.find("noisy.policy") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(test_week_and_instructions_are_scoped_too) {
  three_files set;
  set.dir.write("t.policy", "test \"christmas\" {\n  clinic bright-smiles\n  at 2026-12-25T10:00\n  expect ai\n  reason \"holiday\"\n}\n");
  const auto test = run_callpolicy({"test", set.dir.path()});
  BOOST_TEST_INFO(test.err);
  BOOST_TEST(test.exit_code == 0);
  BOOST_TEST(test.out.find("1 passed, 0 failed") != std::string::npos);
  BOOST_TEST(test.err.find("noisy.policy:") == std::string::npos);
  const auto week = run_callpolicy({"week", set.dir.path(), "--clinic", "bright-smiles", "--from", "2026-12-21"});
  BOOST_TEST(week.exit_code == 0);
  BOOST_TEST(week.err.find("noisy.policy:") == std::string::npos);
  const auto noisy_week = run_callpolicy({"week", set.dir.path(), "--clinic", "noisy", "--from", "2026-12-21"});
  BOOST_TEST(noisy_week.exit_code == 0);
  BOOST_TEST(count(noisy_week.err, "noisy.policy:") >= 3u);  // its own warnings, shown
}

BOOST_AUTO_TEST_CASE(check_clinic_scopes_its_report) {
  three_files set;
  const auto r = run_callpolicy({"check", set.dir.path(), "--clinic", "bright-smiles"});
  BOOST_TEST_INFO(r.err);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err.find("2 files: 0 errors, 0 warnings") != std::string::npos);  // its file and its calendar
  const auto all = run_callpolicy({"check", set.dir.path()});
  BOOST_TEST(all.exit_code == 1);
}

BOOST_AUTO_TEST_CASE(overlapping_paths_read_each_file_once) {
  three_files set;
  const std::string dir = set.dir.path();
  for (const std::vector<std::string>& paths :
       {std::vector<std::string>{dir, dir + "/holidays.policy"}, std::vector<std::string>{dir, dir + "/./"}}) {
    std::vector<std::string> args{"check", "--clinic", "bright-smiles"};
    args.insert(args.end(), paths.begin(), paths.end());
    const auto r = run_callpolicy(args);
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.err.find("E023") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(context_lends_calendars_without_reporting_on_them) {
  three_files set;
  // A pre-commit hook checks the one changed file; its calendar lives elsewhere.
  const auto alone = run_callpolicy({"check", set.bright});
  BOOST_TEST(alone.exit_code == 1);
  BOOST_TEST(alone.err.find("error[E030]") != std::string::npos);
  const auto with = run_callpolicy({"check", set.bright, "--context", set.dir.path()});
  BOOST_TEST_INFO(with.err);
  BOOST_TEST(with.exit_code == 0);
  BOOST_TEST(with.err.find("1 file: 0 errors, 0 warnings") != std::string::npos);
  BOOST_TEST(with.err.find("noisy.policy:") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_syntax_error_is_reported_first_and_alone) {
  temp_dir dir;
  const std::string file = dir.write("c.policy", R"(clinic c {
  timezone "America/Toronto"
  numbers  { ported +14165551000 }
  fallback voicemail
  route {
    closed => ai
    otherwise -> staff
  }
}
)");
  const auto r = run_callpolicy({"check", file});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(file + ":6:12: error[E001]: expected '->' and an action") == 0u);
  BOOST_TEST(r.err.find("note: a rule's arrow is written '->'") != std::string::npos);
  BOOST_TEST(r.err.find(file + ":7:18: error[E001]") != std::string::npos);
  BOOST_TEST(r.err.find("E041") == std::string::npos);
  BOOST_TEST(r.err.find("W-never-answered") == std::string::npos);
  BOOST_TEST(r.err.find("2 errors, 0 warnings") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unused_settings_and_a_clinic_without_numbers_fail_strict) {
  temp_dir dir;
  const std::string file = dir.write("o.policy", R"(clinic o {
  timezone "America/Toronto"
  hours    { mon-fri 09:00-17:00 }
  holidays { 2026-12-25 "Christmas Day" }
  overflow 3
  mode     overflow-only
  fallback voicemail
}
)");
  const auto r = run_callpolicy({"check", "--strict", "--today", "2026-11-24", file});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(file + ":3:3: warning[W-unused-setting]: mode 'overflow-only' never reads 'hours'") !=
             std::string::npos);
  BOOST_TEST(r.err.find(file + ":4:3: warning[W-unused-setting]: mode 'overflow-only' never reads 'holidays'") !=
             std::string::npos);
  BOOST_TEST(r.err.find("warning[W-no-numbers]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(eval_via_defaults_to_the_integration_the_clinic_has) {
  temp_dir dir;
  dir.write("s.policy", "clinic s {\n  timezone \"America/Toronto\"\n  numbers { sip s }\n}\n");
  const auto r = run_callpolicy({"eval", dir.path(), "--clinic", "s", "--at", "2026-12-02T10:00", "--format", "json"});
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(json::parse(r.out)["via"] == "sip");
}

BOOST_AUTO_TEST_CASE(eval_explain_names_the_holiday_the_window_and_the_rule_that_decided) {
  const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
  const auto holiday = run_callpolicy({"eval", examples, "--clinic", "smile-dental", "--at", "2026-12-24T10:00", "--explain"});
  BOOST_TEST_INFO(holiday.out << holiday.err);
  BOOST_REQUIRE(holiday.exit_code == 0);
  BOOST_TEST(holiday.out.find("holiday  yes: 'Christmas Eve'") != std::string::npos);
  BOOST_TEST(holiday.out.find("open     no: holiday 2026-12-24: closed all day") != std::string::npos);
  BOOST_TEST(holiday.out.find("=> holiday ") != std::string::npos);
  BOOST_TEST(holiday.out.find("<?xml") != std::string::npos);  // the TwiML too

  const auto lunch = run_callpolicy({"eval", examples, "--clinic", "north-shore-medical", "--at", "2026-12-02T12:45",
                                     "--via", "sip", "--calls", "2", "--explain", "--format", "json"});
  BOOST_REQUIRE(lunch.exit_code == 0);
  const json j = json::parse(lunch.out);
  const json& why = j["explain"];
  BOOST_TEST(why["decided_by"] == "route");
  std::string decided;
  std::uint32_t line = 0;
  for (const json& r : why["rules"]) {
    if (r["decided"] == true) {
      decided = r["condition"];
      line = r["line"];
    }
  }
  BOOST_TEST(decided == "during weekdays 12:30-13:30");
  BOOST_TEST(line == 33u);
  bool overflow_fact = false;
  for (const json& f : why["facts"]) {
    if (f["name"] == "overflow") {
      overflow_fact = true;
      BOOST_TEST(f["value"] == false);
      BOOST_TEST(f["detail"] == "2 calls active, overflow at 3");
    }
    if (f["name"] == "open") BOOST_TEST(f["detail"] == "wed 08:00-18:00");
  }
  BOOST_TEST(overflow_fact);
}

BOOST_AUTO_TEST_CASE(eval_takes_now) {
  const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
  const auto r = run_callpolicy({"eval", examples, "--clinic", "downtown-dental", "--at", "now", "--format", "json"});
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(json::parse(r.out)["reason"] == "always-on");
}
