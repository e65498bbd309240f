// The handlers in process, without a socket: handlers::handle() over a
// request_view, as a connection calls it. What serve_test and hostile_test
// check through a real server over HTTP, this checks at the seam below the
// HTTP layer, where a failure names the handler rather than the process.
#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>

#include "server/handlers.h"
#include "server/journal/journal.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/policy_store.h"
#include "server/state/call_state.h"
#include "tests/support/serve_fixture.h"

using namespace callpolicy::server;
namespace t = callpolicy::testing;

namespace {

constexpr std::string_view public_url = "https://calls.example.com";
constexpr std::string_view admin_token = "admin-token-0123456789";
const std::string harbour = "+442079460555";  // harbour-physio: overflow-only at 3, fallback forward

struct in_process {
  server_options options = [] {
    server_options o;
    o.rules_path = t::examples;
    o.public_url = std::string(public_url);
    o.auth_tokens = {t::token};
    o.admin_token = std::string(admin_token);
    o.admin_listen = "127.0.0.1:9090";
    o.journal_path.clear();
    return o;
  }();
  policy_store store{t::examples};
  std::unique_ptr<call_state> state = make_memory_state(std::chrono::seconds(3600));
  journal log{""};
  metrics stats;
  std::unique_ptr<handlers> hooks;

  in_process() {
    set_log_writer([](std::string_view) {});
    BOOST_REQUIRE(store.reload());
    hooks = std::make_unique<handlers>(options, store, *state, log, stats);
  }
  ~in_process() { set_log_writer({}); }

  struct answer {
    response out;
    pending_call call;
  };

  answer handle(request_view request) {
    answer a;
    hooks->handle(request, a.out, a.call);
    return a;
  }

  // A Twilio webhook to `path`, signed with `signing_token` (empty: unsigned).
  answer twilio(std::string_view path, const std::vector<std::pair<std::string, std::string>>& fields,
                const std::string& signing_token = t::token) {
    const std::string body = t::form(fields);
    const std::string signature =
        signing_token.empty() ? std::string() : t::sign(signing_token, std::string(public_url) + std::string(path), body);
    request_view r;
    r.method = "POST";
    r.target = path;
    r.content_type = "application/x-www-form-urlencoded";
    r.signature = signature;
    r.host = "calls.example.com";
    r.body = body;
    return handle(r);
  }

  answer voice(int call, const std::string& to) { return twilio("/twilio/voice", t::call(t::call_sid(call), to)); }

  answer admin(std::string_view method, std::string_view target, std::string_view body = {},
               std::string_view host = "127.0.0.1:9090") {
    const std::string bearer = "Bearer " + std::string(admin_token);
    request_view r;
    r.admin = true;
    r.method = method;
    r.target = target;
    r.content_type = "application/json";
    r.authorization = bearer;
    r.host = host;
    r.body = body;
    return handle(r);
  }

  int active(const std::string& clinic) { return state->active_by_clinic()[clinic]; }
};

bool has(const response& r, std::string_view text) { return r.body.find(text) != std::string::npos; }


}  // namespace

BOOST_FIXTURE_TEST_CASE(the_endpoint_table_routes_and_refuses_before_any_handler, in_process) {
  request_view r;
  r.method = "GET";
  r.target = "/nowhere";
  BOOST_TEST(handle(r).out.status == 404u);
  r.target = "/twilio/voice";
  const answer wrong_method = handle(r);
  BOOST_TEST(wrong_method.out.status == 405u);
  BOOST_TEST(wrong_method.out.allow == "POST");
  r.target = "/healthz";
  BOOST_TEST(handle(r).out.status == 200u);
  r.target = "/readyz?probe=1";
  BOOST_TEST(handle(r).out.status == 200u);
  r.method = "POST";
  r.target = "/healthz";
  BOOST_TEST(handle(r).out.status == 405u);
  // The admin address answers only to its own name, and only its own paths.
  BOOST_TEST(admin("GET", "/status").out.status == 200u);
  BOOST_TEST(admin("GET", "/status", {}, "evil.example.com").out.status == 421u);
  BOOST_TEST(admin("GET", "/admin/nothing-here").out.body == "no such admin endpoint\n");
  request_view twice;
  twice.method = "POST";
  twice.target = "/twilio/voice";
  twice.repeated_credentials = true;
  BOOST_TEST(handle(twice).out.status == 400u);
}

