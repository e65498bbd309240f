// End-to-end: a real `callpolicy serve` on a free loopback port, real HTTP.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/serve_fixture.h"
#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {


const char* always_policy = R"(clinic reload-test {
  timezone "UTC"
  numbers { ported +15555550100 }
  mode always
}
)";

const char* busy_policy = R"(clinic reload-test {
  timezone "UTC"
  numbers { ported +15555550100 }
  mode disabled
  fallback busy
}
)";

}  // namespace

BOOST_FIXTURE_TEST_CASE(operational_endpoints, serve_fixture) {
  server_process server(args(examples));
  BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200);
  BOOST_TEST(http_request(server.port(), "GET", "/readyz").status == 200);
  const auto status = http_request(server.admin_port(), "GET", "/status");
  BOOST_TEST(status.status == 200);
  const json s = json::parse(status.body);
  BOOST_TEST(s["loaded"] == true);
  BOOST_TEST(s["clinics"].size() == 7u);
  BOOST_TEST(s["last_reload"]["ok"] == true);
  server.post("/twilio/voice", call(call_sid(1), "+14165551234"), token);
  const auto metrics = http_request(server.admin_port(), "GET", "/metrics");
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(contains(metrics.body, "callpolicy_requests_total{endpoint=\"/twilio/voice\",code=\"200\"} 1"));
  BOOST_TEST(contains(metrics.body, "callpolicy_decisions_total{clinic=\"smile-dental\""));
  BOOST_TEST(contains(metrics.body, "callpolicy_active_calls{clinic=\"smile-dental\"} 1"));
  BOOST_TEST(contains(metrics.body, "callpolicy_request_duration_seconds_count"));
  BOOST_TEST(contains(metrics.body, "callpolicy_reloads_total{result=\"ok\"} 1"));
}

BOOST_FIXTURE_TEST_CASE(each_integration_is_identified, serve_fixture) {
  server_process server(args(examples));
  auto ported = server.post("/twilio/voice", call(call_sid(1), "+14165551234"), token);
  BOOST_TEST(ported.status == 200);
  BOOST_TEST(ported.headers["content-type"] == "text/xml");
  BOOST_TEST((contains(ported.body, "x-clinic=smile-dental") || contains(ported.body, "<Record")));
  const auto forwarded = server.post("/api/twilio/voice", call(call_sid(2), "+442079460555"), token);
  BOOST_TEST(forwarded.status == 200);
  BOOST_TEST((contains(forwarded.body, "Connecting you to the front desk.") || contains(forwarded.body, "x-via=forwarded")));
  // A PBX over a SIP domain: the user part names the clinic, the From user is the caller.
  const auto sip = server.post(
      "/twilio/sip", call(call_sid(3), "sip:north-shore-medical@clinics.sip.twilio.com:5060;transport=udp", "sip:+61255509999@pbx.example"), token);
  BOOST_TEST(sip.status == 200);
  BOOST_TEST(contains(sip.body, "<Dial timeout=\"20\""));  // the VIP caller goes to staff, whatever the hour
  const auto encoded = server.post("/api/twilio/sip", call(call_sid(4), "sips:nsm%2Dafterhours@x.sip.twilio.com"), token);
  BOOST_TEST(encoded.status == 200);
  BOOST_TEST(!contains(encoded.body, "not in service"));
  const auto unknown = server.post("/twilio/voice", call(call_sid(5), "+19995550000"), token);
  BOOST_TEST(unknown.status == 200);
  BOOST_TEST(unknown.body ==
             R"(<?xml version="1.0" encoding="UTF-8"?><Response><Say>We're sorry, this number is not in service.</Say><Hangup/></Response>)");
  BOOST_TEST(contains(server.log(), R"("level":"warning")"));
  const auto hangup = server.post("/twilio/hangup", {{"CallSid", call_sid(1)}}, token);
  BOOST_TEST(hangup.body == R"(<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>)");
  const auto dial = server.post("/twilio/dial-status", {{"CallSid", call_sid(2)}, {"DialCallStatus", "no-answer"}}, token);
  BOOST_TEST(dial.status == 200);
  BOOST_TEST(contains(dial.body, "<Hangup/>"));
  // The log line of a decision names the clinic, CallSid, action and reason.
  BOOST_TEST(contains(server.log(), R"("clinic":"north-shore-medical","call_sid":")" + call_sid(3) + R"(","action":"forward","reason":"vip")"));
}

BOOST_FIXTURE_TEST_CASE(signatures_are_required_and_rotation_accepted, serve_fixture) {
  const std::string tokens = dir.write("tokens", "new-token\n" + token + "\n");
  server_process server({"--rules", examples, "--auth-token-file", tokens, "--journal", journal});
  const std::string body = form(call(call_sid(1), "+14165551234"));
  const std::string url = server.base_url() + "/twilio/voice";
  auto post = [&](const std::string& signature) {
    return http_request(server.port(), "POST", "/twilio/voice", body, {{"X-Twilio-Signature", signature}});
  };
  BOOST_TEST(post(sign("new-token", url, body)).status == 200);
  BOOST_TEST(post(sign(token, url, body)).status == 200);
  BOOST_TEST(post(sign("wrong-token", url, body)).status == 403);
  BOOST_TEST(post(sign(token, url + "?x=1", body)).status == 403);
  BOOST_TEST(http_request(server.port(), "POST", "/twilio/voice", body).status == 403);
  // A rejected request changes nothing: the one call counted is the accepted one (repeated twice).
  const json s = json::parse(http_request(server.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["active_calls"]["smile-dental"] == 1);
}

BOOST_FIXTURE_TEST_CASE(refuses_to_start_without_a_token, serve_fixture) {
  const auto r = run_callpolicy({"serve", "--rules", examples, "--listen", "127.0.0.1:1"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "no Twilio auth token"));
}

BOOST_FIXTURE_TEST_CASE(public_url_is_what_is_signed_and_called_back, serve_fixture) {
  server_process server(args(examples, {"--public-url", "https://calls.example.com/"}));
  const std::string body = form(call(call_sid(1), "+442079460555"));
  const auto r = http_request(server.port(), "POST", "/twilio/voice", body,
                              {{"X-Twilio-Signature", sign(token, "https://calls.example.com/twilio/voice", body)}});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(contains(r.body, "https://calls.example.com/twilio/dial-status"));
}

BOOST_FIXTURE_TEST_CASE(overflow_by_concurrent_calls_and_release_by_status, serve_fixture) {
  server_process server(args(examples));
  // harbour-physio: overflow 3, overflow-only, fallback forward.
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back([&, i] {
      const auto r = server.post("/twilio/voice", call(call_sid(i), "+442079460555"), token);
      if (r.status == 200 && contains(r.body, "<Dial timeout=\"25\"")) ++ok;
    });
  }
  for (auto& t : callers) t.join();
  BOOST_TEST(ok == 3);  // each saw fewer than 3 others
  const auto fourth = server.post("/twilio/voice", call(call_sid(3), "+442079460556"), token);
  BOOST_TEST(contains(fourth.body, "x-reason=overflow"));
  // The same CallSid again is not a new call.
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(3), "+442079460556"), token).body, "x-reason=overflow"));
  BOOST_TEST(server.post("/twilio/status", {{"CallSid", call_sid(0)}, {"CallStatus", "completed"}}, token).status == 200);
  BOOST_TEST(server.post("/twilio/status", {{"CallSid", call_sid(1)}, {"CallStatus", "in-progress"}}, token).status == 200);
  // CA1, CA2, CA3 still active: the next call overflows again; ending CA1 too frees a line.
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(4), "+442079460555"), token).body, "overflow"));
  server.post("/twilio/status", {{"CallSid", call_sid(1)}, {"CallStatus", "no-answer"}}, token);
  server.post("/twilio/status", {{"CallSid", call_sid(4)}, {"CallStatus", "canceled"}}, token);
  const auto freed = server.post("/twilio/voice", call(call_sid(5), "+442079460555"), token);
  BOOST_TEST(contains(freed.body, "<Dial timeout=\"25\""));
}

