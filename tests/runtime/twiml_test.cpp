#include <boost/test/unit_test.hpp>

#include "compiler/bundle.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"
#include "tests/runtime/clinic_builder.h"

using namespace callpolicy;
using namespace callpolicy::testing;

namespace {
const std::string head = R"(<?xml version="1.0" encoding="UTF-8"?><Response>)";

std::string twiml_for(const compiled_clinic& c, action_kind action, std::string_view reason,
                      const twiml_options& options = {"https://calls.example.com", "", ""},
                      via_kind via = via_kind::ported) {
  const auto set = load_one(c);
  std::string out = "stale";
  write_twiml(out, set->clinics().front(), {action, reason}, via, options);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(ai_sip_defaults_and_headers) {
  compiled_clinic c = open_or_ai("UTC");
  BOOST_TEST(twiml_for(c, action_kind::ai, "after hours & more") ==
             head + R"(<Dial answerOnBridge="true"><Sip>sip:c@sip.vapi.ai?x-clinic=c&amp;x-reason=after%20hours%20%26%20more&amp;x-via=ported</Sip></Dial></Response>)");
  BOOST_TEST(twiml_for(c, action_kind::ai, "x", {"http://b", "sip:desk@ai.example", ""}, via_kind::sip) ==
             head + R"(<Dial answerOnBridge="true"><Sip>sip:desk@ai.example?x-clinic=c&amp;x-reason=x&amp;x-via=sip</Sip></Dial></Response>)");
  BOOST_TEST(twiml_for(c, action_kind::ai, "x", {"http://b", "", "https://ai.example/voice"}) ==
             head + R"(<Redirect method="POST">https://ai.example/voice</Redirect></Response>)");
  c.ai = {ai_config::kind::sip, "sip:clinic@sip.vapi.ai"};
  BOOST_TEST(twiml_for(c, action_kind::ai, "x", {"http://b", "sip:other@x", ""}).find(
                 "<Sip>sip:clinic@sip.vapi.ai?x-clinic=c") != std::string::npos);
  c.ai = {ai_config::kind::redirect, "https://x.example/a?b=1&c=2"};
  BOOST_TEST(twiml_for(c, action_kind::ai, "x") ==
             head + R"(<Redirect method="POST">https://x.example/a?b=1&amp;c=2</Redirect></Response>)");
}

BOOST_AUTO_TEST_CASE(voicemail_forward_and_busy) {
  compiled_clinic c = open_or_ai("UTC");
  c.name = R"(Smith & "Sons" <Dental>)";
  c.voicemail.greeting = "Thank you for calling Smith & \"Sons\" <Dental>. Please leave a message.";
  c.voice = "Polly.Joanna";
  c.language = "en-CA";
  BOOST_TEST(twiml_for(c, action_kind::voicemail, "x") ==
             head + R"(<Say voice="Polly.Joanna" language="en-CA">Thank you for calling Smith &amp; &quot;Sons&quot; &lt;Dental&gt;. Please leave a message.</Say><Record maxLength="300" playBeep="true" action="https://calls.example.com/twilio/hangup" recordingStatusCallback="https://calls.example.com/twilio/voicemail" recordingStatusCallbackEvent="completed"/></Response>)");
  c.voice.clear();
  c.language.clear();
  c.forward.number = "+14165550000";
  BOOST_TEST(twiml_for(c, action_kind::forward, "x") ==
             head + R"(<Say>Connecting you now.</Say><Dial timeout="20" action="https://calls.example.com/twilio/dial-status">+14165550000</Dial></Response>)");
  BOOST_TEST(twiml_for(c, action_kind::busy, "x") ==
             head + R"(<Say>We're unable to take your call right now. Please try again later.</Say><Hangup/></Response>)");
  c.busy.reject = true;
  BOOST_TEST(twiml_for(c, action_kind::busy, "x") == head + R"(<Reject reason="busy"/></Response>)");
  std::string out;
  write_not_in_service_twiml(out);
  BOOST_TEST(out == head + "<Say>We're sorry, this number is not in service.</Say><Hangup/></Response>");
  write_hangup_twiml(out);
  BOOST_TEST(out == head + "<Hangup/></Response>");
}

BOOST_AUTO_TEST_CASE(bundle_round_trips_and_refuses_other_formats) {
  compiled_set set;
  set.compiler_version = "test";
  set.sources.push_back({"a.policy", std::string(64, 'a')});
  compiled_clinic c = open_or_ai("America/Toronto");
  c.weekly_hours[0] = {w(9, 0, 17, 0), w(22, 0, 2, 0)};
  c.specials.push_back({d(2026, 12, 31), {w(9, 0, 12, 0)}});
  c.holidays.push_back({holiday_rule::kind::yearly_nth, {}, 9, 0, -1, 0, "Labour"});
  c.holidays.push_back({holiday_rule::kind::dates, {d(2026, 12, 24), d(2026, 12, 26)}, 0, 0, 0, 0, "Xmas"});
  c.schedule.push_back({false, std::nullopt, date_range{d(2026, 12, 24), d(2026, 12, 24)}, {}});
  c.overflow_threshold = 4;
  c.ported = {"+14165551234"};
  c.busy.reject = true;
  predicate during;
  during.type = predicate::kind::during;
  during.days = weekdays_mask;
  during.windows = {w(12, 0, 13, 0)};
  c.predicates.push_back(during);
  set.clinics.push_back(c);
  set.calendars.push_back({"ontario", c.holidays});
  const std::string text = write_bundle(set);
  const bundle_read_result back = read_bundle(text);
  BOOST_TEST_INFO(back.error);
  BOOST_REQUIRE(back.set.has_value());
  BOOST_TEST((*back.set == set));

  std::string other = text;
  other.replace(other.find("\"format\": 1"), 11, "\"format\": 2");
  const auto refused = read_bundle(other);
  BOOST_TEST(!refused.set);
  BOOST_TEST(refused.error == "bundle format 2 is not supported (this callpolicy reads format 1)");
  std::string broken = text;
  broken.replace(broken.find("\"root\": 0"), 9, "\"root\": 7");
  const auto bad = read_bundle(broken);
  BOOST_TEST(!bad.set);
  BOOST_TEST(bad.error.find("/clinics/0/root") != std::string::npos);
  BOOST_TEST(!read_bundle("{not json").set);
}

BOOST_AUTO_TEST_CASE(identification_ported_first_then_forwarded_then_sip) {
  compiled_set set;
  compiled_clinic a = open_or_ai("UTC");
  a.id = "a";
  a.forwarded = {"+14165550001"};
  a.sip_users = {"front-desk"};
  compiled_clinic b = open_or_ai("UTC");
  b.id = "b";
  b.ported = {"+14165550001"};
  set.clinics = {a, b};
  const auto loaded = policy_set::load(set).set;
  const auto number = identify_clinic(*loaded, "+14165550001");
  BOOST_REQUIRE(number.has_value());
  BOOST_TEST(number->clinic->policy.id == "b");
  BOOST_TEST((number->via == via_kind::ported));
  const auto sip = identify_clinic(*loaded, "sip:front%2Ddesk@x.sip.twilio.com:5060;transport=udp");
  BOOST_REQUIRE(sip.has_value());
  BOOST_TEST(sip->clinic->policy.id == "a");
  BOOST_TEST((sip->via == via_kind::sip));
  BOOST_TEST(!identify_clinic(*loaded, "+19995550000"));
  BOOST_TEST(!identify_clinic(*loaded, "sip:nobody@x"));
  BOOST_TEST(!identify_clinic(*loaded, "garbage"));
  BOOST_TEST(*percent_decode("a+b%2Bc", true) == "a b+c");
  BOOST_TEST(!percent_decode("%2", false));
  BOOST_TEST(!percent_decode("%zz", false));
  compiled_set unknown;
  unknown.clinics.push_back(open_or_ai("Mars/Olympus"));
  BOOST_TEST(policy_set::load(unknown).error == "clinic 'c': unknown time zone 'Mars/Olympus'");
}