BOOST_FIXTURE_TEST_CASE(a_signed_voice_webhook_is_decided_and_counted, in_process) {
  for (int i = 0; i < 3; ++i) {
    const answer a = voice(i, harbour);
    BOOST_TEST(a.out.status == 200u);
    BOOST_TEST(has(a.out, "<Dial timeout=\"25\""));
    BOOST_TEST(a.out.clinic == "harbour-physio");
    BOOST_TEST(a.out.call_sid == t::call_sid(static_cast<unsigned long long>(i)));
    BOOST_TEST(!a.call.awaiting_state);  // memory state counts at once
  }
  BOOST_TEST(active("harbour-physio") == 3);
  const answer fourth = voice(3, harbour);
  BOOST_TEST(has(fourth.out, "x-reason=overflow"));
  BOOST_TEST(fourth.out.reason == "overflow");
  // A completed call frees its line.
  BOOST_TEST(twilio("/twilio/status", {{"CallSid", t::call_sid(0)}, {"CallStatus", "completed"}}).out.status == 200u);
  BOOST_TEST(active("harbour-physio") == 3);  // the fourth still counts
  BOOST_TEST(twilio("/twilio/status", {{"CallSid", t::call_sid(3)}, {"CallStatus", "completed"}}).out.status == 200u);
  BOOST_TEST(has(voice(4, harbour).out, "<Dial timeout=\"25\""));
}

BOOST_FIXTURE_TEST_CASE(an_unsigned_or_missigned_webhook_changes_nothing, in_process) {
  const auto fields = t::call(t::call_sid(1), harbour);
  BOOST_TEST(twilio("/twilio/voice", fields, "").out.status == 403u);
  BOOST_TEST(twilio("/twilio/voice", fields, "wrong-token").out.status == 403u);
  BOOST_TEST(active("harbour-physio") == 0);
  BOOST_TEST(twilio("/twilio/voice", {{"CallSid", t::call_sid(1)}}).out.status == 400u);  // no To
  request_view json_body;
  json_body.method = "POST";
  json_body.target = "/twilio/voice";
  json_body.content_type = "application/json";
  json_body.body = "{}";
  BOOST_TEST(handle(json_body).out.status == 415u);
}

namespace {

// The attribute `name` of the first element that has it, XML entities of
// a URL's '&' undone.
std::string attribute(const std::string& xml, const std::string& name) {
  const auto at = xml.find(name + "=\"");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 2;
  std::string value = xml.substr(start, xml.find('"', start) - start);
  for (std::size_t amp; (amp = value.find("&amp;")) != std::string::npos;) value.replace(amp, 5, "&");
  return value;
}

std::vector<std::pair<std::string, std::string>> recording(int call, const std::string& recording_sid) {
  return {{"CallSid", t::call_sid(static_cast<unsigned long long>(call))},
          {"RecordingSid", recording_sid},
          {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + recording_sid},
          {"RecordingDuration", "17"},
          {"RecordingStatus", "completed"}};
}

}  // namespace

