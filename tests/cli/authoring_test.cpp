// The authoring experience, end to end through the binary:
// each point as a user types it.
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
  mode     disabled
  fallback voicemail
}
)");
  const auto r = run_callpolicy({"check", "--strict", "--today", "2026-11-24", file});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(file + ":3:3: warning[W-unused-setting]: mode 'disabled' never reads 'hours'") !=
             std::string::npos);
  BOOST_TEST(r.err.find(file + ":4:3: warning[W-unused-setting]: mode 'disabled' never reads 'holidays'") !=
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

BOOST_AUTO_TEST_CASE(a_holiday_reached_through_two_calendars_is_named_once) {
  temp_dir dir;
  dir.write("calendars.policy", "calendar north { use ca-on }\ncalendar south {\n  use ca-on\n  yearly 05-24 \"Victoria Day\"\n}\n");
  dir.write("clinic.policy", R"(clinic twice {
  timezone "America/Toronto"
  numbers  { ported +14165552000 }
  hours    { mon-fri 09:00-17:00 }
  holidays {
    use north
    use south
  }
  mode     after-hours-only
  fallback voicemail
}
)");
  const auto r = run_callpolicy({"eval", dir.path(), "--clinic", "twice", "--at", "2027-05-24T10:00", "--explain"});
  BOOST_TEST_INFO(r.out << r.err);
  // ca-on's rule comes twice with one source; the clinic's own line of the
  // same name is another rule and is named beside it.
  BOOST_TEST(r.out.find("holiday  yes: Victoria Day (yearly mon before 05-25, ca-on:10), Victoria Day (yearly 05-24, " +
                        dir.path() + "/calendars.policy:4)\n") != std::string::npos);
  const auto week = run_callpolicy({"week", dir.path(), "--clinic", "twice", "--from", "2027-05-24"});
  BOOST_TEST(week.out.find("Victoria Day (yearly mon before 05-25, ca-on:10), Victoria Day (yearly 05-24") != std::string::npos,
             week.out << week.err);
  BOOST_TEST(week.out.find("ca-on:10), Victoria Day (yearly mon before") == std::string::npos, week.out);
}

