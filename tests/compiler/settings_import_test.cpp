// `import`: each example AvailabilitySettings JSON becomes a policy that
// compiles cleanly and decides as the settings mean.
#include <boost/test/unit_test.hpp>

#include "compiler/compiler.h"
#include "compiler/settings_import.h"
#include "compiler/time_tables.h"
#include "tests/support/subprocess.h"

using namespace callpolicy;

namespace {

struct imported {
  compiled_clinic clinic;
  clinic_tables tables;
};

imported import_example(const std::string& name) {
  const import_result r = import_settings(
      testing::read_text(CALLPOLICY_SOURCE_DIR "/examples/settings/" + name), "imported", "Imported Clinic");
  BOOST_TEST_INFO(name << ": " << (r.errors.empty() ? "" : r.errors.front()));
  BOOST_REQUIRE(r.errors.empty());
  source_set sources;
  sources.files.push_back({"imported.policy", r.policy});
  diagnostic_sink sink;
  compile_output out = compile_sources(sources, {days_from_civil(2026, 11, 24)}, sink);
  BOOST_REQUIRE(sink.error_count() == 0u);
  BOOST_REQUIRE_EQUAL(out.set.clinics.size(), 1u);
  imported i{out.set.clinics[0], {}};
  i.tables = build_tables(i.clinic);
  return i;
}

const tree_leaf& at(const imported& i, int y, unsigned m, unsigned d, int hour, int minute, int calls = 0) {
  const local_call call{days_from_civil(y, m, d), static_cast<std::uint16_t>(hour * 60 + minute), calls, {}, via_kind::ported};
  return i.clinic.leaves[static_cast<std::size_t>(decide_leaf(i.clinic, i.tables, call))];
}

}  // namespace

BOOST_AUTO_TEST_CASE(after_hours_settings) {
  const imported i = import_example("after-hours.json");
  BOOST_TEST(i.clinic.timezone == "America/Toronto");
  BOOST_TEST(at(i, 2026, 12, 2, 10, 0).reason == "business-hours");   // Wednesday 10:00
  BOOST_TEST((at(i, 2026, 12, 2, 10, 0).action == action_kind::voicemail));
  BOOST_TEST(at(i, 2026, 12, 2, 17, 0).reason == "after-hours");
  BOOST_TEST(at(i, 2026, 12, 5, 11, 0).reason == "business-hours");   // Saturday 10:00-14:00
  BOOST_TEST(at(i, 2026, 12, 6, 11, 0).reason == "after-hours");      // Sunday: null, closed
  BOOST_TEST(at(i, 2026, 12, 25, 11, 0).reason == "holiday");
  BOOST_TEST(i.clinic.voicemail.greeting == "Thank you for calling Maple Dental. Please leave a message.");
}

BOOST_AUTO_TEST_CASE(overflow_settings) {
  const imported i = import_example("overflow.json");
  BOOST_TEST(at(i, 2026, 12, 2, 10, 0, 3).reason == "under-capacity");
  BOOST_TEST((at(i, 2026, 12, 2, 10, 0, 3).action == action_kind::forward));
  BOOST_TEST(at(i, 2026, 12, 2, 10, 0, 4).reason == "overflow");
  BOOST_TEST(i.clinic.forward.number == "+442079460999");
}

BOOST_AUTO_TEST_CASE(scheduled_settings_count_days_from_sunday) {
  const imported i = import_example("scheduled.json");
  BOOST_TEST(at(i, 2026, 11, 30, 18, 0).reason == "scheduled-on");   // Monday (dayOfWeek 1) evening
  BOOST_TEST(at(i, 2026, 12, 1, 18, 0).reason == "scheduled-off");   // Tuesday: no rule
  BOOST_TEST(at(i, 2026, 12, 6, 10, 0).reason == "scheduled-on");    // Sunday (dayOfWeek 0)
  BOOST_TEST(at(i, 2026, 12, 6, 12, 30).reason == "scheduled-off");  // the later disable wins
  BOOST_TEST((at(i, 2026, 12, 1, 18, 0).action == action_kind::busy));
}

BOOST_AUTO_TEST_CASE(always_and_disabled_settings) {
  BOOST_TEST(at(import_example("always.json"), 2026, 12, 2, 3, 0).reason == "always-on");
  const imported d = import_example("disabled.json");
  BOOST_TEST(at(d, 2026, 12, 2, 10, 0).reason == "disabled");
  BOOST_TEST((at(d, 2026, 12, 2, 10, 0).action == action_kind::forward));
}