// With one worker the event loop commits the journal, with two a writer
// thread does (server/journal.h): a kill -9 loses nothing in either.
BOOST_FIXTURE_TEST_CASE(kill_9_keeps_active_calls_and_voicemails, serve_fixture) {
  for (const std::string threads : {"1", "2"}) {
    BOOST_TEST_CONTEXT("--threads " << threads) {
      std::filesystem::remove(journal);
      {
        server_process server(args(examples, {"--threads", threads}));
        for (int i = 0; i < 3; ++i) server.post("/twilio/voice", call(call_sid(i), "+442079460555"), token);
        const auto vm = server.post("/twilio/voicemail",
                                    {{"CallSid", call_sid(9)}, {"RecordingSid", "RE1"},
                                     {"RecordingUrl", "https://api.twilio.com/rec/RE1"}, {"RecordingDuration", "12"}},
                                    token);
        BOOST_TEST(vm.status == 200);
        server.kill_hard();
      }
      const std::string written = read_text(journal);
      BOOST_TEST(contains(written, R"("recording_sid":"RE1")"));
      server_process restarted(args(examples));
      const json s = json::parse(http_request(restarted.admin_port(), "GET", "/status").body);
      BOOST_TEST(s["active_calls"]["harbour-physio"] == 3);
      BOOST_TEST(s["voicemails"] == 1);
      BOOST_TEST(
          contains(restarted.post("/twilio/voice", call(call_sid(3), "+442079460555"), token).body, "x-reason=overflow"));
    }
  }
}

BOOST_FIXTURE_TEST_CASE(reload_under_load_changes_decisions_and_a_broken_edit_changes_nothing, serve_fixture) {
  const std::string rules = dir.path() + "/rules";
  std::filesystem::create_directories(rules);
  const std::string file = dir.write("rules/clinic.policy", always_policy);
  server_process server(args(rules));
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> requests{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 2; ++t) {
    load.emplace_back([&, t] {
      for (int i = 0; !stop && i < 20000; ++i) {
        const auto r = server.post("/twilio/voice", call(call_sid(100000 * (t + 1) + i), "+15555550100"), token);
        ++requests;
        if (r.status != 200 || !contains(r.body, "<Response>")) ++failures;
      }
    });
  }
  BOOST_REQUIRE(eventually([&] { return requests > 20; }));  // under load before the edit
  // An editor's save: write elsewhere, rename over.
  dir.write("rules/.clinic.tmp", busy_policy);
  std::filesystem::rename(dir.path() + "/rules/.clinic.tmp", file);
  BOOST_TEST(eventually(
      [&] {
        return contains(server.post("/twilio/voice", call(call_sid(900001), "+15555550100"), token).body, "<Hangup/>");
      },
      std::chrono::seconds(1)));
  // A broken edit is not applied, and says so.
  dir.write("rules/clinic.policy", "clinic reload-test {\n  timezone \"Nowhere/Land\"\n");
  BOOST_TEST(eventually([&] {
    return json::parse(http_request(server.admin_port(), "GET", "/status").body)["last_reload"]["ok"] == false;
  }));
  stop = true;
  for (auto& t : load) t.join();
  BOOST_TEST(failures == 0);
  BOOST_TEST(requests > 20);
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(900002), "+15555550100"), token).body, "<Hangup/>"));
  const json s = json::parse(http_request(server.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["last_reload"]["ok"] == false);
  BOOST_TEST(s["last_reload"]["diagnostics"].size() >= 1u);
  BOOST_TEST(s["clinics"][0]["mode"] == "disabled");
  BOOST_TEST(contains(http_request(server.admin_port(), "GET", "/metrics").body, "callpolicy_reloads_total{result=\"error\"}"));
  // SIGHUP reloads too: fix the file without inotify noise settling first.
  dir.write("rules/clinic.policy", always_policy);
  server.signal(SIGHUP);
  BOOST_TEST(eventually(
      [&] { return contains(server.post("/twilio/voice", call(call_sid(900003), "+15555550100"), token).body, "<Sip>"); }));
}

BOOST_FIXTURE_TEST_CASE(serves_a_compiled_bundle, serve_fixture) {
  const std::string bundle = dir.path() + "/bundle.json";
  BOOST_REQUIRE_EQUAL(run_callpolicy({"compile", examples, "-o", bundle}).exit_code, 0);
  server_process server(args(bundle));
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(1), "+12045550100"), token).body,
                      "Please hold while we connect you."));
}

