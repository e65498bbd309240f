#include <nlohmann/json.hpp>
#include <boost/test/unit_test.hpp>

#include "model/bundle.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"
#include "tests/runtime/clinic_builder.h"

using namespace callpolicy;
using namespace callpolicy::testing;

namespace {
const std::string head = R"(<?xml version="1.0" encoding="UTF-8"?><Response>)";
const std::chrono::sys_seconds wednesday_10_utc{std::chrono::sys_days{std::chrono::year{2026} / 12 / 2} +
                                                std::chrono::hours{10}};

std::string twiml_for(const compiled_clinic& c, action_kind action, std::string_view reason,
                      const twiml_options& options = {"https://calls.example.com", "", ""},
                      via_kind via = via_kind::ported) {
  const auto set = load_one(c);
  std::string out = "stale";
  twiml_call call;
  call.via = via;
  call.at = wednesday_10_utc;
  write_twiml(out, set->clinics().front(), {action, reason}, call, options);
  return out;
}

// What the AI is told of a closed clinic with no hours, on 2026-12-02 at 10:00 UTC.
const std::string closed_facts =
    "&amp;x-local-time=2026-12-02T10%3A00%3A00%2B00%3A00&amp;x-open=no&amp;x-next-open=none";
}  // namespace

BOOST_AUTO_TEST_CASE(ai_sip_defaults_and_headers) {
  compiled_clinic c = open_or_ai("UTC");
  BOOST_TEST(twiml_for(c, action_kind::ai, "after hours & more") ==
             head + R"(<Dial answerOnBridge="true" timeout="15" action="https://calls.example.com/twilio/ai-status?clinic=c" referUrl="https://calls.example.com/twilio/refer?clinic=c"><Sip>sip:c@sip.vapi.ai?x-clinic=c&amp;x-reason=after%20hours%20%26%20more&amp;x-via=ported)" +
                 closed_facts + "</Sip></Dial></Response>");
  BOOST_TEST(twiml_for(c, action_kind::ai, "x", {"http://b", "sip:desk@ai.example", ""}, via_kind::sip) ==
             head + R"(<Dial answerOnBridge="true" timeout="15" action="http://b/twilio/ai-status?clinic=c" referUrl="http://b/twilio/refer?clinic=c"><Sip>sip:desk@ai.example?x-clinic=c&amp;x-reason=x&amp;x-via=sip)" +
                 closed_facts + "</Sip></Dial></Response>");
  // The `ai` block's timeout is the <Dial>'s.
  c.ai.timeout_seconds = 9;
  BOOST_TEST(twiml_for(c, action_kind::ai, "x").find(R"(<Dial answerOnBridge="true" timeout="9" action=")") !=
             std::string::npos);
  c.ai.timeout_seconds = 15;
  BOOST_TEST(twiml_for(c, action_kind::ai, "x", {"http://b", "", "https://ai.example/voice"}) ==
             head + R"(<Redirect method="POST">https://ai.example/voice?x-clinic=c&amp;x-reason=x&amp;x-via=ported)" +
                 closed_facts + "</Redirect></Response>");
  c.ai = {ai_config::kind::sip, "sip:clinic@sip.vapi.ai"};
  BOOST_TEST(twiml_for(c, action_kind::ai, "x", {"http://b", "sip:other@x", ""}).find(
                 "<Sip>sip:clinic@sip.vapi.ai?x-clinic=c") != std::string::npos);
  c.ai = {ai_config::kind::redirect, "https://x.example/a?b=1&c=2"};
  BOOST_TEST(twiml_for(c, action_kind::ai, "x") ==
             head + R"(<Redirect method="POST">https://x.example/a?b=1&amp;c=2&amp;x-clinic=c&amp;x-reason=x&amp;x-via=ported)" +
                 closed_facts + "</Redirect></Response>");
}

