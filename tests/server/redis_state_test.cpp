// Servers sharing active calls and overrides through real redis-server and
// redis-sentinel processes (docs/operations.md): overflow holds across them,
// Redis stalling, dying and failing over never stops a call, and an override
// set on one server is obeyed by every one.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/redis_process.h"
#include "tests/support/serve_fixture.h"
#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {

const std::string token = "shared-token";
const std::string admin_token = "admin-secret";

// harbour-physio (overflow-only, overflow 3, forwarded +442079460555).
const std::string harbour = "+442079460555";

struct two_servers {
  temp_dir dir;
  std::string token_file = dir.write("token", token);
  std::string admin_file = dir.write("admin", admin_token);
  std::vector<std::string> args(const std::string& state, const std::string& journal,
                                std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"--rules", CALLPOLICY_SOURCE_DIR "/examples", "--auth-token-file", token_file,
                               "--admin-token-file", admin_file, "--journal", dir.path() + "/" + journal,
                               "--state", state};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

std::string call(server_process& s, const std::string& sid, const std::string& to = harbour) {
  return s.post("/twilio/voice", {{"CallSid", sid}, {"To", to}, {"From", "+447700900001"}}, token).body;
}

void end_call(server_process& s, const std::string& sid) {
  s.post("/twilio/status", {{"CallSid", sid}, {"CallStatus", "completed"}}, token);
}

json status_of(server_process& s) { return json::parse(http_request(s.admin_port(), "GET", "/status").body); }

std::string metrics_of(server_process& s) { return http_request(s.admin_port(), "GET", "/metrics").body; }

double metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

http_reply admin(server_process& s, const std::string& method, const std::string& target, const std::string& body = {}) {
  return http_request(s.admin_port(), method, target, body,
                      {{"Authorization", "Bearer " + admin_token}, {"Content-Type", "application/json"}});
}

// One /twilio/voice request on the kept-alive connection `fd`, and its reply.
http_reply voice_on(int fd, server_process& a, const std::string& sid) {
  const std::string body = form({{"CallSid", sid}, {"To", harbour}, {"From", "+447700900001"}});
  const std::string request = "POST /twilio/voice HTTP/1.1\r\nHost: " + a.base_url().substr(7) +
                              "\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: " +
                              sign(token, a.base_url() + "/twilio/voice", body) +
                              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (!send_all(fd, request)) return {};
  return read_response(fd);
}

}  // namespace