BOOST_FIXTURE_TEST_CASE(bad_requests_get_proper_statuses_and_leave_the_server_serving, serve_fixture) {
  server_process server(args(examples, {"--read-timeout", "1s"}));
  const int port = server.port();
  BOOST_TEST(http_request(port, "GET", "/nowhere").status == 404);
  auto wrong_method = http_request(port, "GET", "/twilio/voice");
  BOOST_TEST(wrong_method.status == 405);
  BOOST_TEST(wrong_method.headers["allow"] == "POST");
  BOOST_TEST(http_request(port, "POST", "/healthz").status == 405);
  BOOST_TEST(server.post("/twilio/voice", {{"CallSid", call_sid(1)}}, token).status == 400);  // no To
  BOOST_TEST(server.post("/twilio/voice", {{"To", "+14165551234"}}, token).status == 400);  // no CallSid
  BOOST_TEST(http_request(port, "POST", "/twilio/voice", "To=%ZZ", {{"X-Twilio-Signature", "x"}}).status == 400);
  BOOST_TEST(http_request(port, "POST", "/twilio/voice", "{}", {{"Content-Type", "application/json"}}).status == 415);
  BOOST_TEST(http_request(port, "POST", "/twilio/voice", std::string(70 * 1024, 'a')).status == 413);
  BOOST_TEST(http_raw(port, "NOT HTTP AT ALL\r\n\r\n", std::chrono::seconds(2)).status == 400);
  // Truncated: a body shorter than its Content-Length, then the client leaves.
  http_raw(port, "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nTo=%2B1", std::chrono::milliseconds(50));
  // Slow: half a request line, then silence; the server hangs up after the read timeout.
  const auto started = std::chrono::steady_clock::now();
  const auto slow = http_raw(port, "POST /twilio/vo", std::chrono::seconds(5));
  BOOST_TEST(slow.status == 0);
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(4)));
  BOOST_TEST(server.running());
  BOOST_TEST(server.post("/twilio/voice", call(call_sid(2), "+14165551234"), token).status == 200);
  BOOST_TEST(!contains(server.log(), R"("status":500)"));
}

BOOST_FIXTURE_TEST_CASE(keep_alive_serves_several_requests_on_one_connection, serve_fixture) {
  server_process server(args(examples));
  const std::string body = form(call(call_sid(1), "+14165551234"));
  const std::string signature = sign(token, server.base_url() + "/twilio/voice", body);
  std::string two;
  for (int i = 0; i < 2; ++i) {
    two += "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "X-Twilio-Signature: " + signature + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  }
  const auto reply = http_raw(server.port(), two, std::chrono::milliseconds(1500));
  BOOST_TEST(reply.status == 200);
  std::size_t responses = 0;
  for (auto at = reply.body.find("HTTP/1.1 200"); at != std::string::npos; at = reply.body.find("HTTP/1.1 200", at + 1)) ++responses;
  BOOST_TEST(responses == 1u);  // the second response follows the first body
}

BOOST_FIXTURE_TEST_CASE(http_1_1_without_host_is_a_bad_request, serve_fixture) {
  server_process server(args(examples));
  BOOST_TEST(http_raw(server.port(), "GET /healthz HTTP/1.1\r\n\r\n", std::chrono::seconds(2)).status == 400);
  BOOST_TEST(http_raw(server.port(), "GET /healthz HTTP/1.0\r\n\r\n", std::chrono::seconds(2)).status == 200);
}

BOOST_FIXTURE_TEST_CASE(garbage_requests_never_get_a_500_nor_stop_the_server, serve_fixture) {
  server_process server(args(examples, {"--read-timeout", "1s"}));
  std::mt19937 random(424242);
  const std::vector<std::string> starts{"POST /twilio/voice HTTP/1.1\r\nHost: x\r\n",
                                        "GET /status HTTP/1.1\r\nHost: x\r\n", "POST /twilio/status HTTP/1.1\r\n",
                                        "PUT /twilio/voice HTTP/1.0\r\n", ""};
  int answered = 0;
  for (int i = 0; i < 300; ++i) {
    std::string request = starts[random() % starts.size()];
    const int junk = static_cast<int>(random() % 200);
    for (int k = 0; k < junk; ++k) request += static_cast<char>(random() % 256);
    if (random() % 2) request += "\r\nContent-Length: 5\r\n\r\nTo=%2";
    const auto reply = http_raw(server.port(), request, std::chrono::milliseconds(300));
    if (reply.status != 0) ++answered;
    BOOST_TEST(reply.status < 500);
  }
  BOOST_TEST(answered > 0);
  BOOST_TEST(server.running());
  BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200);
  BOOST_TEST(!contains(server.log(), R"("status":500)"));
}

BOOST_FIXTURE_TEST_CASE(a_reload_that_fails_is_logged_with_its_diagnostics, serve_fixture) {
  const std::string rules = dir.path() + "/rules";
  std::filesystem::create_directories(rules);
  dir.write("rules/clinic.policy", always_policy);
  server_process server(args(rules));
  BOOST_TEST(contains(server.log(), R"("message":"policy set loaded")"));
  dir.write("rules/clinic.policy", "clinic reload-test {\n  timezone \"Nowhere/Land\"\n  mode always\n}\n");
  server.signal(SIGHUP);
  BOOST_TEST(eventually(
      [&] { return contains(server.log(), R"("message":"policy set not applied; the last good set keeps serving")"); }));
  BOOST_TEST(contains(server.log(), R"("code":"E010","file":")" + rules + R"(/clinic.policy","line":2,"column":12)"));
  // Still serving the last good set.
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(1), "+15555550100"), token).body, "<Sip>"));
}

namespace {

const char* flow_policy = R"(clinic flow-test {
  timezone "UTC"
  region   "CA"
  numbers {
    ported +15555550100
    sip    flow-desk
  }
  route {
    caller +14165550111 -> forward as "known patient"
    otherwise           -> menu
  }
  forward +14165550000 { timeout 20s unanswered ai }
  menu {
    say "Press 1 for our assistant, 2 for the front desk."
    1 -> ai
    2 -> forward
    timeout 5s -> voicemail
  }
}
)";