BOOST_AUTO_TEST_CASE(voicemail_forward_and_busy) {
  compiled_clinic c = open_or_ai("UTC");
  c.name = R"(Smith & "Sons" <Dental>)";
  c.voicemail.greeting = "Thank you for calling Smith & \"Sons\" <Dental>. Please leave a message.";
  c.voice = "Polly.Joanna";
  c.language = "en-CA";
  BOOST_TEST(twiml_for(c, action_kind::voicemail, "x") ==
             head + R"(<Say voice="Polly.Joanna" language="en-CA">Thank you for calling Smith &amp; &quot;Sons&quot; &lt;Dental&gt;. Please leave a message.</Say><Record maxLength="300" playBeep="true" action="https://calls.example.com/twilio/hangup?clinic=c" recordingStatusCallback="https://calls.example.com/twilio/voicemail?clinic=c&amp;reason=x" recordingStatusCallbackEvent="completed"/></Response>)");
  // The message's caller and number dialled travel in its callback's URL,
  // percent-encoded, as does a reason of several words.
  const auto set = load_one(c);
  std::string voicemail;
  twiml_call call;
  call.caller = "+14165550100";
  call.to = "+14165552000";
  write_twiml(voicemail, set->clinics().front(), {action_kind::voicemail, "after hours & more"}, call,
              {"https://calls.example.com", "", ""});
  BOOST_TEST(voicemail.find(R"(recordingStatusCallback="https://calls.example.com/twilio/voicemail?clinic=c&amp;reason=after%20hours%20%26%20more&amp;caller=%2B14165550100&amp;to=%2B14165552000")") != std::string::npos, voicemail);
  c.voice.clear();
  c.language.clear();
  c.forward.number = "+14165550000";
  BOOST_TEST(twiml_for(c, action_kind::forward, "x") ==
             head + R"(<Say>Connecting you now.</Say><Dial timeout="20" action="https://calls.example.com/twilio/dial-status?clinic=c">+14165550000</Dial></Response>)");
  BOOST_TEST(twiml_for(c, action_kind::busy, "x") ==
             head + R"(<Say>We're unable to take your call right now. Please try again later.</Say><Hangup/></Response>)");
  c.busy.reject = true;
  BOOST_TEST(twiml_for(c, action_kind::busy, "x") == head + R"(<Reject reason="busy"/></Response>)");
  std::string out;
  write_not_in_service_twiml(out);
  BOOST_TEST(out == head + "<Say>We're sorry, this number is not in service.</Say><Hangup/></Response>");
  write_hangup_twiml(out);
  BOOST_TEST(out == head + "<Hangup/></Response>");
  // A screened forward: staff hear the screen in a one-key <Gather>; a key connects.
  c.forward.screen = "Press 1 to take a call for Smith & Sons.";
  BOOST_TEST(twiml_for(c, action_kind::forward, "x") ==
             head + R"(<Say>Connecting you now.</Say><Dial timeout="20" action="https://calls.example.com/twilio/dial-status?clinic=c"><Number url="https://calls.example.com/twilio/screen?clinic=c">+14165550000</Number></Dial></Response>)");
  write_screen_twiml(out, c, false, {"https://calls.example.com", "", ""});
  BOOST_TEST(out == head + R"(<Gather numDigits="1" timeout="5" action="https://calls.example.com/twilio/screen?clinic=c"><Say>Press 1 to take a call for Smith &amp; Sons.</Say></Gather><Hangup/></Response>)");
  write_screen_twiml(out, c, true, {"https://calls.example.com", "", ""});
  BOOST_TEST(out == R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");
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
  c.forward = {"+14165550000", "One moment.", 15, action_kind::menu, "+14165559999", "Press 1 to take it."};
  c.menu.configured = true;
  c.menu.say = "Press 1.";
  c.menu.keys[1] = action_kind::ai;
  c.menu.keys[10] = action_kind::hangup;
  c.menu.on_timeout = action_kind::forward;
  c.region = "CA";
  predicate desk;
  desk.type = predicate::kind::transfer_to;
  desk.callers = {"+14165550000"};
  c.predicates.push_back(desk);
  c.transfer.configured = true;
  c.transfer.leaves = {{action_kind::forward, "to +14165550000"}, {action_kind::voicemail, "transfer refused"}};
  c.transfer.nodes = {{static_cast<std::uint32_t>(c.predicates.size() - 1), leaf_target(0), leaf_target(1)}};
  c.transfer.root = 0;
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
  // A menu that names itself, or a forward that follows itself, is refused.
  std::string self_menu = text;
  self_menu.replace(self_menu.find("\"on_timeout\": \"forward\""), 23, "\"on_timeout\": \"menu\"");
  BOOST_TEST(read_bundle(self_menu).error.find("/clinics/0/menu/on_timeout") != std::string::npos);
  // A transfer tree is checked as the clinic's is, and never leads back to the AI.
  const nlohmann::json parsed = nlohmann::json::parse(text);
  nlohmann::json outside = parsed;
  outside["clinics"][0]["transfer"]["root"] = 5;
  BOOST_TEST(read_bundle(outside.dump()).error.find("/clinics/0/transfer/root") != std::string::npos);
  nlohmann::json to_ai = parsed;
  to_ai["clinics"][0]["transfer"]["leaves"][1]["action"] = "ai";
  BOOST_TEST(read_bundle(to_ai.dump()).error.find("/clinics/0/transfer/leaves/1/action: a transfer cannot go back to the AI") !=
             std::string::npos);
  nlohmann::json without = parsed;
  without["clinics"][0].erase("transfer");
  const auto untransferred = read_bundle(without.dump());
  BOOST_REQUIRE(untransferred.set.has_value());
  BOOST_TEST(!untransferred.set->clinics.at(0).transfer.configured);
  // Bundles written before menus existed still load, with the defaults.
  nlohmann::json old = nlohmann::json::parse(text);
  old["clinics"][0].erase("menu");
  old["clinics"][0].erase("region");
  old["clinics"][0]["forward"].erase("unanswered");
  old["clinics"][0]["forward"].erase("caller_id");
  old["clinics"][0]["forward"].erase("screen");
  const auto before = read_bundle(old.dump());
  BOOST_REQUIRE(before.set.has_value());
  BOOST_TEST((before.set->clinics[0].forward.unanswered == action_kind::voicemail));
  BOOST_TEST(!before.set->clinics[0].menu.configured);
  BOOST_TEST(before.set->clinics[0].forward.screen.empty());
}

BOOST_AUTO_TEST_CASE(menus_and_the_steps_after_a_forward) {
  compiled_clinic c = open_or_ai("UTC");
  c.forward.number = "+14165550000";
  c.forward.unanswered = action_kind::ai;
  c.ported = {"+14165551234"};
  c.menu.configured = true;
  c.menu.say = "Press 1 for our assistant, 2 for the front desk.";
  c.menu.keys[1] = action_kind::ai;
  c.menu.keys[2] = action_kind::forward;
  c.menu.on_timeout = action_kind::voicemail;
  c.menu.timeout_seconds = 8;
  BOOST_TEST(twiml_for(c, action_kind::menu, "x") ==
             head + R"(<Gather input="dtmf" numDigits="1" timeout="8" action="https://calls.example.com/twilio/menu?clinic=c"><Say>Press 1 for our assistant, 2 for the front desk.</Say></Gather><Redirect method="POST">https://calls.example.com/twilio/menu?clinic=c</Redirect></Response>)");
  const auto set = load_one(c);
  const runtime_clinic& r = set->clinics().front();
  std::string out;
  write_twiml(out, r, {action_kind::menu, "menu repeat"}, {via_kind::ported, true, true}, {"http://b", "", ""});
  BOOST_TEST(out.find(R"(action="http://b/twilio/menu?clinic=c&amp;attempt=2")") != std::string::npos);
  BOOST_TEST(out.find(R"(<Redirect method="POST">http://b/twilio/menu?clinic=c&amp;attempt=2</Redirect>)") != std::string::npos);
  // A caller who is a SIP address is forwarded with the clinic's number as caller ID.
  write_twiml(out, r, {action_kind::forward, "x"}, {via_kind::sip, false}, {"http://b", "", ""});
  BOOST_TEST(out.find(R"(<Dial timeout="20" action="http://b/twilio/dial-status?clinic=c" callerId="+14165551234">)") != std::string::npos);
  write_twiml(out, r, {action_kind::forward, "x"}, {via_kind::ported, true}, {"http://b", "", ""});
  BOOST_TEST(out.find("callerId") == std::string::npos);
  write_twiml(out, r, {action_kind::hangup, "answered"}, {}, {"http://b", "", ""});
  BOOST_TEST(out == head + "<Hangup/></Response>");

  const auto is = [](const decision& d, action_kind a, std::string_view reason) {
    return d.action == a && d.reason == reason;
  };
  BOOST_TEST(is(after_menu(r, "2", false), action_kind::forward, "menu 2"));
  BOOST_TEST(is(after_menu(r, "", false), action_kind::voicemail, "menu timeout"));
  BOOST_TEST(is(after_menu(r, "7", false), action_kind::menu, "menu repeat"));
  BOOST_TEST(is(after_menu(r, "7", true), action_kind::voicemail, "menu timeout"));
  BOOST_TEST(is(after_menu(r, "12", false), action_kind::menu, "menu repeat"));
  for (const char* status : {"no-answer", "busy", "failed", "canceled"}) {
    BOOST_TEST(is(after_dial(r, status), action_kind::ai, "unanswered"));
  }
  BOOST_TEST(is(after_dial(r, "completed"), action_kind::hangup, "answered"));

  // The flow takes digits at a menu and a dial status at a forward, in turn.
  const call_flow flow = follow_flow(r, {action_kind::menu, "otherwise"}, "2", "no-answer");
  BOOST_TEST(flow.steps.size() == 3u);
  BOOST_TEST(is(flow.steps.back(), action_kind::ai, "unanswered"));
  BOOST_TEST(!flow.digits_unused);
  const call_flow never = follow_flow(r, {action_kind::ai, "otherwise"}, "2", std::nullopt);
  BOOST_TEST(never.digits_unused);
  BOOST_TEST(never.steps.size() == 1u);
}

BOOST_AUTO_TEST_CASE(pbx_numbers_in_any_form) {
  compiled_set set;
  compiled_clinic a = open_or_ai("America/Toronto");
  a.id = "a";
  a.ported = {"+14165551234"};
  a.region = "CA";
  a.sip_users = {"front-desk"};
  compiled_clinic b = open_or_ai("Europe/London");
  b.id = "b";
  b.forwarded = {"+442071234567"};
  b.region = "GB";
  set.clinics = {a, b};
  const auto loaded = policy_set::load(set).set;
  const auto via_of = [&](std::string_view to) -> std::string {
    const auto m = identify_clinic(*loaded, to);
    return m ? m->clinic->policy.id + "/" + std::string(via_name(m->via)) : "none";
  };
  BOOST_TEST(via_of("sip:+14165551234@clinics.sip.twilio.com") == "a/sip");
  BOOST_TEST(via_of("sip:4165551234@clinics.sip.twilio.com;transport=tls") == "a/sip");
  BOOST_TEST(via_of("sip:14165551234@clinics.sip.twilio.com") == "a/sip");
  BOOST_TEST(via_of("sip:02071234567@clinics.sip.twilio.com") == "b/sip");
  BOOST_TEST(via_of("sip:front-desk@clinics.sip.twilio.com") == "a/sip");
  BOOST_TEST(via_of("sip:4165550000@clinics.sip.twilio.com") == "none");
  BOOST_TEST(via_of("sip:911@clinics.sip.twilio.com") == "none");
  BOOST_TEST(via_of("4165551234") == "a/ported");

  std::string buffer;
  BOOST_TEST(caller_e164("sip:4165550111@pbx.example.com", "CA", buffer) == "+14165550111");
  BOOST_TEST(caller_e164("sip:+14165550111@pbx.example.com", "CA", buffer) == "+14165550111");
  BOOST_TEST(caller_e164("+14165550111", "", buffer) == "+14165550111");
  BOOST_TEST(caller_e164("(416) 555-0111", "CA", buffer) == "+14165550111");
  BOOST_TEST(caller_e164("sip:4165550111@pbx.example.com", "", buffer).empty());
  BOOST_TEST(caller_e164("sip:anonymous@pbx.example.com", "CA", buffer).empty());
  BOOST_TEST(caller_e164("Anonymous", "CA", buffer).empty());
  BOOST_TEST(caller_e164("", "CA", buffer).empty());
  // Possible in some countries, but shorter than any number a policy can name.
  for (const char* region : {"", "CA", "AU", "GB"}) BOOST_TEST(caller_e164("51234", region, buffer).empty());
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

// The facts the AI is given, at known instants in Toronto: open or not, the
// next opening (past a weekend and a holiday), the holiday's name, the
// caller and the CallSid; and the SIP headers kept under Twilio's limit.
BOOST_AUTO_TEST_CASE(the_ai_is_told_the_clinics_local_facts) {
  using namespace std::chrono;
  compiled_clinic c = open_or_ai("America/Toronto");
  for (int day = 0; day < 5; ++day) c.weekly_hours[static_cast<std::size_t>(day)] = {w(9, 0, 17, 0)};
  c.holidays.push_back({holiday_rule::kind::dates, {d(2026, 12, 25), d(2026, 12, 25)}, 0, 0, 0, 0, "Christmas Day"});
  const auto set = load_one(std::move(c));
  const runtime_clinic& clinic = set->clinics().front();
  const auto facts = [&](sys_seconds at, std::string_view caller = {}, std::string_view sid = {},
                         std::string_view reason = "after-hours") {
    std::string out;
    twiml_call call;
    call.at = at;
    call.caller = caller;
    call.call_sid = sid;
    write_twiml(out, clinic, {action_kind::ai, reason}, call, {"https://calls.example.com", "", ""});
    const auto start = out.find("?x-clinic=");
    return out.substr(start + 1, out.find("</Sip>") - start - 1);
  };
  // Friday 2026-12-04 18:00 EST: closed; opens Monday at 09:00.
  const std::string friday = facts(sys_days{year{2026} / 12 / 4} + hours{23}, "+14165550100", "CA0123");
  BOOST_TEST(friday == "x-clinic=c&amp;x-reason=after-hours&amp;x-via=ported&amp;x-local-time=2026-12-04T18%3A00%3A00-05%3A00"
                       "&amp;x-open=no&amp;x-call-sid=CA0123&amp;x-caller=%2B14165550100"
                       "&amp;x-next-open=2026-12-07T09%3A00%3A00-05%3A00");
  // Thursday 2026-12-24 10:00: open; the next opening is past Christmas and the weekend.
  BOOST_TEST(facts(sys_days{year{2026} / 12 / 24} + hours{15}).find(
                 "&amp;x-open=yes&amp;x-next-open=2026-12-28T09%3A00%3A00-05%3A00") != std::string::npos);
  // Christmas Day 10:00: a holiday, named.
  const std::string christmas = facts(sys_days{year{2026} / 12 / 25} + hours{15});
  BOOST_TEST(christmas.find("&amp;x-open=no") != std::string::npos);
  BOOST_TEST(christmas.ends_with("&amp;x-holiday=Christmas%20Day"));
  // The target's own query counts too. With a reason of 200 '&'s (600
  // characters escaped), the headers pass 1,023 and the holiday's name goes
  // first; the next opening and the caller would follow.
  compiled_clinic crowded_clinic = clinic.policy;
  crowded_clinic.ai = {ai_config::kind::sip, "sip:c@sip.vapi.ai?x-account=" + std::string(200, 'a')};
  const auto crowded_set = load_one(std::move(crowded_clinic));
  std::string out;
  twiml_call call;
  call.at = sys_days{year{2026} / 12 / 25} + hours{15};
  call.caller = "+14165550100";
  call.call_sid = "CA0123456789abcdef0123456789abcdef";
  const std::string reason(200, '&');
  write_twiml(out, crowded_set->clinics().front(), {action_kind::ai, reason}, call, {"https://calls.example.com", "", ""});
  const std::size_t query = out.find('?', out.find("<Sip>"));
  std::string headers = out.substr(query + 1, out.find("</Sip>") - query - 1);
  const std::string written = headers;
  for (std::size_t at; (at = headers.find("&amp;")) != std::string::npos;) headers.replace(at, 5, "&");
  BOOST_TEST_INFO(headers.size() << " characters: " << headers);
  BOOST_TEST(headers.size() <= 1023u);
  BOOST_TEST(headers.size() > 900u);
  BOOST_TEST(written.find("x-holiday=") == std::string::npos);
  BOOST_TEST(written.find("x-next-open=2026-12-28T09") != std::string::npos);
  BOOST_TEST(written.find("x-caller=%2B14165550100") != std::string::npos);
  BOOST_TEST(written.find("x-reason=%26%26") != std::string::npos);
}

// ReferTransferTarget in each shape a SIP stack writes a Refer-To.
BOOST_AUTO_TEST_CASE(transfer_targets_are_read_as_phone_numbers) {
  std::string buffer;
  for (const char* target : {"<sip:+14165550000@sip.vapi.ai>", "sip:+14165550000@sip.vapi.ai;user=phone",
                             "<sip:+14165550000@example.com;transport=tls?Replaces=abc%40def>",
                             "\"Front desk\" <sip:4165550000@pbx.example.com>", "tel:+14165550000",
                             "<tel:+14165550000;ext=12>", "tel:416-555-0000", " +14165550000 ", "(416) 555-0000",
                             "SIP:+14165550000@Example.com"}) {
    BOOST_TEST_CONTEXT(target) { BOOST_TEST(transfer_target_e164(target, "CA", buffer) == "+14165550000"); }
  }
  for (const char* target : {"", "<sip:desk@pbx.example.com>", "mailto:desk@example.com", "<sip:+14165550000@x",
                             "anonymous", "tel:"}) {
    BOOST_TEST_CONTEXT(target) { BOOST_TEST(transfer_target_e164(target, "CA", buffer).empty()); }
  }
}

BOOST_AUTO_TEST_CASE(callback_offers_take_a_number_or_go_on) {
  compiled_clinic c = open_or_ai("UTC");
  c.name = "Bay";
  c.region = "GB";
  c.callback.say = "Press 1 & we call you.";
  c.callback.timeout_seconds = 5;
  c.callback.otherwise = action_kind::busy;
  BOOST_TEST(twiml_for(c, action_kind::callback, "wait > 4m") ==
             head + R"(<Gather input="dtmf" finishOnKey="#" timeout="5" action="https://calls.example.com/twilio/callback?clinic=c&amp;reason=wait%20%3E%204m"><Say>Press 1 &amp; we call you.</Say></Gather><Redirect method="POST">https://calls.example.com/twilio/callback?clinic=c&amp;reason=wait%20%3E%204m</Redirect></Response>)");
  const auto set = load_one(c);
  const runtime_clinic& r = set->clinics().front();
  // Asked again: the offer's first reason stays in the URL, beside the attempt.
  std::string out;
  twiml_call again;
  again.offer_reason = "overflow";
  write_twiml(out, r, {action_kind::callback, callback_retry_reason}, again, {"http://b", "", ""});
  BOOST_TEST(out.find(R"(action="http://b/twilio/callback?clinic=c&amp;reason=overflow&amp;attempt=2">)"
                      R"(<Say>Sorry, we could not use that number.</Say><Say>Press 1)") != std::string::npos,
             out);
  write_callback_taken_twiml(out, c, "+442079460999");
  BOOST_TEST(out == head + "<Say>Thank you. We will call you back at 0 2 0 7 9 4 6 0 9 9 9.</Say><Hangup/></Response>");

  const auto taken = [&](std::string_view digits, std::string_view caller, bool repeated) {
    return after_callback(r, digits, caller, repeated);
  };
  BOOST_TEST(taken("1", "+447700900123", false).number == "+447700900123");
  BOOST_TEST(taken("1", "+447700900123", false).next.reason == callback_requested_reason);
  BOOST_TEST((taken("1", "+447700900123", false).next.action == action_kind::hangup));
  BOOST_TEST(taken("02079460999", "", false).number == "+442079460999");  // national, in the clinic's region
  BOOST_TEST(taken("442079460999", "", false).number == "+442079460999");  // with the country code
  // Key 1 from a caller with no number, and digits that are no number: asked once more, then `otherwise`.
  BOOST_TEST(taken("1", "", false).next.reason == callback_retry_reason);
  BOOST_TEST((taken("1", "", false).next.action == action_kind::callback));
  BOOST_TEST(taken("123", "", false).next.reason == callback_retry_reason);
  BOOST_TEST(taken("123", "", true).next.reason == "callback invalid number");
  BOOST_TEST((taken("123", "", true).next.action == action_kind::busy));
  BOOST_TEST((taken("", "+447700900123", false).next.action == action_kind::busy));
  BOOST_TEST(taken("", "+447700900123", false).next.reason == "callback timeout");
  BOOST_TEST(taken("*0#", "", false).next.reason == callback_retry_reason);
  BOOST_TEST(taken(std::string(40, '7'), "", false).number.empty());

  // Without a region the digits start with the country code.
  compiled_clinic plain = open_or_ai("UTC");
  const auto plain_set = load_one(plain);
  BOOST_TEST(after_callback(plain_set->clinics().front(), "14165550123", "", false).number == "+14165550123");

  // The flow takes the digits at the offer, like a menu's.
  const call_flow flow = follow_flow(r, {action_kind::callback, "overflow"}, "02079460999", std::nullopt);
  BOOST_TEST(flow.steps.size() == 2u);
  BOOST_TEST(flow.callback_number == "+442079460999");
  BOOST_TEST(!flow.digits_unused);
}
