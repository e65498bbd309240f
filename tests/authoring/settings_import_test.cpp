// `import`: each example AvailabilitySettings JSON becomes a policy that
// compiles cleanly and decides as the settings mean.
#include <boost/test/unit_test.hpp>

#include "authoring/settings_export.h"
#include "authoring/settings_import.h"
#include "compiler/compiler.h"
#include "model/time_tables.h"
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
  // estimatedWaitMinutes 5: a callback when the wait for the staff is long.
  BOOST_TEST(i.clinic.mode == "route");
  BOOST_TEST(std::any_of(i.clinic.leaves.begin(), i.clinic.leaves.end(), [](const tree_leaf& l) {
    return l.action == action_kind::callback && l.reason == "overflow and wait > 5m";
  }));
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
  // Malformed JSON says where: line and column of the offending character.
  BOOST_TEST(import_settings("{not json", "x", "").errors.front().starts_with("/: not valid JSON at 1:3: syntax error"));
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

namespace {

compiled_clinic compile_one(const std::string& text) {
  source_set sources;
  sources.files.push_back({"p.policy", text});
  diagnostic_sink sink;
  compile_output out = compile_sources(sources, {days_from_civil(2026, 11, 24)}, sink);
  BOOST_TEST_INFO(text);
  BOOST_REQUIRE(sink.error_count() == 0u);
  BOOST_REQUIRE_EQUAL(out.set.clinics.size(), 1u);
  return out.set.clinics[0];
}

}  // namespace

BOOST_AUTO_TEST_CASE(export_then_import_gives_the_same_compiled_clinic) {
  for (const std::string& policy : {
           std::string(R"(clinic rt {
  name "Round Trip"
  timezone "America/Vancouver"
  numbers { ported +16045550100 forwarded +16045550101 }
  hours { mon-thu 08:00-16:30  fri 08:00-12:00  sat 22:00-02:00 }
  holidays { 2026-12-25 "Christmas"  2026-12-28..2026-12-30 }
  mode after-hours-only
  fallback forward
  forward +16045550199
})"),
           std::string(R"(clinic rt {
  timezone "Europe/London"
  numbers { sip rt }
  overflow 4
  mode overflow-only
  fallback busy
})"),
           std::string(R"(clinic rt {
  timezone "Europe/London"
  numbers { sip rt }
  overflow 4
  route {
    overflow and wait > 5m -> callback
    overflow -> ai as "overflow"
    otherwise -> fallback as "under-capacity"
  }
  fallback busy
})"),
           std::string(R"(clinic rt {
  timezone "Asia/Kolkata"
  numbers { ported +912255501234 }
  schedule { enable weekdays 18:00-24:00  disable fri 20:00-21:00  enable sun }
  mode scheduled
  voicemail { greeting "Leave a message." }
})")}) {
    const compiled_clinic original = compile_one(policy);
    const export_result exported = export_settings(original);
    BOOST_TEST_INFO(policy << (exported.errors.empty() ? "" : "\n" + exported.errors.front()));
    BOOST_REQUIRE(exported.errors.empty());
    import_options o;
    o.clinic_id = original.id;
    o.clinic_name = original.name == original.id ? "" : original.name;
    o.ported = original.ported;
    o.forwarded = original.forwarded;
    o.sip = original.sip_users;
    const import_result again = import_settings(exported.json, o);
    BOOST_REQUIRE(again.errors.empty());
    compiled_clinic round_trip = compile_one(again.policy);
    BOOST_TEST_INFO(exported.json << "\n" << again.policy);
    // The settings list holiday dates without names: the dates must be the same.
    compiled_clinic expected = original;
    for (holiday_rule& h : expected.holidays) h.label.clear();
    BOOST_TEST((round_trip == expected));
  }
}