// The path and query of the first `attribute="..."` in a TwiML body, after
// the public URL, with the XML escapes undone: what Twilio would request.
std::string callback_path(const std::string& body, const std::string& base, const std::string& attribute) {
  const std::string marker = attribute + "=\"" + base;
  const auto start = body.find(marker);
  if (start == std::string::npos) return "";
  const auto from = start + marker.size();
  std::string path = body.substr(from, body.find('"', from) - from);
  for (std::size_t at; (at = path.find("&amp;")) != std::string::npos;) path.replace(at, 5, "&");
  return path;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(call_flow_past_the_first_answer, serve_fixture) {
  const std::string rules = dir.write("flow.policy", flow_policy);
  server_process server(args(rules));
  const std::string base = server.base_url();
  const auto step = [&](const std::string& path, std::vector<std::pair<std::string, std::string>> fields) {
    fields.insert(fields.end(), {{"CallSid", call_sid(1)}, {"To", "+15555550100"}, {"From", "+12125550100"}});
    return server.post(path, fields, token);
  };

  // The route's first answer is the menu, its action URL signed with its query.
  const auto menu = server.post("/twilio/voice", call(call_sid(1), "+15555550100", "+12125550100"), token);
  BOOST_TEST(contains(menu.body, R"(<Gather input="dtmf" numDigits="1" timeout="5" action=")" + base +
                                     R"(/twilio/menu?clinic=flow-test"><Say>Press 1 for our assistant, 2 for the front desk.</Say></Gather><Redirect method="POST">)" +
                                     base + "/twilio/menu?clinic=flow-test</Redirect>"));
  const std::string menu_path = callback_path(menu.body, base, "action");
  BOOST_TEST(menu_path == "/twilio/menu?clinic=flow-test");

  // 2 reaches the front desk, through a <Dial> whose action carries the clinic.
  const auto desk = step(menu_path, {{"Digits", "2"}});
  BOOST_TEST(desk.status == 200);
  BOOST_TEST(contains(desk.body, R"(<Dial timeout="20" action=")" + base + R"(/twilio/dial-status?clinic=flow-test">+14165550000</Dial>)"));
  // Nobody picks up: the AI answers, reason "unanswered".
  const std::string dial_path = callback_path(desk.body, base, "action");
  const auto unanswered = step(dial_path, {{"DialCallStatus", "no-answer"}, {"DialCallSid", call_sid(9)}});
  BOOST_TEST(unanswered.status == 200);
  BOOST_TEST(contains(unanswered.body, R"(<Dial answerOnBridge="true" timeout="15" action=")" + base +
                                           R"(/twilio/ai-status?clinic=flow-test" referUrl=")" + base +
                                           R"(/twilio/refer?clinic=flow-test"><Sip>sip:flow-test@sip.vapi.ai?x-clinic=flow-test&amp;x-reason=unanswered)"));
  for (const char* status : {"busy", "failed", "canceled"}) {
    BOOST_TEST(contains(step(dial_path, {{"DialCallStatus", status}}).body, "x-reason=unanswered"));
  }
  BOOST_TEST(step(dial_path, {{"DialCallStatus", "completed"}}).body ==
             R"(<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>)");

  // No key: the <Redirect> comes without Digits and takes the timeout action.
  const auto no_key = step(menu_path, {});
  BOOST_TEST(contains(no_key.body, "<Record maxLength=\"300\""));
  // An unknown key plays the menu once more, then takes the timeout action.
  const auto again = step(menu_path, {{"Digits", "7"}});
  const std::string again_path = callback_path(again.body, base, "action");
  BOOST_TEST(again_path == "/twilio/menu?clinic=flow-test&attempt=2");
  BOOST_TEST(contains(again.body, "<Redirect method=\"POST\">" + base + "/twilio/menu?clinic=flow-test&amp;attempt=2</Redirect>"));
  BOOST_TEST(contains(step(again_path, {{"Digits", "7"}}).body, "<Record"));
  // The server remembers the repeat too, for a client that posts to the first URL again.
  BOOST_TEST(contains(step(menu_path, {{"Digits", "8"}}).body, "attempt=2"));
  BOOST_TEST(contains(step(menu_path, {{"Digits", "8"}}).body, "<Record"));
  BOOST_TEST(contains(step(menu_path, {{"Digits", "8"}}).body, "attempt=2"));  // a fresh visit: once more
  BOOST_TEST(contains(step(menu_path, {{"Digits", "1"}}).body, "x-reason=menu%201"));  // a known key clears it
  BOOST_TEST(contains(step("/api/twilio/menu?clinic=flow-test", {{"Digits", "1"}}).body, "x-reason=menu%201"));
  // A callback for a clinic no longer loaded, or for none, is answered sanely.
  BOOST_TEST(contains(step("/twilio/menu?clinic=gone", {{"Digits", "1"}}).body, "not in service"));
  BOOST_TEST(step("/twilio/menu", {{"Digits", "1"}}).status == 400);
  // The query is signed like the rest: a forged clinic is refused.
  const std::string body = form({{"CallSid", call_sid(1)}, {"Digits", "2"}});
  BOOST_TEST(http_request(server.port(), "POST", "/twilio/menu?clinic=flow-test", body,
                          {{"X-Twilio-Signature", sign(token, base + "/twilio/menu", body)}})
                 .status == 403);

  // A PBX that sends the dialled number as the SIP user, in E.164 or national form.
  for (const char* to : {"sip:+15555550100@clinics.sip.twilio.com", "sip:5555550100@clinics.sip.twilio.com;transport=udp"}) {
    const auto by_number = server.post("/twilio/sip", call(call_sid(2), to, "sip:flow-desk-1@pbx.example.com"), token);
    BOOST_TEST(contains(by_number.body, "/twilio/menu?clinic=flow-test"), to);
  }
  // A PBX caller in national digits matches `caller +14165550111`, and is
  // forwarded with the clinic's number as caller ID (a SIP From is no caller ID).
  const auto patient = server.post("/twilio/sip", call(call_sid(3), "sip:flow-desk@clinics.sip.twilio.com", "sip:4165550111@pbx.example.com"), token);
  BOOST_TEST(contains(patient.body, R"(/twilio/dial-status?clinic=flow-test" callerId="+15555550100">+14165550000</Dial>)"));
  BOOST_TEST(contains(server.log(), R"("action":"forward","reason":"known patient")"));

  // Journaled with the key and the DialCallStatus, counted in metrics.
  const std::string journaled = read_text(journal);
  BOOST_TEST(contains(journaled, R"("type":"menu","time_ms":)"));
  BOOST_TEST(contains(journaled, R"("clinic":"flow-test","digits":"2","action":"forward","reason":"menu 2")"));
  BOOST_TEST(contains(journaled, R"("clinic":"flow-test","dial_call_status":"no-answer","dial_call_sid":")" + call_sid(9) +
                                     R"(","action":"ai","reason":"unanswered")"));
  const auto metrics = http_request(server.admin_port(), "GET", "/metrics").body;
  BOOST_TEST(contains(metrics, R"(callpolicy_decisions_total{clinic="flow-test",action="ai",reason="unanswered"} 4)"));
  BOOST_TEST(contains(metrics, R"(callpolicy_decisions_total{clinic="flow-test",action="voicemail",reason="menu timeout"} 3)"));
  // A restart replays the new record types without complaint.
  server.kill_hard();
  server_process restarted(args(rules));
  BOOST_TEST(!contains(restarted.log(), "journal record skipped"));
}

