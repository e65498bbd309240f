// End-to-end tests of the built `callpolicy` binary: exit codes, outputs and
// the formats machines read.
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {
const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
const std::string rules = CALLPOLICY_SOURCE_DIR "/rules";

const char* five_mistakes = R"(clinic five {
  timezone "America/Torono"
  hours {
    mon-fri 09:00-17:0
  }
  overflow many
  mode sometimes
  forward +1416
}
)";

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

json eval_json(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"eval", examples, "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_callpolicy(args);
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  return json::parse(r.out);
}
}  // namespace

BOOST_AUTO_TEST_CASE(check_examples_and_rules_are_clean_and_strict) {
  for (const std::string& set : {examples, rules}) {
    const auto r = run_callpolicy({"check", "--strict", "--today", "2026-11-24", set});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.err.find("0 errors, 0 warnings") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(five_mistakes_report_five_positions) {
  temp_dir dir;
  const std::string file = dir.write("five.policy", five_mistakes);
  const auto text = run_callpolicy({"check", file});
  BOOST_TEST(text.exit_code == 1);
  for (const std::string at : {":2:12: error[E010]", ":4:19: error[E001]", ":6:12: error[E001]",
                               ":7:8: error[E001]", ":8:11: error[E004]"}) {
    BOOST_TEST_INFO(text.err);
    BOOST_TEST(text.err.find(file + at) != std::string::npos);
  }
  // The source line and a caret under the column.
  BOOST_TEST(text.err.find("    mon-fri 09:00-17:0\n                    ^") != std::string::npos);

  const auto as_json = run_callpolicy({"check", "--format", "json", file});
  BOOST_TEST(as_json.exit_code == 1);
  const json report = json::parse(as_json.out);
  BOOST_TEST(report["version"] == 1);  // the diagnostics inside a versioned object (docs/tooling.md)
  BOOST_TEST(report["errors"] == 5);
  const json& diagnostics = report["diagnostics"];
  BOOST_REQUIRE_EQUAL(diagnostics.size(), 5u);
  BOOST_TEST(diagnostics[0]["code"] == "E010");
  BOOST_TEST(diagnostics[0]["line"] == 2);
  BOOST_TEST(diagnostics[0]["column"] == 12);
  BOOST_REQUIRE_EQUAL(diagnostics[0]["notes"].size(), 1u);
  BOOST_TEST(diagnostics[0]["notes"][0] == "did you mean 'America/Toronto'?");
  BOOST_TEST(diagnostics[4]["severity"] == "error");
}

BOOST_AUTO_TEST_CASE(strict_turns_warnings_into_failure) {
  temp_dir dir;
  const std::string file = dir.write("w.policy", "clinic w { timezone \"UTC\" mode disabled }\n");
  const auto lenient = run_callpolicy({"check", file});
  BOOST_TEST(lenient.exit_code == 0);
  BOOST_TEST(lenient.err.find("warning[W-default-fallback]") != std::string::npos);
  BOOST_TEST(run_callpolicy({"check", "--strict", file}).exit_code == 1);
}

BOOST_AUTO_TEST_CASE(sarif_output_validates_against_the_schema) {
  temp_dir dir;
  const std::string file = dir.write("five.policy", five_mistakes);
  const auto r = run_callpolicy({"check", "--format", "sarif", file});
  BOOST_TEST(r.exit_code == 1);
  const std::string sarif = dir.write("out.sarif", r.out);
  const json parsed = json::parse(r.out);
  BOOST_TEST(parsed["version"] == "2.1.0");
  BOOST_TEST(parsed["runs"][0]["results"].size() == 5u);
  const auto validation = run_process(
      {"/usr/bin/python3", "-c",
       "import json,sys,jsonschema; schema=json.load(open(sys.argv[1])); "
       "jsonschema.validate(json.load(open(sys.argv[2])), schema); print('valid')",
       CALLPOLICY_SOURCE_DIR "/tests/data/sarif-schema-2.1.0.json", sarif});
  BOOST_TEST_INFO(validation.err);
  BOOST_TEST(validation.exit_code == 0);
  BOOST_TEST(validation.out == "valid\n");
}

BOOST_AUTO_TEST_CASE(github_format_is_workflow_commands) {
  temp_dir dir;
  const std::string file = dir.write("five.policy", five_mistakes);
  const auto r = run_callpolicy({"check", "--format", "github", file});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(count(r.out, "::error file=") == 5u);
  BOOST_TEST(r.out.find(",line=4,col=19,title=E001::expected a time like 17:00 to end the window") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(compile_writes_a_format_1_bundle_and_explains) {
  temp_dir dir;
  const std::string bundle = dir.path() + "/bundle.json";
  const auto r = run_callpolicy({"compile", examples, "-o", bundle, "--explain"});
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  const json j = json::parse(read_text(bundle));
  BOOST_TEST(j["format"] == 1);
  BOOST_TEST(j["clinics"].size() == 7u);
  BOOST_TEST(j["sources"].size() == 8u);
  BOOST_TEST(j["sources"][0]["sha256"].get<std::string>().size() == 64u);
  BOOST_TEST(r.out.find("clinic smile-dental (after-hours-only, America/Toronto)\n  open?\n") !=
             std::string::npos);
  BOOST_TEST(r.out.find("-> ai (after-hours)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(compile_refuses_a_set_with_errors) {
  temp_dir dir;
  const std::string file = dir.write("five.policy", five_mistakes);
  const auto r = run_callpolicy({"compile", file, "-o", dir.path() + "/b.json"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(read_text(dir.path() + "/b.json").empty());
}

BOOST_AUTO_TEST_CASE(eval_json_for_every_mode) {
  struct expectation {
    std::string clinic, at, calls, action, reason;
  };
  const std::vector<expectation> cases{
      {"smile-dental", "2026-12-24T18:00", "0", "ai", "holiday"},
      {"smile-dental", "2026-12-02T10:00", "0", "voicemail", "business-hours"},
      {"smile-dental", "2026-12-02T18:00", "0", "ai", "after-hours"},
      {"harbour-physio", "2026-12-02T10:00", "3", "ai", "overflow"},
      {"harbour-physio", "2026-12-02T10:00", "1", "forward", "under-capacity"},
      {"lakeside-vet", "2026-12-02T12:30", "0", "ai", "scheduled-on"},
      {"lakeside-vet", "2026-12-02T10:00", "0", "busy", "scheduled-off"},
      {"downtown-dental", "2026-12-02T10:00", "0", "ai", "always-on"},
      {"riverside-clinic", "2026-12-02T10:00", "0", "forward", "disabled"},
      {"north-shore-medical", "2026-12-02T12:45", "0", "ai", "lunch"},
  };
  for (const auto& c : cases) {
    const json j = eval_json({"--clinic", c.clinic, "--at", c.at, "--calls", c.calls});
    BOOST_TEST_INFO(c.clinic << " at " << c.at);
    BOOST_TEST(j["clinic"] == c.clinic);
    // The integration the clinic has (docs/tooling.md): two are reached by carrier forward only.
    BOOST_TEST(j["via"] == (c.clinic == "harbour-physio" || c.clinic == "riverside-clinic" ? "forwarded" : "ported"));
    BOOST_TEST(j["action"] == c.action);
    BOOST_TEST(j["reason"] == c.reason);
    BOOST_TEST(j["calls"] == std::stoi(c.calls));
    BOOST_TEST(j["twiml"].get<std::string>().starts_with(
        R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"));
    BOOST_TEST(j.size() == 8u);  // seven keys and a "version" (docs/tooling.md)
    BOOST_TEST(j["version"] == 1);
  }
  const json j = eval_json({"--clinic", "smile-dental", "--at", "2026-12-24T18:00"});
  BOOST_TEST(j["local_time"] == "2026-12-24T18:00:00-05:00");
  BOOST_TEST(j["twiml"] ==
             R"(<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="15" action="http://127.0.0.1:8080/twilio/ai-status?clinic=smile-dental" referUrl="http://127.0.0.1:8080/twilio/refer?clinic=smile-dental"><Sip>sip:smile-dental@sip.vapi.ai?x-clinic=smile-dental&amp;x-reason=holiday&amp;x-via=ported&amp;x-local-time=2026-12-24T18%3A00%3A00-05%3A00&amp;x-open=no&amp;x-next-open=2026-12-31T09%3A00%3A00-05%3A00&amp;x-holiday=Christmas%20Eve</Sip></Dial></Response>)");
}

BOOST_AUTO_TEST_CASE(eval_identifies_each_integration) {
  BOOST_TEST(eval_json({"--to", "+14165551234", "--at", "2026-12-02T10:00Z"})["via"] == "ported");
  const json forwarded = eval_json({"--to", "+16475559999", "--at", "2026-12-02T10:00Z"});
  BOOST_TEST(forwarded["via"] == "forwarded");
  BOOST_TEST(forwarded["clinic"] == "smile-dental");
  for (const std::string to :
       {"sip:north-shore-medical@parlae.sip.twilio.com", "sips:north-shore-medical@parlae.sip.twilio.com:5061;transport=tls",
        "north-shore-medical@parlae.sip.twilio.com", "sip:nsm%2Dafterhours@x.sip.twilio.com"}) {
    const json j = eval_json({"--to", to, "--at", "2026-12-02T10:00+11:00"});
    BOOST_TEST_INFO(to);
    BOOST_TEST(j["clinic"] == "north-shore-medical");
    BOOST_TEST(j["via"] == "sip");
  }
}

BOOST_AUTO_TEST_CASE(eval_unknown_destination_fails_naming_it) {
  const auto r = run_callpolicy({"eval", examples, "--to", "+19995550000", "--at", "2026-12-02T10:00Z"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("+19995550000") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(eval_local_times_across_dst) {
  const auto gap = run_callpolicy(
      {"eval", examples, "--clinic", "smile-dental", "--at", "2027-03-14T02:30"});
  BOOST_TEST(gap.exit_code == 1);
  BOOST_TEST(gap.err.find("does not exist") != std::string::npos);
  const auto overlap = run_callpolicy({"eval", examples, "--clinic", "smile-dental", "--at",
                                       "2026-11-01T01:30", "--format", "json"});
  BOOST_TEST(overlap.exit_code == 0);
  BOOST_TEST(overlap.err.find("occurs twice") != std::string::npos);
  BOOST_TEST(json::parse(overlap.out)["local_time"] == "2026-11-01T01:30:00-04:00");
}

BOOST_AUTO_TEST_CASE(eval_twiml_uses_public_url) {
  const auto r = run_callpolicy({"eval", examples, "--clinic", "smile-dental", "--at",
                                 "2026-12-02T10:00", "--format", "twiml", "--public-url",
                                 "https://calls.example.com"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find(R"(action="https://calls.example.com/twilio/hangup?clinic=smile-dental")") != std::string::npos);
  BOOST_TEST(r.out.find(R"(recordingStatusCallback="https://calls.example.com/twilio/voicemail?clinic=smile-dental&amp;reason=)") != std::string::npos);
  BOOST_TEST(r.out.find(R"(<Say voice="Polly.Joanna" language="en-CA">)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(test_runs_every_block) {
  for (const std::string& set : {examples, rules}) {
    const auto r = run_callpolicy({"test", set});
    BOOST_TEST_INFO(r.out << r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.ends_with(" passed, 0 failed\n"));
  }
}

BOOST_AUTO_TEST_CASE(failing_test_prints_its_failure) {
  temp_dir dir;
  const std::string file = dir.write("t.policy", R"(clinic t {
  timezone "America/Toronto"
  hours { mon-fri 09:00-17:00 }
  mode after-hours-only
  fallback voicemail
}
test "wrong on purpose" {
  at 2026-12-02T10:00
  expect ai
}
test "right" {
  at 2026-12-02T10:00
  expect voicemail
}
)");
  const auto r = run_callpolicy({"test", file});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out.find(file + ":7:1: test \"wrong on purpose\" failed: expected ai, got voicemail "
                               "(\"business-hours\") at 2026-12-02T10:00:00-05:00") !=
             std::string::npos);
  BOOST_TEST(r.out.ends_with("1 passed, 1 failed\n"));
  const auto junit = run_callpolicy({"test", "--format", "junit", file});
  BOOST_TEST(junit.exit_code == 1);
  BOOST_TEST(junit.out.find(R"(<testsuites name="callpolicy" tests="2" failures="1">)") !=
             std::string::npos);
  BOOST_TEST(count(junit.out, "<failure ") == 1u);
}

BOOST_AUTO_TEST_CASE(eval_follows_the_flow_past_the_first_answer) {
  // north-shore-medical: staff first; unanswered -> menu; 1 -> ai, 2 -> voicemail, no key -> ai.
  const std::vector<std::string> at{"--clinic", "north-shore-medical", "--at", "2026-12-02T10:00"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), at.begin(), at.end());
    return eval_json(extra);
  };
  BOOST_TEST(with({})["action"] == "forward");
  const json menu = with({"--dial-status", "no-answer"});
  BOOST_TEST(menu["action"] == "menu");
  BOOST_TEST(menu["reason"] == "unanswered");
  BOOST_TEST(menu["twiml"].get<std::string>().find("/twilio/menu?clinic=north-shore-medical") != std::string::npos);
  BOOST_TEST(menu["flow"].size() == 2u);
  const json two = with({"--dial-status", "busy", "--digits", "2"});
  BOOST_TEST(two["action"] == "voicemail");
  BOOST_TEST(two["reason"] == "menu 2");
  const json none = with({"--dial-status", "no-answer", "--digits", ""});
  BOOST_TEST(none["action"] == "ai");
  BOOST_TEST(none["reason"] == "menu timeout");
  BOOST_TEST(with({"--dial-status", "completed"})["action"] == "hangup");
  // A PBX caller in national form is read in the clinic's region (AU, from its number).
  const json vip = with({"--caller", "sip:0255509999@pbx.example.com", "--via", "sip"});
  BOOST_TEST(vip["reason"] == "vip");
  BOOST_TEST(vip["caller"] == "+61255509999");
  BOOST_TEST(vip["twiml"].get<std::string>().find(R"(callerId="+61255501234")") != std::string::npos);

  std::vector<std::string> args{"eval", examples};
  args.insert(args.end(), at.begin(), at.end());
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = args;
    all.insert(all.end(), extra.begin(), extra.end());
    return run_callpolicy(all);
  };
  const auto not_a_number = run({"--caller", "4165550111x"});
  BOOST_TEST(not_a_number.exit_code == 2);
  BOOST_TEST(not_a_number.err == "callpolicy eval: --caller '4165550111x' is not a phone number in E.164 or in the "
                                 "national form of AU\n");
  const auto no_menu = run({"--digits", "1"});
  BOOST_TEST(no_menu.exit_code == 1);
  BOOST_TEST(no_menu.err == "callpolicy eval: --digits given, but this call never reaches a menu or a callback offer\n");
  BOOST_TEST(run({"--dial-status", "ringing"}).exit_code == 2);
  // The dialled number as a PBX's SIP user identifies the clinic.
  const json by_number = eval_json({"--to", "sip:+61255501234@clinics.sip.twilio.com", "--at", "2026-12-02T10:00"});
  BOOST_TEST(by_number["clinic"] == "north-shore-medical");
  BOOST_TEST(by_number["via"] == "sip");
}

BOOST_AUTO_TEST_CASE(a_test_whose_flow_never_meets_its_digits_fails_saying_so) {
  temp_dir dir;
  const std::string file = dir.write("t.policy", R"(clinic t {
  timezone "America/Toronto"
  numbers { ported +14165551234 }
  mode always
}
test "no menu here" {
  at     2026-12-02T10:00
  digits 1
  expect ai
}
)");
  const auto r = run_callpolicy({"test", file});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out.find("test \"no menu here\" failed: 'digits' is given, but the call never reaches a menu or a "
                        "callback offer: it ends "
                        "in ai (\"always-on\")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(usage_and_io_errors_exit_2) {
  BOOST_TEST(run_callpolicy({"check"}).exit_code == 2);
  BOOST_TEST(run_callpolicy({"check", "--format", "yaml", examples}).exit_code == 2);
  BOOST_TEST(run_callpolicy({"frobnicate"}).exit_code == 2);
  const auto missing = run_callpolicy({"check", "/nonexistent/dir"});
  BOOST_TEST(missing.exit_code == 2);
  BOOST_TEST(missing.err.find("cannot read '/nonexistent/dir'") != std::string::npos);
  BOOST_TEST(run_callpolicy({"eval", examples, "--clinic", "smile-dental", "--at", "tomorrow"}).exit_code == 2);
}

// A file name need not be UTF-8; every JSON the CLI writes stays valid
// (U+FFFD for such bytes) instead of the command dying on it.
BOOST_AUTO_TEST_CASE(file_names_that_are_not_utf8_leave_json_output_valid) {
  temp_dir dir;
  dir.write("caf\xE9.policy", "clinic cafe {\n  timezone \"UTC\"\n  numbers { ported +15555550100 }\n  mode disabled\n}\n");
  for (const char* format : {"json", "sarif"}) {
    const auto r = run_callpolicy({"check", "--format", format, dir.path()});
    BOOST_TEST(r.exit_code == 0, format << ": " << r.err);
    const json parsed = json::parse(r.out, nullptr, false);
    BOOST_TEST(!parsed.is_discarded(), format);
    BOOST_TEST(r.out.find("caf\xEF\xBF\xBD.policy") != std::string::npos, format);
  }
  const auto bundle = run_callpolicy({"compile", dir.path(), "-o", "-"});
  BOOST_TEST(bundle.exit_code == 0, bundle.err);
  BOOST_TEST(!json::parse(bundle.out, nullptr, false).is_discarded());
}

// The AI leg's end, in eval, in test blocks and through fmt.
BOOST_AUTO_TEST_CASE(eval_and_tests_follow_the_ai_leg) {
  temp_dir dir;
  const std::string file = dir.write("t.policy", R"(clinic t {
  timezone "America/Toronto"
  numbers { ported +14165551234 }
  mode always
  ai { sip "sip:t@sip.vapi.ai"   timeout 10s unavailable   forward }
  forward +14165550000 { unanswered busy }
}
test "vapi down: the front desk" {
  at     2026-12-02T10:00
  ai     failed
  expect forward
  reason "ai unavailable"
}
test "vapi down and nobody at the desk" {
  at     2026-12-02T10:00
  ai     no-answer
  dial   no-answer
  expect busy
}
test "the AI took it" {
  at     2026-12-02T10:00
  ai     completed
  expect hangup
}
test "no AI at the desk" {
  at     2026-12-02T10:00
  dial   busy
  expect forward
}
)");
  const auto tests = run_callpolicy({"test", file});
  BOOST_TEST_INFO(tests.out << tests.err);
  BOOST_TEST(tests.exit_code == 1);
  BOOST_TEST(tests.out.find("3 passed, 1 failed") != std::string::npos);
  BOOST_TEST(tests.out.find("test \"no AI at the desk\" failed: 'dial' is given, but the call never reaches a forward")
             != std::string::npos);
  const auto eval = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"eval", file, "--at", "2026-12-02T10:00", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_callpolicy(args);
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  };
  const json first = eval({});
  BOOST_TEST(first["twiml"].get<std::string>().find(
                 R"(<Dial answerOnBridge="true" timeout="10" action="http://127.0.0.1:8080/twilio/ai-status?clinic=t" referUrl="http://127.0.0.1:8080/twilio/refer?clinic=t">)") !=
             std::string::npos);
  const json failed = eval({"--ai-status", "failed"});
  BOOST_TEST(failed["action"] == "forward");
  BOOST_TEST(failed["reason"] == "ai unavailable");
  BOOST_TEST(failed["flow"].size() == 2u);
  BOOST_TEST(eval({"--ai-status", "completed"})["action"] == "hangup");
  const auto text = run_callpolicy({"eval", file, "--at", "2026-12-02T10:00", "--ai-status", "busy"});
  BOOST_TEST(text.out.find("flow        ai (always-on) -> ai busy -> forward (ai unavailable)") != std::string::npos);
  // fmt lays the block out canonically, and the result means the same.
  const auto formatted = run_callpolicy({"fmt", file});
  BOOST_TEST(formatted.out.find(R"(ai       { sip "sip:t@sip.vapi.ai" timeout 10s unavailable forward })") != std::string::npos);
  BOOST_TEST(formatted.out.find("  ai     failed\n") != std::string::npos);
}

// The AI's transfers, decided by the transfer block in eval and in test blocks.
BOOST_AUTO_TEST_CASE(eval_and_tests_follow_the_ais_transfer) {
  temp_dir dir;
  dir.write("t.policy", R"(clinic t {
  timezone "America/Toronto"
  region   "CA"
  numbers { ported +14165551234 }
  hours { mon-fri 09:00-17:00 }
  mode always
  forward +14165550000 { unanswered busy }
  transfer {
    closed          -> voicemail as "transfer after hours"
    to +14165550000 -> forward
  }
}
test "the desk, by day" {
  clinic   t
  at       2026-12-02T10:00
  transfer "(416) 555-0000"
  expect   forward
  reason   "to +14165550000"
}
test "a premium number" {
  clinic   t
  at       2026-12-02T10:00
  transfer +19005550100
  expect   voicemail
  reason   "transfer refused"
}
test "the desk at night" {
  clinic   t
  at       2026-12-02T20:00
  transfer +14165550000
  expect   voicemail
  reason   "transfer after hours"
}
test "nobody at the desk" {
  clinic   t
  at       2026-12-02T10:00
  transfer +14165550000
  dial     no-answer
  expect   busy
}
)");
  dir.write("quiet.policy", R"(clinic quiet {
  timezone "America/Toronto"
  numbers { ported +14165551235 }
  mode disabled
}
test "no AI to transfer" {
  at       2026-12-02T10:00
  transfer +14165550000
  expect   voicemail
}
)");
  const std::string rules = dir.path();
  const auto tests = run_callpolicy({"test", rules});
  BOOST_TEST_INFO(tests.out << tests.err);
  BOOST_TEST(tests.exit_code == 1);
  BOOST_TEST(tests.out.find("4 passed, 1 failed") != std::string::npos);
  BOOST_TEST(tests.out.find("test \"no AI to transfer\" failed: 'transfer' is given, but the call never reaches the AI") !=
             std::string::npos);
  const auto eval = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"eval", rules, "--clinic", "t", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_callpolicy(args);
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  };
  const json desk = eval({"--at", "2026-12-02T10:00", "--transfer", "+14165550000"});
  BOOST_TEST(desk["action"] == "forward");
  BOOST_TEST(desk["reason"] == "to +14165550000");
  BOOST_TEST(desk["flow"].size() == 2u);
  BOOST_TEST(desk["twiml"].get<std::string>().find(
                 R"(action="http://127.0.0.1:8080/twilio/dial-status?clinic=t&amp;after=transfer">+14165550000</Dial>)") !=
             std::string::npos);
  const json premium = eval({"--at", "2026-12-02T10:00", "--transfer", "+19005550100"});
  BOOST_TEST(premium["action"] == "voicemail");
  BOOST_TEST(premium["reason"] == "transfer refused");
  BOOST_TEST(premium["twiml"].get<std::string>().find("<Dial") == std::string::npos);
  BOOST_TEST(eval({"--at", "2026-12-02T20:00", "--transfer", "4165550000"})["reason"] == "transfer after hours");
  const auto text = run_callpolicy({"eval", rules, "--clinic", "t", "--at", "2026-12-02T10:00", "--transfer",
                                    "+14165550000", "--dial-status", "busy"});
  BOOST_TEST(text.out.find("flow        ai (always-on) -> transfer +14165550000 -> forward (to +14165550000) -> dial busy "
                           "-> busy (unanswered)") != std::string::npos,
             text.out);
  const auto not_a_number = run_callpolicy({"eval", rules, "--clinic", "t", "--at", "2026-12-02T10:00", "--transfer", "desk"});
  BOOST_TEST(not_a_number.exit_code == 2);
  BOOST_TEST(not_a_number.err.find("--transfer 'desk' is not a phone number") != std::string::npos);
  const auto unused = run_callpolicy({"eval", rules, "--clinic", "quiet", "--at", "2026-12-02T10:00", "--transfer", "+14165550000"});
  BOOST_TEST(unused.exit_code == 1);
  BOOST_TEST(unused.err.find("--transfer given, but this call never reaches the AI") != std::string::npos);
}

// The AI is told what eval's explanation says of the same instant: open or
// not, the holiday and its name, and when the clinic opens next.
BOOST_AUTO_TEST_CASE(the_ais_headers_are_evals_facts) {
  const auto contains_text = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  for (const auto& [at, next_open] : std::vector<std::pair<std::string, std::string>>{
           // Christmas Eve: past Christmas, Boxing Day, a Sunday and the winter break's
           // first days, the special morning of New Year's Eve.
           {"2026-12-24T18:00", "2026-12-31T09%3A00%3A00-05%3A00"},
           {"2026-12-02T18:00", "2026-12-03T09%3A00%3A00-05%3A00"}}) {
    BOOST_TEST_CONTEXT(at) {
      const json j = eval_json({"--clinic", "smile-dental", "--at", at, "--explain"});
      BOOST_REQUIRE(j["action"] == "ai");
      const std::string twiml = j["twiml"];
      bool open = true;
      bool holiday = false;
      for (const json& f : j["explain"]["facts"]) {
        if (f["name"] == "open") open = f["value"];
        if (f["name"] == "holiday") holiday = f["value"];
      }
      BOOST_TEST(contains_text(twiml, std::string("&amp;x-open=") + (open ? "yes" : "no")));
      BOOST_TEST(contains_text(twiml, "&amp;x-holiday=") == holiday);
      BOOST_TEST(contains_text(twiml, "&amp;x-local-time=" + at.substr(0, 10) + "T18%3A00%3A00-05%3A00"));
      BOOST_TEST(contains_text(twiml, "&amp;x-next-open=" + next_open));
    }
  }
  const json eve = eval_json({"--clinic", "smile-dental", "--at", "2026-12-24T18:00"});
  BOOST_TEST(contains_text(eve["twiml"], "&amp;x-holiday=Christmas%20Eve"));
}
