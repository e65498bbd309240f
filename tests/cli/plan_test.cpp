// `callpolicy plan` end to end: an edit of examples/ prints
// exactly its changes, an unchanged set exits 0, --from-git reads a
// revision, and journal mode replays what a real server recorded.
#include <ctime>
#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"

using namespace callpolicy::testing;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

void replace_in(const std::string& file, const std::string& from, const std::string& to) {
  std::string text = read_text(file);
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, file << " has no '" << from << "'");
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

// examples/ twice, the second with four edits: a lunch route, a holiday, a
// fallback, a number moved between clinics.
// git in `repo`, with an identity of its own (the machine's config may have none).
process_result git_in(const std::string& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/git", "-c", "user.name=t", "-c", "user.email=t@example.com"});
  return run_process(args, {}, repo);
}

struct edited_examples {
  temp_dir dir;
  std::string before = dir.path() + "/before";
  std::string after = dir.path() + "/after";
  edited_examples() {
    fs::copy(CALLPOLICY_SOURCE_DIR "/examples", before, fs::copy_options::recursive);
    fs::copy(CALLPOLICY_SOURCE_DIR "/examples", after, fs::copy_options::recursive);
    replace_in(after + "/smile-dental.policy", "  mode     after-hours-only\n",
               "  route {\n    open and during weekdays 12:00-13:00 -> ai as \"lunch\"\n"
               "    open -> fallback as \"business-hours\"\n    holiday -> ai as \"holiday\"\n"
               "    otherwise -> ai as \"after-hours\"\n  }\n");
    replace_in(after + "/north-shore-medical.policy", "    yearly 12-25          \"Christmas Day\"",
               "    yearly 12-25          \"Christmas Day\"\n    2027-01-04 \"Staff training day\"");
    replace_in(after + "/harbour-physio.policy", "  fallback forward", "  fallback busy");
    replace_in(after + "/smile-dental.policy", "    forwarded +16475559999\n", "");
    replace_in(after + "/riverside-clinic.policy", "    forwarded +12045550100\n", "    forwarded +12045550100, +16475559999\n");
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    out.push_back(text.substr(at, nl - at));
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_unchanged_set_plans_no_change_and_exits_0) {
  const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
  const auto r = run_callpolicy({"plan", "--from", examples, "--to", examples, "--detailed-exitcode"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("No changes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_edit_of_the_examples_plans_exactly_its_changes) {
  edited_examples e;
  const auto r = run_callpolicy({"plan", "--from", e.before, "--to", e.after, "--week", "2026-12-21", "--detailed-exitcode"});
  BOOST_TEST_INFO(r.out << r.err);
  BOOST_TEST(r.exit_code == 2);
  const std::vector<std::string> lines = lines_of(r.out);
  std::vector<std::string> changes;
  for (const std::string& l : lines) {
    if (l.starts_with("    ") || l.starts_with("~ ") || l.starts_with("+ ") || l.starts_with("- ")) changes.push_back(l);
  }
  const std::vector<std::string> expected{
      "~ forwarded +16475559999 from smile-dental to riverside-clinic",
      "~ harbour-physio (" + e.after + "/harbour-physio.policy:4; the week of 2026-12-21, dated days to 2027-03-20)",
      "    (forwarded) daily 00:00-24:00, calls 0-2: forward/under-capacity -> busy/under-capacity",
      "    fallback: forward -> busy",
      "~ north-shore-medical (" + e.after + "/north-shore-medical.policy:5; the week of 2026-12-21, dated days to 2027-03-20)",
      "    (ported, sip) 2027-01-04 (mon) 00:00-24:00: (several) -> voicemail/holiday",
      "~ smile-dental (" + e.after + "/smile-dental.policy:4; the week of 2026-12-21, dated days to 2027-03-20)",
      "    (ported, forwarded) weekdays 12:00-13:00: voicemail/business-hours -> ai/lunch",
      "    mode: after-hours-only -> route"};
  BOOST_TEST(changes == expected, boost::test_tools::per_element());
  BOOST_TEST(r.out.find("Plan: 3 clinics change, 0 added, 0 removed, 1 number moved.") != std::string::npos);

  const auto as_json = run_callpolicy({"plan", "--from", e.before, "--to", e.after, "--week", "2026-12-21", "--format", "json"});
  BOOST_TEST(as_json.exit_code == 0);  // without --detailed-exitcode, changes are success
  const json j = json::parse(as_json.out);
  BOOST_TEST(j["version"] == 1);
  BOOST_TEST(j["changed"] == true);
  BOOST_TEST(j["clinics"].size() == 3u);
  const json& smile = j["clinics"][2];
  BOOST_TEST(smile["clinic"] == "smile-dental");
  BOOST_TEST(smile["changes"][0]["week"][0]["after"]["reason"] == "lunch");
  BOOST_TEST(smile["changes"][0]["week"][0]["from"] == "12:00");

  const auto github = run_callpolicy({"plan", "--from", e.before, "--to", e.after, "--week", "2026-12-21", "--format", "github"});
  BOOST_TEST(github.out.find("::notice file=" + e.after + "/smile-dental.policy,line=4,col=8,title=callpolicy plan: smile-dental changes::") !=
             std::string::npos);
  const auto markdown = run_callpolicy({"plan", "--from", e.before, "--to", e.after, "--week", "2026-12-21", "--format", "markdown"});
  BOOST_TEST(markdown.out.find("| ported, forwarded | weekdays | 12:00–13:00 | any | voicemail/business-hours | ai/lunch |") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(added_and_removed_clinics_are_named_and_errors_exit_1) {
  edited_examples e;
  fs::remove(e.after + "/downtown-dental.policy");
  std::ofstream(e.after + "/new.policy") << "clinic brand-new {\n  timezone \"UTC\"\n  numbers { sip brand-new }\n}\n";
  const auto r = run_callpolicy({"plan", "--from", e.before, "--to", e.after, "--week", "2026-12-21"});
  BOOST_TEST(r.out.find("+ clinic brand-new (new)") != std::string::npos);
  BOOST_TEST(r.out.find("- clinic downtown-dental (removed") != std::string::npos);
  std::ofstream(e.after + "/broken.policy") << "clinic broken {\n  timezone \"Nowhere/Land\"\n}\n";
  const auto broken = run_callpolicy({"plan", "--from", e.before, "--to", e.after, "--detailed-exitcode"});
  BOOST_TEST(broken.exit_code == 1);
  BOOST_TEST(broken.err.find("error[E010]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(from_git_reads_the_same_paths_at_a_revision) {
  edited_examples e;
  const std::string repo = e.dir.path() + "/repo";
  fs::create_directories(repo);
  fs::copy(e.before, repo + "/rules", fs::copy_options::recursive);
  const auto git = [&](const std::vector<std::string>& args) { return git_in(repo, args); };
  BOOST_REQUIRE(git({"init", "-q"}).exit_code == 0);
  BOOST_REQUIRE(git({"add", "."}).exit_code == 0);
  BOOST_REQUIRE(git({"commit", "-q", "-m", "rules"}).exit_code == 0);
  fs::copy(e.after + "/harbour-physio.policy", repo + "/rules/harbour-physio.policy", fs::copy_options::overwrite_existing);
  const auto r = run_process({CALLPOLICY_BINARY, "plan", "--from-git", "HEAD", "--to", "rules", "--week", "2026-12-21",
                              "--detailed-exitcode"},
                             {}, repo);
  BOOST_TEST_INFO(r.out << r.err);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.find("callpolicy plan: HEAD:rules -> rules") != std::string::npos);
  BOOST_TEST(r.out.find("fallback: forward -> busy") != std::string::npos);
  BOOST_TEST(r.out.find("Plan: 1 clinic changes") != std::string::npos);
  const auto same = run_process({CALLPOLICY_BINARY, "plan", "--from-git", "HEAD", "--to", "rules/lakeside-vet.policy",
                                 "--detailed-exitcode"},
                                {}, repo);
  BOOST_TEST(same.exit_code == 0);
  BOOST_TEST(run_process({CALLPOLICY_BINARY, "plan", "--from-git", "no-such-rev", "--to", "rules"}, {}, repo).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(journal_mode_replays_what_a_real_server_decided) {
  edited_examples e;
  const std::string token_file = e.dir.write("token", "plan-token\n");
  const std::string journal = e.dir.path() + "/journal.jsonl";
  {
    server_process server({"--rules", e.before, "--auth-token-file", token_file, "--journal", journal});
    // harbour-physio: six calls, the first three while under capacity.
    for (int i = 1; i <= 6; ++i) {
      server.post("/twilio/voice", {{"CallSid", call_sid(i)}, {"To", "+442079460555"}, {"From", "+447700900001"}}, "plan-token");
    }
    // smile-dental's forwarded number, which the edit gives to riverside-clinic.
    server.post("/twilio/voice", {{"CallSid", call_sid(7)}, {"To", "+16475559999"}, {"From", "+14165550100"}}, "plan-token");
    server.stop();
  }
  const auto r = run_callpolicy({"plan", "--journal", journal, "--to", e.after, "--detailed-exitcode"});
  BOOST_TEST_INFO(r.out << r.err);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.find("7 calls replayed from " + journal + ": 4 would be decided differently.") != std::string::npos);
  BOOST_TEST(r.out.find("forward/under-capacity -> busy/under-capacity: 3") != std::string::npos);
  BOOST_TEST(r.out.find("-> riverside-clinic forward/disabled: 1") != std::string::npos);
  const auto unchanged = run_callpolicy({"plan", "--journal", journal, "--to", e.before, "--detailed-exitcode"});
  BOOST_TEST(unchanged.exit_code == 0);
  BOOST_TEST(unchanged.out.find(": 0 would be decided differently.") != std::string::npos);
  const json j = json::parse(run_callpolicy({"plan", "--journal", journal, "--to", e.after, "--format", "json"}).out);
  BOOST_TEST(j["calls"] == 7);
  BOOST_TEST(j["different"] == 4);
  BOOST_TEST(j["skipped"] == 0);
  // A rotated journal's live call repeats a call of the file before and is
  // not replayed; a torn line and one past the line limit are counted, not read.
  {
    std::ofstream more(journal, std::ios::app);
    more << R"({"type":"call","time_ms":1796314005290,"call_sid":")" << call_sid(8)
         << R"(","clinic":"harbour-physio","snapshot":true})" << '\n'
         << R"({"type":"call","time_ms":17963)" << '\n'
         << R"({"type":"call","from":")" << std::string(300 * 1024, '1') << "\"}\n";
  }
  const auto appended = run_callpolicy({"plan", "--journal", journal, "--to", e.after});
  BOOST_TEST_INFO(appended.out << appended.err);
  BOOST_TEST(appended.out.find("7 calls replayed from " + journal + ": 4 would be decided differently.") !=
             std::string::npos);
  BOOST_TEST(appended.out.find("2 lines skipped: not a journal record") != std::string::npos);
}

// Calls an operator's override decided are no policy's decisions: a replay
// leaves them out and says how many; a second old set beside the journal is refused.
BOOST_AUTO_TEST_CASE(journal_mode_leaves_out_calls_an_override_decided) {
  edited_examples e;
  const std::string token_file = e.dir.write("token", "plan-token\n");
  const std::string admin_file = e.dir.write("admin", "plan-admin\n");
  const std::string journal = e.dir.path() + "/journal.jsonl";
  {
    server_process server({"--rules", e.before, "--auth-token-file", token_file, "--journal", journal,
                           "--admin-token-file", admin_file});
    const std::string until = utc_in(std::chrono::hours(1));
    const auto set = http_request(server.admin_port(), "POST", "/admin/clinics/harbour-physio/override",
                                  R"({"action": "voicemail", "until": ")" + until + R"(", "reason": "drill"})",
                                  {{"Authorization", "Bearer plan-admin"}, {"Content-Type", "application/json"}});
    BOOST_REQUIRE(set.status == 200);
    for (int i = 1; i <= 2; ++i) {
      server.post("/twilio/voice", {{"CallSid", call_sid(i)}, {"To", "+442079460555"}, {"From", "+447700900001"}}, "plan-token");
    }
    server.post("/twilio/voice", {{"CallSid", call_sid(3)}, {"To", "+16475559999"}, {"From", "+14165550100"}}, "plan-token");
    server.stop();
  }
  const auto r = run_callpolicy({"plan", "--journal", journal, "--to", e.before, "--detailed-exitcode"});
  BOOST_TEST_INFO(r.out << r.err);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("1 calls replayed from " + journal + ": 0 would be decided differently.") != std::string::npos);
  BOOST_TEST(r.out.find("2 calls decided by an override are not compared") != std::string::npos);
  const json j = json::parse(run_callpolicy({"plan", "--journal", journal, "--to", e.before, "--format", "json"}).out);
  BOOST_TEST(j["overridden"] == 2);
  BOOST_TEST(j["different"] == 0);
  const auto both = run_callpolicy({"plan", "--journal", journal, "--from", e.after, "--to", e.before});
  BOOST_TEST(both.exit_code == 2);
  BOOST_TEST(both.err.find("--journal") != std::string::npos);
}

// git quotes non-ASCII names in ls-tree's default output; a file whose name
// git would quote is still read at the revision, not silently skipped.
BOOST_AUTO_TEST_CASE(from_git_reads_files_whose_names_git_would_quote) {
  temp_dir dir;
  const std::string repo = dir.path() + "/repo";
  fs::create_directories(repo + "/rules");
  const std::string clinic = "clinic clinique {\n  timezone \"America/Montreal\"\n  numbers { ported +15145550001 }\n"
                             "  mode always\n}\n";
  std::ofstream(repo + "/rules/clinique-m\xC3\xA9" "dicale.policy") << clinic;
  const auto git = [&](const std::vector<std::string>& args) { return git_in(repo, args); };
  BOOST_REQUIRE(git({"init", "-q"}).exit_code == 0);
  BOOST_REQUIRE(git({"add", "."}).exit_code == 0);
  BOOST_REQUIRE(git({"commit", "-q", "-m", "rules"}).exit_code == 0);
  std::ofstream(repo + "/rules/clinique-m\xC3\xA9" "dicale.policy")
      << "clinic clinique {\n  timezone \"America/Montreal\"\n  numbers { ported +15145550001 }\n  mode disabled\n"
         "  fallback voicemail\n}\n";
  const auto r = run_process({CALLPOLICY_BINARY, "plan", "--from-git", "HEAD", "--to", "rules", "--detailed-exitcode"},
                             {}, repo);
  BOOST_TEST_INFO(r.out << r.err);
  BOOST_TEST(r.exit_code == 2);  // a change, not "+ clinic clinique (new)"
  BOOST_TEST(r.out.find("(new)") == std::string::npos);
}

// The AI leg's follow-on and timeout are settings a plan names.
BOOST_AUTO_TEST_CASE(a_plan_names_the_ai_legs_changes) {
  temp_dir dir;
  const std::string body = "clinic leg {\n  timezone \"UTC\"\n  numbers { ported +14165551234 }\n  mode always\n";
  const std::string before = dir.write("before/leg.policy", body + "}\n");
  const std::string after = dir.write("after/leg.policy", body + "  ai { timeout 9s unavailable busy capacity 4 }\n}\n");
  const auto r = run_callpolicy({"plan", "--from", before, "--to", after, "--format", "json", "--detailed-exitcode"});
  BOOST_TEST_INFO(r.out << r.err);
  BOOST_TEST(r.exit_code == 2);
  const json j = json::parse(r.out);
  BOOST_REQUIRE(j["clinics"].size() == 1u);
  const json& settings = j["clinics"][0]["settings"];
  const std::string listed = settings.dump();
  BOOST_TEST(listed.find("\"ai unavailable: voicemail -> busy\"") != std::string::npos);
  BOOST_TEST(listed.find("\"ai timeout: 15s -> 9s\"") != std::string::npos);
  BOOST_TEST(listed.find("\"ai capacity: (none) -> 4\"") != std::string::npos);
}

// A transfer block added, and then one of its rules changed: each is named,
// and a route edit that renumbers the clinic's predicates is not mistaken
// for a change of the transfer rules.
BOOST_AUTO_TEST_CASE(a_plan_names_the_transfer_rules_changes) {
  temp_dir dir;
  const std::string head = "clinic t {\n  timezone \"UTC\"\n  numbers { ported +14165551234 }\n  forward +14165550000\n";
  const std::string block = "  transfer {\n    closed -> voicemail\n    to +14165550000 -> forward\n  }\n";
  const std::string none = dir.write("none/t.policy", head + "  mode always\n}\n");
  const std::string one = dir.write("one/t.policy", head + "  mode always\n" + block + "}\n");
  const std::string rerouted = dir.write(
      "rerouted/t.policy", head + "  route {\n    via sip -> voicemail\n    otherwise -> ai\n  }\n" + block + "}\n");
  const std::string other = dir.write(
      "other/t.policy", head + "  mode always\n  transfer {\n    closed -> busy\n    to +14165550000 -> forward\n  }\n}\n");
  const auto settings_of = [](const std::string& from, const std::string& to) {
    const auto r = run_callpolicy({"plan", "--from", from, "--to", to, "--format", "json"});
    BOOST_TEST_INFO(r.out << r.err);
    BOOST_REQUIRE(r.exit_code == 0);
    const json j = json::parse(r.out);
    return j["clinics"].empty() ? std::string() : j["clinics"][0]["settings"].dump();
  };
  BOOST_TEST(settings_of(none, one).find("\"transfer: (the default) -> transfer block\"") != std::string::npos);
  BOOST_TEST(settings_of(one, none).find("\"transfer: transfer block -> (the default)\"") != std::string::npos);
  BOOST_TEST(settings_of(one, other).find("\"transfer: changed\"") != std::string::npos);
  BOOST_TEST(settings_of(one, rerouted).find("transfer") == std::string::npos);
}