// A log that is a regular file is handed to the disk every megabyte
// (server/log.cpp); crossing that mark, from two workers at once, must not
// lose, cut or interleave a line.
BOOST_FIXTURE_TEST_CASE(a_log_file_past_its_writeback_marks_keeps_every_line, serve_fixture) {
  server_process server({"--rules", examples, "--auth-token-file", token_file, "--journal", "", "--threads", "2"});
  constexpr int calls = 12000;
  std::atomic<int> answered{0};
  const auto send = [&](int first) {
    for (int i = first; i < calls; i += 2) {
      if (server.post("/twilio/voice", call(call_sid(i), "+14165551234"), token).status == 200) ++answered;
    }
  };
  std::thread other(send, 1);
  send(0);
  other.join();
  BOOST_TEST(answered.load() == calls);
  const std::string log = server.log();
  BOOST_TEST(log.size() > std::size_t{2} << 20);  // past two marks
  std::size_t request_lines = 0;
  std::size_t begin = 0;
  while (begin < log.size()) {
    const std::size_t end = log.find('\n', begin);
    BOOST_REQUIRE(end != std::string::npos);  // the last line is whole too
    const json line = json::parse(log.substr(begin, end - begin));  // throws on a cut or glued line
    if (line.value("path", "") == "/twilio/voice") ++request_lines;
    begin = end + 1;
  }
  BOOST_TEST(request_lines == static_cast<std::size_t>(calls));
  for (int i = 0; i < calls; i += 997) BOOST_TEST(contains(log, R"("call_sid":")" + call_sid(i) + "\""));
}

// The AI's leg, followed: its <Dial> comes back to /twilio/ai-status, and a
// leg that fails or rings out takes the `ai` block's `unavailable` action
// instead of the caller being hung up.
BOOST_FIXTURE_TEST_CASE(the_ai_leg_fails_over_to_its_unavailable_action, serve_fixture) {
  dir.write("ai-rules/leg.policy", R"(clinic leg-test {
  timezone "UTC"
  numbers  { ported +15555550200 }
  mode     always
  ai       { sip "sip:leg@sip.vapi.ai" timeout 12s unavailable forward }
  forward  +14165550000 { timeout 20s }
}
)");
  dir.write("ai-rules/plain.policy", R"(clinic plain-test {
  timezone "UTC"
  numbers  { ported +15555550300 }
  mode     always
}
)");
  server_process server(args(dir.path() + "/ai-rules"));
  const std::string base = server.base_url();
  const auto post = [&](const std::string& path, const std::string& to, const std::string& status) {
    return server.post(path, {{"CallSid", call_sid(1)}, {"To", to}, {"From", "+12125550100"}, {"DialCallStatus", status}},
                       token);
  };
  const auto first = server.post("/twilio/voice", call(call_sid(1), "+15555550200", "+12125550100"), token);
  BOOST_TEST(contains(first.body, R"(<Dial answerOnBridge="true" timeout="12" action=")" + base +
                                      R"(/twilio/ai-status?clinic=leg-test" referUrl=")" + base +
                                      R"(/twilio/refer?clinic=leg-test"><Sip>sip:leg@sip.vapi.ai?x-clinic=leg-test)"));
  const std::string ai_path = callback_path(first.body, base, "action");
  BOOST_TEST(ai_path == "/twilio/ai-status?clinic=leg-test");
  // Vapi refused the leg: the front desk, whose own unanswered is voicemail.
  const auto failed = post(ai_path, "+15555550200", "failed");
  BOOST_TEST(failed.status == 200);
  BOOST_TEST(contains(failed.body, R"(<Dial timeout="20" action=")" + base + R"(/twilio/dial-status?clinic=leg-test">+14165550000</Dial>)"));
  BOOST_TEST(contains(post(callback_path(failed.body, base, "action"), "+15555550200", "no-answer").body, "<Record"));
  // Every status that is not the AI's answer is unavailable; the alias path too.
  for (const char* status : {"no-answer", "busy", "canceled"}) {
    BOOST_TEST(contains(post("/api/twilio/ai-status?clinic=leg-test", "+15555550200", status).body, "<Dial timeout=\"20\""));
  }
  // The AI took the call and it ended: nothing follows.
  BOOST_TEST(contains(post(ai_path, "+15555550200", "completed").body, "<Hangup/>"));
  // The default follow-on is voicemail; a status no one sends counts as "other".
  const auto plain = post("/twilio/ai-status?clinic=plain-test", "+15555550300", "no-answer");
  BOOST_TEST(contains(plain.body, "<Record"));
  BOOST_TEST(contains(post("/twilio/ai-status?clinic=plain-test", "+15555550300", "<script>").body, "<Record"));
  // Unsigned: refused like every webhook.
  BOOST_TEST(http_request(server.port(), "POST", ai_path, "CallSid=" + call_sid(1) + "&DialCallStatus=failed").status == 403);

  const std::string metrics = http_request(server.admin_port(), "GET", "/metrics").body;
  BOOST_TEST(contains(metrics, R"(callpolicy_ai_unavailable_total{clinic="leg-test",status="failed"} 1)"));
  BOOST_TEST(contains(metrics, R"(callpolicy_ai_unavailable_total{clinic="leg-test",status="no-answer"} 1)"));
  BOOST_TEST(contains(metrics, R"(callpolicy_ai_unavailable_total{clinic="plain-test",status="other"} 1)"));
  BOOST_TEST(!contains(metrics, "status=\"completed\""));
  BOOST_TEST(contains(read_text(journal), R"("type":"ai_status","time_ms":)"));
  BOOST_TEST(contains(read_text(journal), R"("dial_call_status":"failed","action":"forward","reason":"ai unavailable")"));
  const std::string page = http_request(server.admin_port(), "GET", "/clinics/leg-test").body;
  BOOST_TEST(contains(page, "ai failed"));
  BOOST_TEST(contains(page, "ai unavailable"));
}