BOOST_AUTO_TEST_CASE(export_refuses_what_the_settings_cannot_say) {
  const auto no_fit = [](const std::string& body) {
    return export_settings(compile_one("clinic x {\n  timezone \"UTC\"\n  numbers { sip x }\n" + body + "\n}\n")).errors;
  };
  BOOST_TEST(!no_fit("  route {\n    closed -> ai\n    otherwise -> voicemail\n  }").empty());
  BOOST_TEST(!no_fit("  mode after-hours-only\n  hours { mon 09:00-12:00, 13:00-17:00 }").empty());
  BOOST_TEST(!no_fit("  mode after-hours-only\n  hours { mon 09:00-17:00 }\n  holidays { yearly 12-25 }").empty());
  BOOST_TEST(!no_fit("  mode disabled\n  fallback forward\n  forward +14165550000 { timeout 30s }").empty());
  BOOST_TEST(no_fit("  mode always").empty());
  // The estimatedWaitMinutes route, and near misses it is not.
  const std::string offer = "  overflow 4\n  route {\n    overflow and wait > 5m -> callback\n"
                            "    overflow -> ai as \"overflow\"\n    otherwise -> voicemail as \"under-capacity\"\n  }";
  BOOST_TEST(no_fit(offer + "\n  fallback voicemail").empty());
  BOOST_TEST(!no_fit(offer + "\n  fallback busy").empty());  // its otherwise is not the fallback
  BOOST_TEST(!no_fit(offer + "\n  fallback voicemail\n  lines 2").empty());
  BOOST_TEST(!no_fit("  overflow 4\n  route {\n    overflow and wait > 90s -> callback\n"
                     "    overflow -> ai as \"overflow\"\n    otherwise -> voicemail as \"under-capacity\"\n  }")
                  .empty());
  BOOST_TEST(!no_fit("  overflow 4\n  route {\n    wait > 5m -> callback\n"
                     "    overflow -> ai as \"overflow\"\n    otherwise -> voicemail as \"under-capacity\"\n  }")
                  .empty());
}

BOOST_AUTO_TEST_CASE(import_refuses_or_falls_back_so_that_what_it_writes_compiles) {
  // A forward fallback without a number would be E043: refused, naming where.
  const import_result forward = import_settings(
      R"({"mode": "disabled", "afterHours": {"businessHours": {"timezone": "UTC"}}, "fallback": {"type": "forward"}})", "x", "");
  BOOST_REQUIRE_EQUAL(forward.errors.size(), 1u);
  BOOST_TEST(forward.errors[0].starts_with("/fallback/forwardNumber: required"));
  // `scheduled` without rules never answers: written as `disabled`, with why.
  const import_result scheduled = import_settings(
      R"({"mode": "scheduled", "afterHours": {"businessHours": {"timezone": "UTC"}}, "customSchedule": {"enabled": true, "rules": []}})",
      "x", "");
  BOOST_REQUIRE(scheduled.errors.empty());
  BOOST_TEST(scheduled.policy.find("# mode scheduled with no customSchedule rules: the AI never answers") != std::string::npos);
  BOOST_TEST(scheduled.policy.find("mode     disabled") != std::string::npos);
  // The original design's database default, with the zone given: it compiles.
  import_options o;
  o.clinic_id = "x";
  o.timezone = "America/Toronto";
  const import_result database_default = import_settings(
      R"({"mode": "always", "afterHours": {"enabled": false}, "highVolume": {"enabled": false, "threshold": 5},
          "customSchedule": {"enabled": false, "rules": []}})", o);
  BOOST_TEST_INFO((database_default.errors.empty() ? "" : database_default.errors.front()));
  BOOST_REQUIRE(database_default.errors.empty());
  BOOST_TEST(database_default.policy.find("timezone \"America/Toronto\"") != std::string::npos);
  BOOST_TEST(database_default.policy.find("overflow") == std::string::npos);  // mode always never reads it
  // Timestamps as holidays, 23:59 as the end of the day, hours in weekday order.
  const import_result shapes = import_settings(R"({"mode": "after-hours-only", "afterHours": {"businessHours": {
      "timezone": "UTC", "holidays": ["2026-12-25T00:00:00.000Z"],
      "schedule": {"sunday": {"open": "10:00", "close": "23:59"}, "monday": {"open": "09:00", "close": "17:00"}}}}})",
                                               "x", "");
  BOOST_REQUIRE(shapes.errors.empty());
  BOOST_TEST(shapes.policy.find("2026-12-25") != std::string::npos);
  BOOST_TEST(shapes.policy.find("sun  10:00-24:00") != std::string::npos);
  BOOST_TEST(shapes.policy.find("mon  09:00-17:00") < shapes.policy.find("sun  10:00-24:00"));
}