BOOST_AUTO_TEST_CASE(overflow_holds_across_two_servers) {
  redis_process redis;
  two_servers setup;
  server_process a(setup.args(redis.url(), "a.jsonl"));
  server_process b(setup.args(redis.url(), "b.jsonl"));
  // harbour-physio overflows at 3 active calls.
  BOOST_TEST(call(a, call_sid(1)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(b, call_sid(2)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(a, call_sid(3)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(b, call_sid(4)).find("x-reason=overflow") != std::string::npos);
  BOOST_TEST(call(a, call_sid(4)).find("x-reason=overflow") != std::string::npos);  // the same call, once
  // A status callback reaching the other server ends the call for both.
  end_call(b, call_sid(1));
  end_call(b, call_sid(4));
  // b tells Redis after it answers Twilio: a sees the count drop a moment later.
  BOOST_TEST_REQUIRE(eventually([&] { return status_of(a)["active_calls"]["harbour-physio"] == 2; }));
  BOOST_TEST(call(a, call_sid(5)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(status_of(b)["active_calls"]["harbour-physio"] == 3);
}

BOOST_AUTO_TEST_CASE(concurrent_calls_through_both_servers_overflow_exactly) {
  redis_process redis;
  two_servers setup;
  server_process a(setup.args(redis.url(), "a.jsonl"));
  server_process b(setup.args(redis.url(), "b.jsonl"));
  constexpr int calls = 24;
  constexpr int threshold = 3;
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < calls; ++i) {
    answers.push_back(std::async(std::launch::async, [&, i] { return call(i % 2 ? a : b, call_sid(1000 + i)); }));
  }
  int ai = 0;
  int staff = 0;
  for (auto& f : answers) {
    const std::string body = f.get();
    ai += body.find("x-reason=overflow") != std::string::npos;
    staff += body.find("<Dial timeout") != std::string::npos;
  }
  BOOST_TEST(ai == calls - threshold);
  BOOST_TEST(staff == threshold);
  BOOST_TEST(status_of(a)["active_calls"]["harbour-physio"] == calls);
}

BOOST_AUTO_TEST_CASE(a_stalled_then_dead_redis_never_stops_a_call_and_counts_converge_when_it_returns) {
  redis_process redis;
  two_servers setup;
  server_process a(setup.args(redis.url(), "a.jsonl", {"--state-timeout", "50ms"}));
  server_process b(setup.args(redis.url(), "b.jsonl", {"--state-timeout", "50ms"}));
  BOOST_TEST(call(a, call_sid(1)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(b, call_sid(2)).find("<Dial timeout") != std::string::npos);

  // A stall: Redis holds its connections but answers nothing.
  redis.pause();
  const auto timed = [](auto f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::steady_clock::now() - t0;
  };
  std::chrono::steady_clock::duration slowest{};
  for (int i = 0; i < 6; ++i) {
    std::string body;
    slowest = std::max(slowest, timed([&] { body = call(i % 2 ? a : b, call_sid(10 + i)); }));
    BOOST_TEST(body.find("<Response>") != std::string::npos);
    // healthz never waits on the store.
    BOOST_TEST(http_request(a.port(), "GET", "/healthz").status == 200);
  }
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count() < 1000);
  // A's own count: its 1 call before the stall and its 3 during it; never 0.
  // Its fourth call sees 3 others of its own: under the threshold of 3? No: 3 >= 3 overflows.
  BOOST_TEST(call(a, call_sid(20)).find("x-reason=overflow") != std::string::npos);
  BOOST_TEST(status_of(a)["state"]["healthy"] == false);
  BOOST_TEST(metric(metrics_of(a), "callpolicy_state_fallbacks_total") >= 1);

  // An outage: the process is gone.
  redis.kill_hard();
  BOOST_TEST(eventually([&] { return metric(metrics_of(b), "callpolicy_state_errors_total") >= 1; }));
  BOOST_TEST(call(b, call_sid(30)).find("<Response>") != std::string::npos);
  BOOST_TEST(metrics_of(b).find("callpolicy_state_healthy{backend=\"redis\"} 0") != std::string::npos);
  BOOST_TEST(status_of(b)["state"]["healthy"] == false);

  // Back, empty: both servers reconnect and write their calls back.
  redis.restart();
  BOOST_TEST(eventually([&] { return status_of(a)["state"]["healthy"] == true && status_of(b)["state"]["healthy"] == true; }));
  // a: 1, 11, 13, 15, 20; b: 2, 10, 12, 14, 30.
  BOOST_TEST(eventually([&] { return status_of(a)["active_calls"]["harbour-physio"] == 10; }));
  BOOST_TEST(status_of(b)["active_calls"]["harbour-physio"] == 10);
  BOOST_TEST(call(a, call_sid(40)).find("x-reason=overflow") != std::string::npos);
  BOOST_TEST(a.log().find("state store unreachable") != std::string::npos);
  BOOST_TEST(a.log().find("state store reachable again") != std::string::npos);
  // One warning per outage, however many calls it saw.
  std::size_t warnings = 0;
  const std::string log = a.log();
  for (auto at = log.find("state store unreachable"); at != std::string::npos; at = log.find("state store unreachable", at + 1)) ++warnings;
  BOOST_TEST(warnings <= 2u);  // the stall, then at most once more for the kill
}

BOOST_AUTO_TEST_CASE(an_override_set_on_one_server_is_obeyed_by_the_other_and_expires) {
  redis_process redis;
  two_servers setup;
  server_process a(setup.args(redis.url(), "a.jsonl"));
  server_process b(setup.args(redis.url(), "b.jsonl"));
  BOOST_TEST(call(b, call_sid(1)).find("<Dial timeout") != std::string::npos);
  const auto set = admin(a, "POST", "/admin/clinics/harbour-physio/override",
                         R"({"action": "voicemail", "until": ")" + utc_in(std::chrono::seconds(6)) +
                             R"(", "reason": "office flooded"})");
  BOOST_TEST_INFO(set.body);
  BOOST_REQUIRE(set.status == 200);
  // B obeys at once: its next call reads the override with the count.
  const std::string during = call(b, call_sid(2));
  BOOST_TEST(during.find("<Record") != std::string::npos);
  BOOST_TEST(b.log().find("\"reason\":\"override: office flooded\"") != std::string::npos);
  const json listed = json::parse(admin(b, "GET", "/admin/overrides").body);
  BOOST_REQUIRE_EQUAL(listed["overrides"].size(), 1u);
  BOOST_TEST(listed["overrides"][0]["clinic"] == "harbour-physio");
  BOOST_TEST(status_of(b)["overrides"].size() == 1u);
  // It survives both servers' restart: Redis keeps it.
  a.stop();
  b.stop();
  server_process a2(setup.args(redis.url(), "a.jsonl"));
  server_process b2(setup.args(redis.url(), "b.jsonl"));
  BOOST_TEST(call(a2, call_sid(3)).find("<Record") != std::string::npos);
  BOOST_TEST(call(b2, call_sid(5)).find("<Record") != std::string::npos);
  // And expires on its own at `until`.
  BOOST_TEST(eventually([&] { return call(a2, call_sid(4)).find("<Record") == std::string::npos; }));
  BOOST_TEST(json::parse(admin(a2, "GET", "/admin/overrides").body)["overrides"].empty());
}

// A master, its replica in sync, a Sentinel watching them as "calls", and two
// servers that find the master through it.
struct sentinel_fleet {
  redis_process primary;
  redis_process replica{primary.port()};
  bool synced = eventually([&] { return replica.cli("INFO replication").find("master_link_status:up") != std::string::npos; });
  sentinel_process sentinel{primary.port(), "calls"};
  two_servers setup;
  std::string url = "redis-sentinel://127.0.0.1:" + std::to_string(sentinel.port()) + "/calls";
  // The failover, not the wait for a slow store, is under test: a loaded CI
  // machine must not turn a healthy Redis into a local decision.
  server_process a{setup.args(url, "a.jsonl", {"--state-timeout", "500ms"})};
  server_process b{setup.args(url, "b.jsonl", {"--state-timeout", "500ms"})};
};

BOOST_AUTO_TEST_CASE(servers_follow_a_sentinel_failover) {
  sentinel_fleet fleet;
  BOOST_REQUIRE(fleet.synced);
  auto& [primary, replica, synced, sentinel, setup, url, a, b] = fleet;
  BOOST_TEST(status_of(a)["state"]["address"] == "127.0.0.1:" + std::to_string(primary.port()));
  BOOST_TEST(call(a, call_sid(1)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(b, call_sid(2)).find("<Dial timeout") != std::string::npos);

  primary.kill_hard();
  // Calls keep being answered through the failover, until Sentinel has
  // promoted the replica.
  int answered = 0, calls = 0;
  BOOST_REQUIRE(eventually(
      [&] {
        ++calls;
        if (call(calls % 2 ? a : b, call_sid(100 + calls), "+16045550123").find("<Response>") != std::string::npos)
          ++answered;
        return calls >= 20 && sentinel.master_port("calls") == replica.port();
      },
      std::chrono::seconds(20), std::chrono::milliseconds(100)));
  BOOST_TEST(answered == calls);
  const std::string promoted = "127.0.0.1:" + std::to_string(replica.port());
  BOOST_TEST(eventually([&] { return status_of(a)["state"]["address"] == promoted && status_of(a)["state"]["healthy"] == true; },
                        std::chrono::seconds(20)));
  // Healthy, not only re-addressed: a wait that timed out in the outage keeps
  // a server deciding alone until Redis answers it again.
  BOOST_TEST(eventually([&] { return status_of(b)["state"]["address"] == promoted && status_of(b)["state"]["healthy"] == true; },
                        std::chrono::seconds(20)));
  // Both write to the promoted replica and share counts again.
  BOOST_TEST(eventually([&] { return status_of(b)["active_calls"]["harbour-physio"] == 2; }));
  BOOST_TEST(call(a, call_sid(3)).find("<Dial timeout") != std::string::npos);
  const std::string fourth = call(b, call_sid(4));
  BOOST_TEST_INFO(fourth << "\nserver b's log:\n" << b.log());
  BOOST_TEST(fourth.find("x-reason=overflow") != std::string::npos);
  BOOST_TEST_MESSAGE("server a's log through the failover:\n" << a.log());
}

// An override set after a failover, while the old master has come back
// (for a moment a master again, then Sentinel's replica), lands on the
// promoted master and stays: the server that had read overrides from the old
// master does not write to it.
BOOST_AUTO_TEST_CASE(an_override_set_across_a_sentinel_failover_is_kept) {
  sentinel_fleet fleet;
  BOOST_REQUIRE(fleet.synced);
  auto& [primary, replica, synced, sentinel, setup, url, a, b] = fleet;
  // The admin connection of `a` is open to the first master.
  BOOST_TEST(admin(a, "GET", "/admin/overrides").status == 200);
  primary.kill_hard();
  BOOST_REQUIRE(eventually([&] { return sentinel.master_port("calls") == replica.port(); }, std::chrono::seconds(20)));
  primary.restart();
  const auto set = admin(a, "POST", "/admin/clinics/harbour-physio/override",
                         R"({"action": "voicemail", "until": ")" + utc_in(std::chrono::seconds(3600)) + R"(", "reason": "failover drill"})");
  BOOST_TEST_INFO(set.body);
  BOOST_REQUIRE(set.status == 200);
  // On the master Sentinel names now, whatever Sentinel does meanwhile with the old one.
  BOOST_TEST(sentinel.master_port("calls") == replica.port());
  BOOST_TEST(contains(replica.cli("--scan --pattern *override*"), "harbour-physio"));
  // Both servers answer under it, and still do seconds later.
  BOOST_TEST(eventually([&] { return call(b, call_sid(1)).find("<Record") != std::string::npos; }));
  // Still so seconds later, whatever Sentinel does meanwhile with the old
  // master: that is a window of time, not an event to wait for.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  BOOST_TEST(contains(replica.cli("--scan --pattern *override*"), "harbour-physio"));
  BOOST_TEST(call(a, call_sid(2)).find("<Record") != std::string::npos);
  BOOST_TEST(call(b, call_sid(3)).find("<Record") != std::string::npos);
  const json listed = json::parse(admin(b, "GET", "/admin/overrides").body);
  BOOST_REQUIRE(listed["overrides"].size() == 1u);
  BOOST_TEST(listed["overrides"][0]["reason"] == "failover drill");
}

BOOST_AUTO_TEST_CASE(memory_overrides_survive_a_restart_through_the_journal) {
  two_servers setup;
  auto args = setup.args("memory", "m.jsonl");
  {
    server_process s(args);
    const auto set = admin(s, "POST", "/admin/clinics/harbour-physio/override",
                           R"({"action": "busy", "until": ")" + utc_in(std::chrono::seconds(3600)) + R"(", "reason": "storm"})");
    BOOST_REQUIRE(set.status == 200);
    BOOST_TEST(call(s, call_sid(1)).find("<Hangup/>") != std::string::npos);
    s.kill_hard();
  }
  server_process again(args);
  BOOST_TEST(call(again, call_sid(2)).find("<Hangup/>") != std::string::npos);
  BOOST_TEST(again.log().find("\"reason\":\"override: storm\"") != std::string::npos);
  const auto cleared = admin(again, "DELETE", "/admin/clinics/harbour-physio/override");
  BOOST_TEST(cleared.status == 200);
  BOOST_TEST(json::parse(cleared.body)["cleared"] == true);
  BOOST_TEST(call(again, call_sid(3)).find("<Dial timeout") != std::string::npos);
  again.kill_hard();
  server_process third(args);
  // The clear was journaled too (three calls are live again: the fourth overflows to the AI, not busy).
  BOOST_TEST(call(third, call_sid(4)).find("x-reason=overflow") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_override_api_checks_who_and_what) {
  two_servers setup;
  server_process s(setup.args("memory", "v.jsonl"));
  const std::string until = utc_in(std::chrono::seconds(600));
  const std::string ok_body = R"({"action": "ai", "until": ")" + until + R"(", "reason": "drill"})";
  // No token, a wrong one: refused, nothing set.
  BOOST_TEST(http_request(s.admin_port(), "POST", "/admin/clinics/harbour-physio/override", ok_body).status == 401);
  BOOST_TEST(http_request(s.admin_port(), "POST", "/admin/clinics/harbour-physio/override", ok_body,
                          {{"Authorization", "Bearer wrong"}})
                 .status == 401);
  BOOST_TEST(admin(s, "POST", "/admin/clinics/nobody/override", ok_body).status == 404);
  BOOST_TEST(admin(s, "POST", "/admin/clinics/harbour-physio/override", "{not json").status == 400);
  BOOST_TEST(admin(s, "POST", "/admin/clinics/harbour-physio/override",
                   R"({"action": "hangup", "until": ")" + until + R"(", "reason": "x"})")
                 .status == 400);
  // downtown-dental has no menu.
  BOOST_TEST(admin(s, "POST", "/admin/clinics/downtown-dental/override",
                   R"({"action": "menu", "until": ")" + until + R"(", "reason": "x"})")
                 .status == 422);
  BOOST_TEST(admin(s, "POST", "/admin/clinics/harbour-physio/override",
                   R"({"action": "ai", "until": "2020-01-01T00:00:00Z", "reason": "x"})")
                 .status == 422);
  BOOST_TEST(admin(s, "POST", "/admin/clinics/harbour-physio/override",
                   R"({"action": "ai", "until": "2026-12-24T18:00", "reason": "x"})")
                 .status == 400);  // no offset: ambiguous
  BOOST_TEST(json::parse(admin(s, "GET", "/admin/overrides").body)["overrides"].empty());
  // The public address serves none of it.
  BOOST_TEST(http_request(s.port(), "POST", "/admin/clinics/harbour-physio/override", ok_body,
                          {{"Authorization", "Bearer " + admin_token}})
                 .status == 404);
  const auto set = admin(s, "POST", "/admin/clinics/harbour-physio/override", ok_body);
  BOOST_TEST(set.status == 200);
  BOOST_TEST(call(s, call_sid(1)).find("x-reason=override%3A%20drill") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unreachable_redis_stops_the_start) {
  temp_dir dir;
  const std::string token_file = dir.write("token", "t");
  const auto r = run_callpolicy({"serve", "--rules", CALLPOLICY_SOURCE_DIR "/examples", "--auth-token-file",
                                 token_file, "--listen", "127.0.0.1:" + std::to_string(free_port()),
                                 "--journal", "", "--state", "redis://127.0.0.1:" + std::to_string(free_port())});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("cannot connect to redis") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_override_command_sets_lists_and_clears_and_eval_dry_runs_the_list) {
  two_servers setup;
  server_process s(setup.args("memory", "c.jsonl"));
  const std::string admin_url = "http://127.0.0.1:" + std::to_string(s.admin_port());
  const auto set = run_callpolicy({"override", "set", "--admin", admin_url, "--token-file", setup.admin_file, "--clinic",
                                   "harbour-physio", "--action", "voicemail", "--until", "2h", "--reason", "flood"});
  BOOST_TEST_INFO(set.err);
  BOOST_REQUIRE(set.exit_code == 0);
  BOOST_TEST(set.out.find("harbour-physio: every call answered by voicemail until ") == 0u);
  BOOST_TEST(call(s, call_sid(1)).find("<Record") != std::string::npos);
  const auto listed = run_callpolicy({"override", "list", "--admin", admin_url, "--format", "json"});
  BOOST_REQUIRE(listed.exit_code == 0);
  temp_dir dir;
  const std::string file = dir.write("overrides.json", listed.out);
  // The same list applied to a dry run.
  const auto dry = run_callpolicy({"eval", CALLPOLICY_SOURCE_DIR "/examples", "--clinic", "harbour-physio", "--at", "now",
                                   "--override-file", file, "--format", "json"});
  BOOST_TEST_INFO(dry.err);
  BOOST_REQUIRE(dry.exit_code == 0);
  BOOST_TEST(json::parse(dry.out)["action"] == "voicemail");
  BOOST_TEST(json::parse(dry.out)["reason"] == "override: flood");
  const auto later = run_callpolicy({"eval", CALLPOLICY_SOURCE_DIR "/examples", "--clinic", "harbour-physio", "--at",
                                     utc_in(std::chrono::seconds(3 * 3600)), "--override-file", file, "--format", "json"});
  BOOST_TEST(json::parse(later.out)["reason"] == "under-capacity");  // past its `until`
  // Without the token: refused, exit 2; clearing it restores the policy.
  const auto no_token = run_callpolicy({"override", "clear", "--admin", admin_url, "--token-file",
                                        dir.write("bad", "nope"), "--clinic", "harbour-physio"});
  BOOST_TEST(no_token.exit_code == 2);
  BOOST_TEST(no_token.err.find("401") != std::string::npos);
  const auto cleared = run_callpolicy({"override", "clear", "--admin", admin_url, "--token-file", setup.admin_file,
                                       "--clinic", "harbour-physio"});
  BOOST_TEST(cleared.exit_code == 0);
  BOOST_TEST(cleared.out == "harbour-physio: override cleared\n");
  BOOST_TEST(call(s, call_sid(2)).find("<Dial timeout") != std::string::npos);
  const auto unknown = run_callpolicy({"override", "set", "--admin", admin_url, "--token-file", setup.admin_file,
                                       "--clinic", "nobody", "--action", "ai", "--until", "1h", "--reason", "x"});
  BOOST_TEST(unknown.exit_code == 1);
  BOOST_TEST(unknown.err.find("no clinic 'nobody'") != std::string::npos);
}

// The admin address reads Redis synchronously (counts for /metrics, the
// overrides); with Redis stalled, those reads wait for their timeout. They do
// it on the admin listener's own thread: a webhook on the only worker waits
// no longer than --state-timeout, however often /metrics is scraped.
BOOST_AUTO_TEST_CASE(admin_reads_of_a_stalled_redis_do_not_delay_webhooks) {
  redis_process redis;
  temp_dir dir;
  const std::string token_file = dir.write("token", "test-token-0123456789\n");
  server_process server({"--rules", CALLPOLICY_SOURCE_DIR "/examples", "--auth-token-file", token_file, "--journal",
                         dir.path() + "/journal.jsonl", "--threads", "1", "--state", redis.url()});
  redis.pause();
  std::atomic<bool> stop{false};
  std::thread scraper([&] {
    while (!stop) http_request(server.admin_port(), "GET", "/metrics");
  });
  std::vector<double> latencies;
  for (int i = 0; i < 20; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const auto r = server.post("/twilio/voice", call(call_sid(static_cast<unsigned long long>(500 + i)), "+442079460555"),
                               "test-token-0123456789");
    latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    BOOST_TEST(r.status == 200);
  }
  stop = true;
  redis.resume();
  scraper.join();
  std::sort(latencies.begin(), latencies.end());
  BOOST_TEST_INFO("p50 " << latencies[latencies.size() / 2] << " ms, max " << latencies.back() << " ms");
  BOOST_TEST(latencies[latencies.size() / 2] < 300.0);
}

// Redis restarted without persistence comes back empty: the overrides the
// servers hold are written back like their calls (and logged), not erased by
// the next read; one cleared through another server stays cleared.
BOOST_AUTO_TEST_CASE(overrides_survive_a_redis_that_comes_back_empty) {
  redis_process redis;
  two_servers setup;
  server_process a(setup.args(redis.url(), "a.jsonl"));
  server_process b(setup.args(redis.url(), "b.jsonl"));
  const auto set = admin(a, "POST", "/admin/clinics/harbour-physio/override",
                         R"({"action": "voicemail", "until": ")" + utc_in(std::chrono::seconds(600)) +
                             R"(", "reason": "office flooded"})");
  BOOST_REQUIRE(set.status == 200);
  BOOST_TEST(call(b, call_sid(1)).find("<Record") != std::string::npos);  // B has it too now
  redis.restart();  // empty
  // The first read after the restart must not erase what the servers hold.
  BOOST_TEST(eventually([&] {
    const json listed = json::parse(admin(b, "GET", "/admin/overrides").body);
    return listed["overrides"].size() == 1u;
  }));
  BOOST_TEST(eventually([&] { return redis.cli("EXISTS callpolicy:override:harbour-physio").find('1') != std::string::npos; }));
  BOOST_TEST(call(a, call_sid(2)).find("<Record") != std::string::npos);
  BOOST_TEST(eventually([&] {
    return a.log().find("override written back") != std::string::npos ||
           b.log().find("override written back") != std::string::npos;
  }));
  // Cleared through B: A learns it was cleared, and writes nothing back.
  const auto cleared = admin(b, "DELETE", "/admin/clinics/harbour-physio/override");
  BOOST_TEST(cleared.status == 200);
  const auto after = admin(a, "GET", "/admin/overrides");
  BOOST_TEST_INFO("cleared: " << cleared.body << " redis: " << redis.cli("GET callpolicy:override:harbour-physio")
                              << " listed: " << after.body);
  BOOST_TEST(json::parse(after.body)["overrides"].empty());
  BOOST_TEST(eventually([&] { return call(a, call_sid(3)).find("<Record") == std::string::npos; }));
  BOOST_TEST(eventually([&] { return call(b, call_sid(4)).find("<Record") == std::string::npos; }));
}

namespace {

std::string ai_leg_ended(server_process& s, const std::string& sid, const std::string& status) {
  return s.post("/twilio/ai-status?clinic=always-ai", {{"CallSid", sid}, {"To", "+15555550900"}, {"DialCallStatus", status}},
                token)
      .body;
}

// A clinic whose every call goes to the AI, in its own rules directory;
// the arguments of a server that serves it with `extra`.
std::vector<std::string> always_ai_server(const two_servers& setup, const std::string& state, const std::string& journal,
                                          std::vector<std::string> extra) {
  setup.dir.write("capacity-rules/always.policy", R"(clinic always-ai {
  timezone "UTC"
  numbers  { ported +15555550900 }
  mode     always
  ai       { sip "sip:always@sip.vapi.ai" unavailable voicemail }
}
)");
  auto a = setup.args(state, journal, std::move(extra));
  a[1] = setup.dir.path() + "/capacity-rules";
  return a;
}

}  // namespace

// `--ai-capacity 2` on two servers sharing a real Redis: parallel calls
// through both take exactly two AI legs, the others the clinic's
// `unavailable`; a leg released on one server admits the next call on the other.
BOOST_AUTO_TEST_CASE(ai_capacity_holds_across_two_servers_under_concurrency) {
  redis_process redis;
  two_servers setup;
  const auto args = [&](const std::string& journal) {
    // Redis admits every leg here: a loaded machine must not make it "slow"
    // and hand the decision to each server's own legs.
    return always_ai_server(setup, redis.url(), journal, {"--ai-capacity", "2", "--state-timeout", "500ms"});
  };
  server_process a(args("a.jsonl"));
  server_process b(args("b.jsonl"));
  const auto voice = [&](server_process& s, int sid) { return call(s, call_sid(sid), "+15555550900"); };
  for (const int round : {0, 1}) {
    // Three at once the first time, as the contract says; twelve the second, for the race.
    const int calls = round == 0 ? 3 : 12;
    const int first = 2000 + round * 100;
    std::vector<std::future<std::string>> answers;
    for (int i = 0; i < calls; ++i) {
      answers.push_back(std::async(std::launch::async, [&, i] { return voice(i % 2 ? a : b, first + i); }));
    }
    std::vector<int> admitted;
    int refused = 0;
    for (int i = 0; i < calls; ++i) {
      const std::string body = answers[static_cast<std::size_t>(i)].get();
      if (body.find("<Sip>") != std::string::npos) admitted.push_back(first + i);
      refused += body.find("<Record") != std::string::npos;
    }
    BOOST_TEST(admitted.size() == 2u);
    BOOST_TEST(refused == calls - 2);
    BOOST_TEST(status_of(a)["ai_legs"]["live"] == 2);
    BOOST_TEST(status_of(b)["ai_legs"]["by_clinic"]["always-ai"] == 2);
    BOOST_TEST(metric(metrics_of(b), "callpolicy_ai_legs") == 2);
    BOOST_TEST(metric(metrics_of(a), "callpolicy_ai_capacity") == 2);
    BOOST_TEST(http_request(a.admin_port(), "GET", "/").body.find("AI legs: <strong class=\"busy\">2 of 2 in use") !=
               std::string::npos);
    // Full: the next call on either server is refused.
    BOOST_TEST(voice(a, first + 50).find("<Sip>") == std::string::npos);
    // One leg's <Dial> ends, reported to the other server than took it ...
    const std::string ended = ai_leg_ended(b, call_sid(static_cast<unsigned long long>(admitted[0])), "failed");
    BOOST_TEST(ended.find("<Record") != std::string::npos);  // the caller leaves a message
    // A server tells Redis after it answers: the fleet sees the leg gone a moment later.
    BOOST_TEST_REQUIRE(eventually([&] { return status_of(a)["ai_legs"]["live"] == 1; }));
    // ... and exactly one more call is admitted, on the first server.
    BOOST_TEST(voice(a, first + 60).find("<Sip>") != std::string::npos);
    BOOST_TEST(voice(b, first + 61).find("<Sip>") == std::string::npos);
    // Both legs end with their calls' final status, for the next round.
    end_call(a, call_sid(static_cast<unsigned long long>(admitted[1])));
    end_call(b, call_sid(static_cast<unsigned long long>(first + 60)));
    BOOST_TEST_REQUIRE(eventually([&] { return status_of(a)["ai_legs"]["live"] == 0; }));
  }
}

// The AI's capacity waits on Redis no longer than the call count does: on a
// stall the server's own legs decide, and every call is answered at once.
BOOST_AUTO_TEST_CASE(a_stalled_redis_never_holds_an_ai_call_and_the_servers_own_legs_decide) {
  redis_process redis;
  two_servers setup;
  server_process a(always_ai_server(setup, redis.url(), "a.jsonl", {"--ai-capacity", "2", "--state-timeout", "50ms"}));
  const auto voice = [&](int sid) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string body = call(a, call_sid(static_cast<unsigned long long>(sid)), "+15555550900");
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    BOOST_TEST(took.count() < 1000);
    return body;
  };
  BOOST_TEST(voice(3001).find("<Sip>") != std::string::npos);  // one leg, counted in Redis
  redis.pause();
  // The server's own count: its leg from before the stall and one more make two of two.
  BOOST_TEST(voice(3002).find("<Sip>") != std::string::npos);
  const std::string third = voice(3003);
  BOOST_TEST(third.find("<Sip>") == std::string::npos);
  BOOST_TEST(third.find("<Record") != std::string::npos);
  BOOST_TEST(status_of(a)["state"]["healthy"] == false);
  redis.resume();
  BOOST_TEST(eventually([&] { return status_of(a)["state"]["healthy"] == true; }));
  // Back: the two legs are the fleet's, still full until one ends.
  BOOST_TEST(voice(3004).find("<Sip>") == std::string::npos);
  end_call(a, call_sid(3001));
  BOOST_TEST(voice(3005).find("<Sip>") != std::string::npos);
}

// A count that comes after its call was decided with the local one, once
// the connection that waited for it has closed and its slot holds the next
// connection: it is dropped there, and that connection's own requests are
// answered as they ask. (One worker, so the two connections share a slot.)
BOOST_AUTO_TEST_CASE(a_late_count_never_reaches_the_next_connection_in_its_slot) {
  redis_process redis;
  two_servers setup;
  server_process a(setup.args(redis.url(), "a.jsonl", {"--state-timeout", "50ms", "--threads", "1"}));
  redis.pause();
  // Waits its 50 ms for the count, is decided with the local one, and its
  // connection (one request) closes: the slot is free again.
  BOOST_TEST(call(a, call_sid(1)).find("<Response>") != std::string::npos);
  const int fd = open_connection(a.port());
  BOOST_REQUIRE(fd >= 0);
  BOOST_TEST(voice_on(fd, a, call_sid(2)).body.find("<Response>") != std::string::npos);
  // The stalled Redis answers call 1 now, into the slot that holds this connection.
  redis.resume();
  BOOST_TEST(eventually([&] { return status_of(a)["state"]["healthy"] == true; }));
  for (unsigned long long n = 3; n < 6; ++n) {
    const http_reply reply = voice_on(fd, a, call_sid(n));
    BOOST_TEST(reply.status == 200, reply.body);
    BOOST_TEST(reply.body.find("<Response>") != std::string::npos);
  }
  ::close(fd);
  BOOST_TEST(a.running());
  // Counted once each: the two before and the three after, on this one server.
  BOOST_TEST(eventually([&] { return status_of(a)["active_calls"]["harbour-physio"] == 5; }));
}