namespace {

// The `x-` headers of the AI's SIP URI, each value percent-decoded.
std::map<std::string, std::string> ai_facts(const std::string& twiml) {
  std::map<std::string, std::string> facts;
  const auto sip = twiml.find("<Sip>");
  if (sip == std::string::npos) return facts;
  std::string headers = twiml.substr(twiml.find('?', sip) + 1, twiml.find("</Sip>") - twiml.find('?', sip) - 1);
  for (std::size_t at; (at = headers.find("&amp;")) != std::string::npos;) headers.replace(at, 5, "&");
  std::size_t from = 0;
  while (from <= headers.size()) {
    std::size_t end = headers.find('&', from);
    if (end == std::string::npos) end = headers.size();
    const std::string pair = headers.substr(from, end - from);
    const auto eq = pair.find('=');
    std::string value;
    for (std::size_t i = eq + 1; i < pair.size(); ++i) {
      if (pair[i] == '%' && i + 2 < pair.size()) {
        value += static_cast<char>(std::stoi(pair.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        value += pair[i];
      }
    }
    facts[pair.substr(0, eq)] = value;
    from = end + 1;
  }
  return facts;
}

}  // namespace

// What a live call tells the AI is what `eval` says of the same instant:
// the server and the dry run share one account of the clinic's hours.
BOOST_FIXTURE_TEST_CASE(the_ais_facts_are_evals_at_the_same_instant, serve_fixture) {
  dir.write("facts-rules/hours.policy", R"(clinic hours-test {
  timezone "America/Toronto"
  numbers  { ported +15555550400 }
  mode     always
  hours    { mon-fri 09:00-17:00  sat 10:00-12:00 }
  ai       { sip "sip:hours@sip.vapi.ai" }
}
)");
  // Closed for years: a holiday by name every day, and no opening in sight.
  dir.write("facts-rules/closed.policy", R"(clinic closed-test {
  timezone "America/Vancouver"
  numbers  { ported +15555550500 }
  mode     always
  hours    { mon-fri 09:00-17:00 }
  holidays { 2020-01-01..2099-12-31 "Renovation" }
  ai       { sip "sip:closed@sip.vapi.ai" }
}
)");
  server_process server(args(dir.path() + "/facts-rules"));
  for (const auto& [clinic, number] : {std::pair{"hours-test", "+15555550400"}, std::pair{"closed-test", "+15555550500"}}) {
    BOOST_TEST_CONTEXT(clinic) {
      const auto answer = server.post("/twilio/voice", call(call_sid(41), number, "+12125550100"), token);
      const auto live = ai_facts(answer.body);
      BOOST_REQUIRE(live.count("x-local-time") == 1u);
      BOOST_TEST(live.at("x-call-sid") == call_sid(41));
      BOOST_TEST(live.at("x-caller") == "+12125550100");
      const auto r = run_callpolicy({"eval", dir.path() + "/facts-rules", "--clinic", clinic, "--at",
                                     live.at("x-local-time"), "--caller", "+12125550100", "--format", "json"});
      BOOST_REQUIRE(r.exit_code == 0);
      auto dry = ai_facts(json::parse(r.out)["twiml"].get<std::string>());
      BOOST_TEST(dry.count("x-call-sid") == 0u);  // a dry run has no call
      dry["x-call-sid"] = call_sid(41);
      const auto joined = [](const std::map<std::string, std::string>& facts) {
        std::string text;
        for (const auto& [name, value] : facts) text += name + "=" + value + "\n";
        return text;
      };
      BOOST_TEST(joined(live) == joined(dry));
      if (std::string(clinic) == "closed-test") {
        BOOST_TEST(live.at("x-holiday") == "Renovation");
        BOOST_TEST(live.at("x-open") == "no");
        BOOST_TEST(live.at("x-next-open") == "none");
      } else {
        BOOST_TEST(live.count("x-holiday") == 0u);
        BOOST_TEST(live.at("x-next-open") != "none");
      }
    }
  }
}

// A desk phone's own voicemail answers a plain forward and the caller is
// lost in it; a screened forward connects only on a key, so silence (or a
// machine) comes back as unanswered and the policy's follow-on runs.
BOOST_FIXTURE_TEST_CASE(a_screened_forward_nobody_accepts_is_unanswered, serve_fixture) {
  dir.write("screen-rules/screen.policy", R"(clinic screen-test {
  timezone "UTC"
  numbers  { ported +15555550600 }
  mode     disabled
  fallback forward
  forward  +14165550000 { timeout 20s unanswered ai screen "Press 1 to take a call for Screen & Co." }
  ai       { sip "sip:screen@sip.vapi.ai" }
}
)");
  server_process server(args(dir.path() + "/screen-rules"));
  const std::string base = server.base_url();
  const auto first = server.post("/twilio/voice", call(call_sid(51), "+15555550600", "+12125550100"), token);
  BOOST_TEST(contains(first.body, R"(<Dial timeout="20" action=")" + base +
                                      R"(/twilio/dial-status?clinic=screen-test"><Number url=")" + base +
                                      R"(/twilio/screen?clinic=screen-test">+14165550000</Number></Dial>)"));
  const std::string screen_path = callback_path(first.body, base, "url");
  BOOST_TEST(screen_path == "/twilio/screen?clinic=screen-test");
  // The staff leg answers: its own CallSid, the caller's as ParentCallSid.
  const std::vector<std::pair<std::string, std::string>> staff{
      {"CallSid", call_sid(52)}, {"ParentCallSid", call_sid(51)}, {"To", "+14165550000"}, {"From", "+12125550100"}};
  const auto asked = server.post(screen_path, staff, token);
  BOOST_TEST(asked.status == 200);
  BOOST_TEST(contains(asked.body, R"(<Gather numDigits="1" timeout="5" action=")" + base +
                                      R"(/twilio/screen?clinic=screen-test"><Say>Press 1 to take a call for Screen &amp; Co.</Say></Gather><Hangup/>)"));
  auto pressed = staff;
  pressed.emplace_back("Digits", "1");
  BOOST_TEST(contains(server.post(screen_path, pressed, token).body, "<Response/>"));
  const auto dial_status = [&](std::vector<std::pair<std::string, std::string>> extra) {
    std::vector<std::pair<std::string, std::string>> form{
        {"CallSid", call_sid(51)}, {"To", "+15555550600"}, {"From", "+12125550100"}, {"DialCallSid", call_sid(52)}};
    form.insert(form.end(), extra.begin(), extra.end());
    return server.post("/twilio/dial-status?clinic=screen-test", form, token).body;
  };
  // Nobody pressed a key: the legs were never bridged, whatever the status says.
  BOOST_TEST(contains(dial_status({{"DialCallStatus", "completed"}, {"DialBridged", "false"}}), "<Sip>sip:screen@sip.vapi.ai"));
  BOOST_TEST(contains(dial_status({{"DialCallStatus", "no-answer"}}), "<Sip>sip:screen@sip.vapi.ai"));
  // Accepted and talked: the call ends.
  BOOST_TEST(contains(dial_status({{"DialCallStatus", "completed"}, {"DialBridged", "true"}}), "<Hangup/>"));
  BOOST_TEST(contains(dial_status({{"DialCallStatus", "completed"}}), "<Hangup/>"));
  // The screen is signed like every Twilio callback.
  BOOST_TEST(server.post(screen_path, staff, "wrong-token").status == 403);
}