BOOST_AUTO_TEST_CASE(bad_settings_name_their_json_pointer) {
  const import_result r = import_settings(
      R"({"mode": "sometimes", "extra": 1,
          "afterHours": {"businessHours": {"timezone": "UTC",
            "schedule": {"monday": {"open": "9am", "close": "17:00"}, "funday": null},
            "holidays": ["2026-13-01"]}},
          "customSchedule": {"rules": [{"dayOfWeek": 7, "startTime": "09:00", "endTime": "10:00", "action": "enable"}]},
          "fallback": {"type": "carrier-pigeon"}})",
      "x", "");
  const std::vector<std::string> expected{
      "/extra: unknown field",
      "/afterHours/businessHours/schedule/funday: unknown field",
      "/afterHours/businessHours/schedule/monday/open: expected a time like 09:00",
      "/afterHours/businessHours/holidays/0: expected a date like 2026-12-25",
      "/customSchedule/rules/0/dayOfWeek: expected a whole number from 0 to 6",
      "/mode: expected always, after-hours-only, overflow-only, scheduled or disabled",
      "/fallback/type: expected voicemail, forward or busy-signal"};
  for (const std::string& e : expected) {
    BOOST_TEST_INFO(e);
    BOOST_TEST((std::find(r.errors.begin(), r.errors.end(), e) != r.errors.end()));
  }
  BOOST_TEST(r.policy.empty());
  BOOST_TEST(import_settings("{not json", "x", "").errors.front() == "/: not valid JSON");
  BOOST_TEST(import_settings(R"({"mode": "always"})", "x", "").errors.front() ==
             "/afterHours/businessHours/timezone: required: the policy needs the clinic's time zone");
}

BOOST_AUTO_TEST_CASE(import_and_instructions_commands) {
  const auto imported = testing::run_callpolicy(
      {"import", CALLPOLICY_SOURCE_DIR "/examples/settings/after-hours.json", "--clinic", "maple-dental", "--name", "Maple Dental"});
  BOOST_TEST(imported.exit_code == 0);
  BOOST_TEST(imported.out.find("clinic maple-dental {\n  name     \"Maple Dental\"\n") != std::string::npos);
  testing::temp_dir dir;
  const std::string file = dir.write("maple.policy", imported.out);
  BOOST_TEST(testing::run_callpolicy({"fmt", "--check", file}).exit_code == 0);
  BOOST_TEST(testing::run_callpolicy({"import", "/nonexistent.json", "--clinic", "x"}).exit_code == 2);
  BOOST_TEST(testing::run_callpolicy({"import", file, "--clinic", "Bad Id"}).exit_code == 2);

  const auto steps = testing::run_callpolicy({"instructions", CALLPOLICY_SOURCE_DIR "/examples", "--clinic",
                                              "north-shore-medical", "--sip-domain", "parlae.sip.twilio.com",
                                              "--public-url", "https://calls.example.com"});
  BOOST_TEST(steps.exit_code == 0);
  BOOST_TEST(steps.out.find("## Porting the number to Twilio") != std::string::npos);
  BOOST_TEST(steps.out.find("**`nsm-afterhours@parlae.sip.twilio.com`**") != std::string::npos);
  BOOST_TEST(steps.out.find("Programmable Voice SIP Domain") != std::string::npos);
  BOOST_TEST(steps.out.find("### RingCentral") != std::string::npos);
  BOOST_TEST(steps.out.find("POST https://calls.example.com/twilio/sip") != std::string::npos);
  BOOST_TEST(steps.out.find("## Call forwarding") == std::string::npos);  // no forwarded number
  const auto forwarding = testing::run_callpolicy(
      {"instructions", CALLPOLICY_SOURCE_DIR "/examples", "--clinic", "harbour-physio", "--sip-domain", "x"});
  BOOST_TEST(forwarding.out.find("Set up call forwarding to **+442079460555**") != std::string::npos);
  BOOST_TEST(forwarding.out.find("Further lines can forward to +442079460556") != std::string::npos);
  BOOST_TEST(testing::run_callpolicy({"instructions", CALLPOLICY_SOURCE_DIR "/examples", "--clinic", "nobody",
                                      "--sip-domain", "x"}).exit_code == 1);
}
