// The estimated wait from real status callbacks (docs/language.md,
// "Estimated wait"): the CallDuration of completed calls, shared by two
// servers through a real redis-server, decides `wait > 4m`; with fewer than
// five completed calls it is unknown and never holds; a memory store keeps
// the last hour's lengths across a kill -9 through its journal.
#include <boost/test/unit_test.hpp>

#include "tests/support/redis_process.h"
#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;

namespace {

// One line: the second caller waits for the first, a whole mean call.
const std::string policies = R"(clinic long-calls {
  timezone "America/Toronto"
  numbers  { ported +14165550190 }
  lines    1
  route {
    wait > 4m -> callback as "long wait"
    otherwise -> ai
  }
}
)";
const std::string few_calls = R"(clinic few-calls {
  timezone "America/Toronto"
  numbers  { ported +14165550191 }
  lines    1
  route {
    wait > 4m -> callback as "long wait"
    otherwise -> ai
  }
}
)";
const std::string long_calls_number = "+14165550190";
const std::string few_calls_number = "+14165550191";

struct wait_fixture : serve_fixture {
  std::string rules = [this] {
    dir.write("rules/long-calls.policy", policies);
    dir.write("rules/few-calls.policy", few_calls);
    return dir.path() + "/rules";
  }();

  std::vector<std::string> serve_args(const std::string& journal_name, const std::string& state = {}) const {
    std::vector<std::string> a = args(rules);
    *std::find(a.begin(), a.end(), journal) = dir.path() + "/" + journal_name;
    if (!state.empty()) a.insert(a.end(), {"--state", state});
    return a;
  }
};

std::string voice(server_process& s, unsigned long long n, const std::string& to) {
  return s.post("/twilio/voice", call(call_sid(n), to), token).body;
}

// A call that came and went, `seconds` long, as Twilio reports it.
void completed_call(server_process& s, unsigned long long n, const std::string& to, int seconds) {
  voice(s, n, to);
  const auto r = s.post("/twilio/status",
                        {{"CallSid", call_sid(n)}, {"To", to}, {"From", "+14165550100"}, {"CallStatus", "completed"},
                         {"CallDuration", std::to_string(seconds)}},
                        token);
  BOOST_REQUIRE(r.status == 200);
}

bool offers_callback(const std::string& twiml) { return contains(twiml, "/twilio/callback?clinic="); }

}  // namespace

BOOST_FIXTURE_TEST_CASE(the_wait_is_estimated_from_both_servers_calls_through_redis, wait_fixture) {
  redis_process redis;
  server_process a(serve_args("a.jsonl", redis.url()));
  server_process b(serve_args("b.jsonl", redis.url()));
  // No completed call yet: the wait is unknown and `wait > 4m` is false.
  BOOST_TEST(!offers_callback(voice(a, 1, long_calls_number)));
  BOOST_TEST(!offers_callback(voice(b, 2, long_calls_number)));
  for (unsigned long long n : {1ull, 2ull}) {
    a.post("/twilio/status", {{"CallSid", call_sid(n)}, {"To", long_calls_number}, {"CallStatus", "canceled"}}, token);
  }
  // Ten-minute calls: three end on a, two on b.
  for (unsigned long long n = 10; n < 15; ++n) completed_call(n < 13 ? a : b, n, long_calls_number, 600);
  // Four on the other clinic: too few for a mean, though as long.
  for (unsigned long long n = 20; n < 24; ++n) completed_call(n % 2 ? a : b, n, few_calls_number, 600);

  // One call in progress on a; nobody waits for it (one line, none busy before it).
  BOOST_TEST(!offers_callback(voice(a, 30, long_calls_number)));
  // The next, on b, would wait a whole mean call, 10 minutes: b learns a's
  // three lengths from Redis within a refresh (the same CallSid asks again,
  // counted once).
  BOOST_TEST(eventually([&] { return offers_callback(voice(b, 31, long_calls_number)); }));
  BOOST_TEST(eventually([&] { return offers_callback(voice(a, 31, long_calls_number)); }));
  const std::string offered = voice(b, 31, long_calls_number);
  BOOST_TEST(contains(offered, "reason=long%20wait"), offered);

  // The other clinic with the same count: four calls are too few, so no wait is known.
  BOOST_TEST(!offers_callback(voice(a, 40, few_calls_number)));
  for (int attempt = 0; attempt < 3; ++attempt) {
    BOOST_TEST(!offers_callback(voice(b, 41, few_calls_number)));
  }
  // A status callback retried by Twilio counts its call once: still four.
  completed_call(a, 23, few_calls_number, 600);
  BOOST_TEST(!offers_callback(voice(b, 41, few_calls_number)));
  // The fifth makes a mean.
  completed_call(b, 24, few_calls_number, 600);
  BOOST_TEST(eventually([&] { return offers_callback(voice(a, 41, few_calls_number)); }));
}

BOOST_FIXTURE_TEST_CASE(short_calls_make_no_long_wait_and_lengths_survive_a_kill, wait_fixture) {
  {
    server_process s(serve_args("memory.jsonl"));
    // Two-minute calls: one waiting caller on one line waits 2m, not more than 4m.
    for (unsigned long long n = 1; n <= 5; ++n) completed_call(s, n, long_calls_number, 120);
    voice(s, 10, long_calls_number);
    BOOST_TEST(!offers_callback(voice(s, 11, long_calls_number)));
    // Five ten-minute calls more: the mean is (5 x 120 + 5 x 600) / 10 = 360 s.
    for (unsigned long long n = 20; n < 25; ++n) completed_call(s, n, long_calls_number, 600);
    BOOST_TEST(offers_callback(voice(s, 11, long_calls_number)));
    s.kill_hard();
  }
  // The journal holds the lengths: the restarted server knows the mean, and
  // the call still in progress (10) is counted again.
  server_process restarted(serve_args("memory.jsonl"));
  BOOST_TEST(offers_callback(voice(restarted, 12, long_calls_number)));
}