// The AI transfers with a SIP REFER; the policy says where it may go. The
// front desk is dialled with its own follow-on; a number the AI was talked
// into (a premium line) is refused to voicemail and never dialled.
BOOST_FIXTURE_TEST_CASE(a_transfer_from_the_ai_goes_only_where_the_policy_allows, serve_fixture) {
  dir.write("refer-rules/refer.policy", R"(clinic refer-test {
  timezone "UTC"
  region   "CA"
  numbers  { ported +15555550700 }
  mode     always
  ai       { sip "sip:refer@sip.vapi.ai" }
  forward  +14165550000 { timeout 15s unanswered ai }
}
)");
  server_process server(args(dir.path() + "/refer-rules"));
  const std::string base = server.base_url();
  const auto first = server.post("/twilio/voice", call(call_sid(61), "+15555550700", "+12125550100"), token);
  const std::string refer_path = callback_path(first.body, base, "referUrl");
  BOOST_TEST(refer_path == "/twilio/refer?clinic=refer-test");
  const auto refer = [&](const std::string& target) {
    return server.post(refer_path, {{"CallSid", call_sid(61)}, {"To", "+15555550700"}, {"From", "+12125550100"},
                                    {"ReferTransferTarget", target}},
                       token);
  };
  const auto desk = refer("<sip:+14165550000@sip.vapi.ai>");
  BOOST_TEST(desk.status == 200);
  BOOST_TEST(contains(desk.body, R"(<Dial timeout="15" action=")" + base +
                                     R"(/twilio/dial-status?clinic=refer-test&amp;after=transfer">+14165550000</Dial>)"));
  BOOST_TEST(contains(refer("tel:416-555-0000").body, ">+14165550000</Dial>"));
  // Nobody at the desk: not back to the AI that handed the caller over.
  const auto unanswered = server.post(callback_path(desk.body, base, "action"),
                                      {{"CallSid", call_sid(61)}, {"To", "+15555550700"}, {"From", "+12125550100"},
                                       {"DialCallStatus", "no-answer"}},
                                      token);
  BOOST_TEST(contains(unanswered.body, "<Record"));
  BOOST_TEST(!contains(unanswered.body, "<Sip>"));
  // An ordinary forward nobody answers still goes to the AI.
  BOOST_TEST(contains(server.post("/twilio/dial-status?clinic=refer-test",
                                  {{"CallSid", call_sid(62)}, {"To", "+15555550700"}, {"From", "+12125550100"},
                                   {"DialCallStatus", "no-answer"}},
                                  token)
                          .body,
                      "<Sip>sip:refer@sip.vapi.ai"));
  for (const std::string target : {"<sip:+19005550100@sip.vapi.ai>", "tel:+19005550100", "sip:desk@evil.example",
                                   "", "<sip:+14165550000@x"}) {
    BOOST_TEST_CONTEXT(target) {
      const auto refused = refer(target);
      BOOST_TEST(refused.status == 200);
      BOOST_TEST(contains(refused.body, "<Record"));
      BOOST_TEST(!contains(refused.body, "<Dial"));
      BOOST_TEST(!contains(refused.body, "9005550100"));
    }
  }
  BOOST_TEST(eventually([&] { return contains(read_text(journal), "\"target\":\"tel:+19005550100\""); }));
  const std::string log = read_text(journal);
  BOOST_TEST(contains(log, R"("type":"transfer")"));
  BOOST_TEST(contains(log, R"("reason":"transfer refused")"));
  const auto metrics = http_request(server.admin_port(), "GET", "/metrics").body;
  BOOST_TEST(contains(metrics, R"(callpolicy_transfers_total{clinic="refer-test",outcome="forwarded"} 2)"));
  BOOST_TEST(contains(metrics, R"(callpolicy_transfers_total{clinic="refer-test",outcome="refused"} 5)"));
}

