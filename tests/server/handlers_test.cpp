// The handlers in process, without a socket: handlers::handle() over a
// request_view, as a connection calls it. What serve_test and hostile_test
// check through a real server over HTTP, this checks at the seam below the
// HTTP layer, where a failure names the handler rather than the process.
#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include <boost/test/unit_test.hpp>
#include <fmt/chrono.h>
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

std::string an_hour_from_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + std::chrono::hours(1));
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(t));
}

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

BOOST_FIXTURE_TEST_CASE(an_override_from_the_admin_handler_decides_the_next_call, in_process) {
  const std::string body =
      R"({"action": "voicemail", "until": ")" + an_hour_from_now() + R"(", "reason": "staff meeting"})";
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