// A voicemail belongs to its clinic: the <Record>'s callbacks name it, with
// why the call came to voicemail, the caller and the number dialled, and the
// recording's journal record and log line carry them. A callback from a
// <Record> answered before they were in its URL is still journaled.
BOOST_FIXTURE_TEST_CASE(a_voicemail_names_its_clinic_caller_number_and_reason, in_process) {
  const std::string body =
      R"({"action": "voicemail", "until": ")" + t::utc_in(std::chrono::hours(1)) + R"(", "reason": "staff meeting"})";
  BOOST_REQUIRE(admin("POST", "/admin/clinics/harbour-physio/override", body).out.status == 200u);
  const answer call = twilio("/twilio/voice", t::call(t::call_sid(7), harbour, "+14165550123"));
  BOOST_TEST_INFO(call.out.body);
  BOOST_TEST(attribute(call.out.body, "action") == std::string(public_url) + "/twilio/hangup?clinic=harbour-physio");
  const std::string callback = attribute(call.out.body, "recordingStatusCallback");
  BOOST_TEST(callback.starts_with(std::string(public_url) + "/twilio/voicemail?clinic=harbour-physio&reason="));
  BOOST_TEST(callback.find("&caller=%2B14165550123") != std::string::npos);
  BOOST_TEST(callback.find("&to=%2B442079460555") != std::string::npos);

  const answer message = twilio(callback.substr(public_url.size()), recording(7, "RE" + std::string(32, 'a')));
  BOOST_TEST(message.out.status == 200u);
  BOOST_TEST(message.out.clinic == "harbour-physio");
  BOOST_TEST(message.out.reason == call.out.reason);
  BOOST_TEST_INFO(message.out.journal_line);
  for (const std::string field : {R"("clinic":"harbour-physio")", R"("caller":"+14165550123")",
                                  R"("to":"+442079460555")", R"("recording_duration":"17")"}) {
    BOOST_TEST(message.out.journal_line.find(field) != std::string::npos, field);
  }
  BOOST_TEST(message.out.journal_line.find(R"("reason":")" + call.out.reason + "\"") != std::string::npos);

  // Twilio signs the URL it was given: a clinic changed in it fails the signature.
  std::string forged = callback.substr(public_url.size());
  forged.replace(forged.find("harbour-physio"), 14, "smile-dental00");
  request_view r;
  const std::string form_body = t::form(recording(7, "RE" + std::string(32, 'b')));
  const std::string signature = t::sign(t::token, callback, form_body);
  r.method = "POST";
  r.target = forged;
  r.content_type = "application/x-www-form-urlencoded";
  r.signature = signature;
  r.body = form_body;
  BOOST_TEST(handle(r).out.status == 403u);

  const answer older = twilio("/twilio/voicemail", recording(8, "RE" + std::string(32, 'c')));
  BOOST_TEST(older.out.status == 200u);
  BOOST_TEST(older.out.clinic.empty());
  BOOST_TEST(older.out.journal_line.find(R"("recording_sid":"RE)") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(an_override_from_the_admin_handler_decides_the_next_call, in_process) {
  const std::string body =
      R"({"action": "voicemail", "until": ")" + t::utc_in(std::chrono::hours(1)) + R"(", "reason": "staff meeting"})";
  request_view unauthorised;
  unauthorised.admin = true;
  unauthorised.method = "POST";
  unauthorised.target = "/admin/clinics/harbour-physio/override";
  unauthorised.host = "127.0.0.1:9090";
  unauthorised.body = body;
  const answer refused = handle(unauthorised);
  BOOST_TEST(refused.out.status == 401u);
  BOOST_TEST(!refused.out.authenticate.empty());
  BOOST_TEST(has(voice(1, harbour).out, "<Dial timeout=\"25\""));

  const answer set = admin("POST", "/admin/clinics/harbour-physio/override", body);
  BOOST_TEST_INFO(set.out.body);
  BOOST_TEST(set.out.status == 200u);
  const answer next = voice(2, harbour);
  BOOST_TEST(has(next.out, "<Record"));
  BOOST_TEST(has(admin("GET", "/admin/overrides").out, "staff meeting"));
  BOOST_TEST(admin("DELETE", "/admin/clinics/harbour-physio/override").out.status == 200u);
  BOOST_TEST(has(voice(3, harbour).out, "<Dial timeout=\"25\""));
}