// A transfer block decides the AI's transfers: its rules read the clinic's
// hours and the caller beside the target, and a number no rule takes is
// refused, never dialled.
BOOST_FIXTURE_TEST_CASE(a_transfer_block_decides_where_the_ai_may_transfer, serve_fixture) {
  dir.write("transfer-rules/open.policy", R"(clinic open-desk {
  timezone "UTC"
  region   "CA"
  numbers  { ported +15555550710 }
  hours    { daily 00:00-24:00 }
  mode     always
  ai       { sip "sip:open@sip.vapi.ai" }
  forward  +14165550000 { timeout 12s unanswered busy }
  transfer {
    caller +12125550199 -> busy      as "blocked caller"
    closed              -> voicemail as "transfer after hours"
    to +14165550000     -> forward
  }
}
)");
  dir.write("transfer-rules/closed.policy", R"(clinic closed-desk {
  timezone "UTC"
  numbers  { ported +15555550711 }
  mode     always
  forward  +14165550000
  transfer {
    closed          -> voicemail as "transfer after hours"
    to +14165550000 -> forward
    otherwise       -> voicemail as "transfer refused"
  }
}
)");
  server_process server(args(dir.path() + "/transfer-rules"));
  const std::string base = server.base_url();
  const auto refer = [&](const std::string& clinic, const std::string& to, const std::string& from,
                         const std::string& target) {
    return server.post("/twilio/refer?clinic=" + clinic,
                       {{"CallSid", call_sid(71)}, {"To", to}, {"From", from}, {"ReferTransferTarget", target}}, token);
  };
  const auto first = server.post("/twilio/voice", call(call_sid(71), "+15555550710", "+12125550100"), token);
  BOOST_TEST(callback_path(first.body, base, "referUrl") == "/twilio/refer?clinic=open-desk");
  const auto desk = refer("open-desk", "+15555550710", "+12125550100", "<sip:+14165550000@sip.vapi.ai;transport=udp>");
  BOOST_TEST(desk.status == 200);
  BOOST_TEST(contains(desk.body, R"(<Dial timeout="12" action=")" + base +
                                     R"(/twilio/dial-status?clinic=open-desk&amp;after=transfer">+14165550000</Dial>)"),
             desk.body);
  // The nobody-at-the-desk follow-on is the forward block's.
  const auto unanswered = server.post(callback_path(desk.body, base, "action"),
                                      {{"CallSid", call_sid(71)}, {"To", "+15555550710"}, {"From", "+12125550100"},
                                       {"DialCallStatus", "no-answer"}},
                                      token);
  BOOST_TEST(contains(unanswered.body, "<Hangup/>"));
  BOOST_TEST(!contains(unanswered.body, "<Dial"));
  // No rule takes a premium number: refused, and it is never dialled.
  const auto premium = refer("open-desk", "+15555550710", "+12125550100", "<sip:+19005550100@sip.vapi.ai>");
  BOOST_TEST(contains(premium.body, "<Record"));
  BOOST_TEST(!contains(premium.body, "<Dial"));
  BOOST_TEST(!contains(premium.body, "9005550100"));
  // The caller rule comes first, even for the desk's number.
  const auto blocked = refer("open-desk", "+15555550710", "+12125550199", "tel:+14165550000");
  BOOST_TEST(contains(blocked.body, "<Hangup/>"));
  BOOST_TEST(!contains(blocked.body, "<Dial"));
  // A clinic with no hours is closed: its desk takes no transfer.
  const auto closed = refer("closed-desk", "+15555550711", "+12125550100", "<sip:+14165550000@sip.vapi.ai>");
  BOOST_TEST(contains(closed.body, "<Record"));
  BOOST_TEST(!contains(closed.body, "<Dial"));
  BOOST_TEST(eventually([&] { return contains(read_text(journal), "transfer after hours"); }));
  const std::string log = read_text(journal);
  BOOST_TEST(contains(log, R"("reason":"blocked caller")"));
  BOOST_TEST(contains(log, R"("reason":"transfer refused")"));
  BOOST_TEST(contains(log, R"("reason":"to +14165550000")"));
  const auto metrics = http_request(server.admin_port(), "GET", "/metrics").body;
  BOOST_TEST(contains(metrics, R"(callpolicy_transfers_total{clinic="open-desk",outcome="forwarded"} 1)"));
  BOOST_TEST(contains(metrics, R"(callpolicy_transfers_total{clinic="open-desk",outcome="refused"} 2)"));
}

// A clinic's `ai { capacity 1 }`: one live AI leg at a time. A call past it
// takes `unavailable` at once; the leg is freed by the AI's <Dial> ending or
// the call's final status, and a restart replays the legs still live.
BOOST_FIXTURE_TEST_CASE(ai_legs_are_capped_and_freed_when_the_leg_ends, serve_fixture) {
  dir.write("capacity-rules/capped.policy", R"(clinic capped {
  timezone "UTC"
  numbers  { ported +15555550800 }
  mode     always
  ai       { sip "sip:capped@sip.vapi.ai" capacity 1 unavailable voicemail }
  forward  +14165550000 { timeout 15s }
  menu     { 1 -> ai  2 -> forward  timeout 6s -> voicemail }
}
)");
  const auto rules = dir.path() + "/capacity-rules";
  const auto voice = [&](server_process& s, int sid) {
    return s.post("/twilio/voice", call(call_sid(sid), "+15555550800", "+12125550100"), token).body;
  };
  const auto legs = [](server_process& s) {
    return json::parse(http_request(s.admin_port(), "GET", "/status").body)["ai_legs"];
  };
  {
    server_process server(args(rules));
    BOOST_TEST(contains(voice(server, 81), "<Sip>sip:capped@sip.vapi.ai"));
    const std::string refused = voice(server, 82);
    BOOST_TEST(!contains(refused, "<Sip>"));
    BOOST_TEST(contains(refused, "<Record"));
    BOOST_TEST(eventually([&] { return contains(read_text(journal), R"("action":"voicemail","reason":"ai at capacity")"); }));
    // Twilio retrying the first call's webhook: the same leg, still the AI.
    BOOST_TEST(contains(voice(server, 81), "<Sip>"));
    // A menu key that leads to the AI is held to the same capacity.
    const auto menu = server.post("/twilio/menu?clinic=capped",
                                  {{"CallSid", call_sid(82)}, {"To", "+15555550800"}, {"From", "+12125550100"}, {"Digits", "1"}},
                                  token);
    BOOST_TEST(contains(menu.body, "<Record"));
    BOOST_TEST(legs(server)["live"] == 1);
    BOOST_TEST(legs(server)["by_clinic"]["capped"] == 1);
    const std::string metrics = http_request(server.admin_port(), "GET", "/metrics").body;
    BOOST_TEST(contains(metrics, "\ncallpolicy_ai_legs 1\n"));
    BOOST_TEST(contains(metrics, "\ncallpolicy_ai_capacity 0\n"));
    BOOST_TEST(contains(metrics, R"(callpolicy_ai_unavailable_total{clinic="capped",status="capacity"} 2)"));
    BOOST_TEST(contains(http_request(server.admin_port(), "GET", "/").body,
                        R"(<p id="ai-legs" class="state">AI legs: 1 in use (no fleet capacity set)</p>)"));
    // The AI's <Dial> ends: the leg is free for the next caller.
    const auto ended = server.post("/twilio/ai-status?clinic=capped",
                                   {{"CallSid", call_sid(81)}, {"To", "+15555550800"}, {"DialCallStatus", "completed"}}, token);
    BOOST_TEST(contains(ended.body, "<Hangup/>"));
    BOOST_TEST(legs(server)["live"] == 0);
    BOOST_TEST(contains(voice(server, 83), "<Sip>"));
    // The call's final status frees it too.
    server.post("/twilio/status", {{"CallSid", call_sid(83)}, {"CallStatus", "completed"}}, token);
    BOOST_TEST(legs(server)["live"] == 0);
    // A leg that ended is never live again for its CallSid, room or not.
    BOOST_TEST(!contains(voice(server, 81), "<Sip>"));
    BOOST_TEST(contains(voice(server, 84), "<Sip>"));
  }
  // Restarted from the journal: call 84's leg is still live.
  server_process again(args(rules));
  BOOST_TEST(legs(again)["live"] == 1);
  BOOST_TEST(!contains(voice(again, 85), "<Sip>"));
}