BOOST_AUTO_TEST_CASE(eval_explain_names_the_holiday_the_window_and_the_rule_that_decided) {
  const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
  const auto holiday = run_callpolicy({"eval", examples, "--clinic", "smile-dental", "--at", "2026-12-24T10:00", "--explain"});
  BOOST_TEST_INFO(holiday.out << holiday.err);
  BOOST_REQUIRE(holiday.exit_code == 0);
  // The holiday's name, its rule and where that rule is written.
  BOOST_TEST(holiday.out.find("holiday  yes: Christmas Eve (2026-12-24, " + examples + "/smile-dental.policy:22)") !=
             std::string::npos);
  const auto victoria = run_callpolicy({"eval", examples, "--clinic", "smile-dental", "--at", "2027-05-24T10:00", "--explain"});
  BOOST_TEST(victoria.out.find("holiday  yes: Victoria Day (yearly mon before 05-25, ca-on:10)\n") != std::string::npos,
             victoria.out);
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

BOOST_AUTO_TEST_CASE(import_takes_stdin_a_zone_numbers_and_several_files_and_export_reverses_it) {
  const std::string settings = CALLPOLICY_SOURCE_DIR "/examples/settings";
  const std::string database_default =
      R"({"mode": "always", "afterHours": {"enabled": false}, "highVolume": {"enabled": false, "threshold": 5},
          "customSchedule": {"enabled": false, "rules": []}})";
  const auto no_zone = run_callpolicy({"import", "-", "--clinic", "dflt"}, database_default);
  BOOST_TEST(no_zone.exit_code == 1);
  BOOST_TEST(no_zone.err.find("<stdin>: /afterHours/businessHours/timezone: required") != std::string::npos);
  BOOST_TEST(no_zone.err.find("give --timezone") != std::string::npos);
  const auto zoned = run_callpolicy({"import", "-", "--clinic", "dflt", "--timezone", "America/Toronto", "--numbers",
                                     "+14165551234,forwarded:+16475559999,sip:dflt"},
                                    database_default);
  BOOST_TEST_INFO(zoned.err);
  BOOST_REQUIRE(zoned.exit_code == 0);
  temp_dir dir;
  const std::string file = dir.write("dflt.policy", zoned.out);
  const auto strict = run_callpolicy({"check", "--strict", file});
  BOOST_TEST_INFO(strict.err);
  BOOST_TEST(strict.exit_code == 0);  // no W-no-numbers, no unused overflow

  const auto forward = run_callpolicy({"import", "-", "--clinic", "f"},
                                      R"({"mode": "disabled", "afterHours": {"businessHours": {"timezone": "UTC"}},
                                          "fallback": {"type": "forward"}})");
  BOOST_TEST(forward.exit_code == 1);
  BOOST_TEST(forward.err.find("/fallback/forwardNumber: required") != std::string::npos);

  const auto several = run_callpolicy({"import", settings + "/always.json", settings + "/overflow.json", "-o",
                                       dir.path() + "/imported"});
  BOOST_TEST_INFO(several.err);
  BOOST_REQUIRE(several.exit_code == 0);
  BOOST_TEST(several.out == dir.path() + "/imported/always.policy\n" + dir.path() + "/imported/overflow.policy\n");
  BOOST_TEST(run_callpolicy({"check", dir.path() + "/imported"}).exit_code == 0);

  // export: the JSON back, and importing it gives a policy that decides the same.
  const auto exported = run_callpolicy({"export", dir.path() + "/imported", "--clinic", "overflow"});
  BOOST_TEST_INFO(exported.err);
  BOOST_REQUIRE(exported.exit_code == 0);
  const json j = json::parse(exported.out);
  BOOST_TEST(j["mode"] == "overflow-only");
  BOOST_TEST(j["highVolume"]["threshold"] == 4);
  const auto again = run_callpolicy({"import", "-", "--clinic", "overflow"}, exported.out);
  BOOST_REQUIRE(again.exit_code == 0);
  const std::string original = read_text(dir.path() + "/imported/overflow.policy");
  BOOST_TEST(again.out == original);
  const auto route = run_callpolicy({"export", CALLPOLICY_SOURCE_DIR "/examples", "--clinic", "north-shore-medical"});
  BOOST_TEST(route.exit_code == 1);
  BOOST_TEST(route.err.find("a 'route' does not fit AvailabilitySettings") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fmt_reads_stdin_shows_a_diff_names_what_it_rewrote_and_never_concatenates) {
  temp_dir dir;
  const std::string messy = "clinic m {\n    timezone \"UTC\"\n  numbers { sip m }\n}\n";
  const std::string file = dir.write("m.policy", messy);
  dir.write("n.policy", "clinic n {\n  timezone \"UTC\"\n  numbers {\n    sip       n\n  }\n}\n");
  const auto from_stdin = run_callpolicy({"fmt", "-"}, messy);
  BOOST_TEST(from_stdin.exit_code == 0);
  BOOST_TEST(from_stdin.out.find("  timezone \"UTC\"\n") != std::string::npos);
  const auto directory = run_callpolicy({"fmt", dir.path()});
  BOOST_TEST(directory.exit_code == 2);
  BOOST_TEST(directory.out.empty());
  const auto diff = run_callpolicy({"fmt", "--diff", dir.path()});
  BOOST_TEST(diff.exit_code == 0);
  BOOST_TEST(diff.out.find("--- " + file + "\n+++ " + file + "\n@@ -1,4 +1,6 @@\n clinic m {\n-    timezone \"UTC\"\n") == 0u);
  BOOST_TEST(diff.out.find("n.policy") == std::string::npos);  // formatted already
  const auto write = run_callpolicy({"fmt", "-w", dir.path()});
  BOOST_TEST(write.exit_code == 0);
  BOOST_TEST(write.out == file + "\n");
  BOOST_TEST(run_callpolicy({"fmt", "--check", dir.path()}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(check_reads_stdin) {
  const auto r = run_callpolicy({"check", "-"}, "clinic s {\n  timezone \"Mars/Base\"\n}\n");
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("<stdin>:2:12: error[E010]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(test_runs_a_subset_verbosely_or_quietly) {
  const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
  const auto some = run_callpolicy({"test", examples, "--run", "VIP", "-v"});
  BOOST_TEST(some.exit_code == 0);
  BOOST_TEST(count(some.out, "passed\n") == 2u);
  BOOST_TEST(some.out.find("2 passed, 0 failed") != std::string::npos);
  const auto quiet = run_callpolicy({"test", examples, "-q"});
  BOOST_TEST(quiet.exit_code == 0);
  BOOST_TEST(quiet.out.empty());
  BOOST_TEST(run_callpolicy({"test", examples, "--run", "("}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(help_unknown_commands_completion_and_the_man_page) {
  const auto help = run_callpolicy({"help", "eval"});
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(help.out.find("--explain") != std::string::npos);
  const auto typo = run_callpolicy({"chek", "rules/"});
  BOOST_TEST(typo.exit_code == 2);
  BOOST_TEST(typo.err.find("unknown command 'chek', did you mean 'check'?") != std::string::npos);
  for (const char* shell : {"bash", "zsh", "fish"}) {
    const auto script = run_callpolicy({"completion", shell});
    BOOST_TEST(script.exit_code == 0);
    BOOST_TEST(script.out.find("instructions") != std::string::npos, shell);
    BOOST_TEST(script.out.find("explain") != std::string::npos, shell);
  }
  const auto syntax = run_process({"/bin/bash", "-n", "-c", run_callpolicy({"completion", "bash"}).out});  // execv: no PATH search
  BOOST_TEST(syntax.exit_code == 0, syntax.err);
  const auto man = run_callpolicy({"man"});
  BOOST_TEST(man.exit_code == 0);
  BOOST_TEST(man.out.starts_with(".TH CALLPOLICY 1"));
  BOOST_TEST(man.out.find(".SS eval") != std::string::npos);
  BOOST_TEST(man.out.find("\\-\\-explain") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(serve_exits_2_on_rules_it_cannot_read) {
  const auto r = run_callpolicy({"serve", "--rules", "/nonexistent/rules", "--insecure-skip-signature", "--listen",
                                 "127.0.0.1:0", "--admin-listen", "", "--journal", ""});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("cannot read '/nonexistent/rules'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(instructions_speak_plainly_and_check_their_inputs) {
  const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
  const auto smile = run_callpolicy({"instructions", examples, "--clinic", "smile-dental", "--public-url",
                                     "https://calls.example.com"});
  BOOST_TEST_INFO(smile.err);
  BOOST_REQUIRE(smile.exit_code == 0);  // no SIP users: no --sip-domain needed
  BOOST_TEST(smile.out.find("The AI answers weekdays before 09:00 and after 17:00; Saturdays before 10:00 and after "
                            "14:00; Sundays all day; and on holidays.") != std::string::npos);
  // The forwarded number needs its Twilio webhook too.
  BOOST_TEST(smile.out.find("open the number **+16475559999**") != std::string::npos);
  BOOST_TEST(smile.out.find("`POST https://calls.example.com/twilio/voice`") != std::string::npos);
  // Business-hours calls go to voicemail under this policy: "always forward" is warned about.
  BOOST_TEST(smile.out.find("**Warning:** with **Always forward**") != std::string::npos);

  const auto sip = run_callpolicy({"instructions", examples, "--clinic", "north-shore-medical", "--sip-domain",
                                   "parlae.sip.twilio.com", "--public-url", "https://calls.example.com"});
  BOOST_REQUIRE(sip.exit_code == 0);
  BOOST_TEST(sip.out.find("IP Access Control List") != std::string::npos);
  BOOST_TEST(sip.out.find("Credential List") != std::string::npos);
  // Every SIP user, in the PBX steps too.
  BOOST_TEST(count(sip.out, "nsm-afterhours@parlae.sip.twilio.com") >= 3u);
  BOOST_TEST(count(sip.out, "north-shore-medical@parlae.sip.twilio.com") >= 3u);

  BOOST_TEST(run_callpolicy({"instructions", examples, "--clinic", "north-shore-medical"}).exit_code == 2);
  const auto bad_domain = run_callpolicy({"instructions", examples, "--clinic", "north-shore-medical", "--sip-domain",
                                          "pbx.example.com"});
  BOOST_TEST(bad_domain.exit_code == 2);
  BOOST_TEST(bad_domain.err.find("'pbx.example.com' is not one") != std::string::npos);
  const auto http = run_callpolicy({"instructions", examples, "--clinic", "smile-dental", "--public-url",
                                    "http://calls.example.com"});
  BOOST_TEST(http.exit_code == 2);
  BOOST_TEST(http.err.find("is not an https URL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(week_names_holidays_and_writes_each_reason) {
  const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
  const auto text = run_callpolicy({"week", examples, "--clinic", "smile-dental", "--from", "2026-12-21"});
  BOOST_REQUIRE(text.exit_code == 0);
  BOOST_TEST(text.out.find(std::string(48, 'A') + "  Christmas Day") != std::string::npos);
  temp_dir dir;
  const auto svg = run_callpolicy({"week", examples, "--clinic", "smile-dental", "--from", "2026-12-21", "--format",
                                   "svg", "-o", dir.path() + "/w.svg"});
  BOOST_REQUIRE(svg.exit_code == 0);
  const std::string picture = read_text(dir.path() + "/w.svg");
  BOOST_TEST(picture.find(">holiday (Christmas Day)</text>") != std::string::npos);  // on its day, not in a tooltip
  BOOST_TEST(picture.find(">voicemail: business-hours</text>") != std::string::npos);  // the legend per reason
  BOOST_TEST(count(picture, "stroke-opacity") >= 25u);  // hour and day lines over the cells
  // via defaults to the clinic's integration: a forward-only clinic is shown via forwarded.
  const auto forwarded = run_callpolicy({"week", examples, "--clinic", "harbour-physio", "--from", "2026-12-21"});
  BOOST_TEST(forwarded.out.find("via forwarded") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_readme_example_does_what_its_comment_says) {
  const std::string readme = read_text(CALLPOLICY_SOURCE_DIR "/README.md");
  const auto section = readme.find("## A policy in twenty lines");
  BOOST_REQUIRE(section != std::string::npos);
  const auto open = readme.find("```\n", section) + 4;
  const std::string policy = readme.substr(open, readme.find("```\n", open) - open);
  temp_dir dir;
  dir.write("readme.policy", policy);
  dir.write("ontario.policy", read_text(CALLPOLICY_SOURCE_DIR "/examples/calendars/ontario.policy"));
  BOOST_TEST(run_callpolicy({"check", "--strict", dir.path()}).exit_code == 0);
  BOOST_TEST(run_callpolicy({"test", dir.path()}).exit_code == 0);
  // "staff by day": a weekday at 10:00 rings the front desk, and the AI takes it if nobody answers.
  const auto day = run_callpolicy({"eval", dir.path(), "--clinic", "smile-dental", "--at", "2026-12-02T10:00",
                                   "--dial-status", "no-answer", "--format", "json"});
  BOOST_REQUIRE(day.exit_code == 0);
  const json j = json::parse(day.out);
  BOOST_TEST(j["flow"][0]["action"] == "forward");
  BOOST_TEST(j["action"] == "ai");
}

// `test --context`: a changed test file runs alone, its clinic and calendar
// read from the rest of the set, whose own tests (one of them failing) do not run.
BOOST_AUTO_TEST_CASE(test_context_lends_clinics_and_runs_only_the_given_tests) {
  temp_dir dir;
  dir.write("calendars.policy", "calendar closures {\n  2027-01-04 \"Staff training\"\n}\n");
  dir.write("clinic.policy", R"(clinic lakeview {
  timezone "America/Toronto"
  numbers  { ported +14165552000 }
  hours    { mon-fri 09:00-17:00 }
  holidays { use closures }
  mode     after-hours-only
  fallback voicemail
}
test "a failing test of the rest of the set" {
  clinic lakeview
  at     2027-01-05T10:00
  expect ai
}
)");
  const std::string changed = dir.write("lakeview_test.policy", R"(test "closed for training" {
  clinic lakeview
  at     2027-01-04T10:00
  expect ai
}
)");
  const auto alone = run_callpolicy({"test", changed});
  BOOST_TEST(alone.exit_code != 0);
  const auto with = run_callpolicy({"test", changed, "--context", dir.path()});
  BOOST_TEST_INFO(with.out << with.err);
  BOOST_TEST(with.exit_code == 0);
  BOOST_TEST(with.out.find("1 passed, 0 failed") != std::string::npos);
  // The whole set runs both tests, and the rest's failing one fails.
  const auto all = run_callpolicy({"test", dir.path()});
  BOOST_TEST(all.exit_code == 1);
  BOOST_TEST(all.out.find("1 passed, 1 failed") != std::string::npos);
}
