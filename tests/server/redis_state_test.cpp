// Two servers sharing active calls through a real redis-server: overflow
// holds across them (SPEC 5, --state redis://).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"

using namespace callpolicy::testing;

namespace {

class redis_server {
 public:
  redis_server() : port_(free_port()) {
    pid_ = fork();
    if (pid_ == 0) {
      execlp("redis-server", "redis-server", "--port", std::to_string(port_).c_str(), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--logfile", "/dev/null", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      if (run_process({"/usr/bin/redis-cli", "-p", std::to_string(port_), "ping"}).out == "PONG\n") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("redis-server did not start");
  }
  ~redis_server() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
};

}  // namespace

BOOST_AUTO_TEST_CASE(overflow_holds_across_two_servers) {
  redis_server redis;
  temp_dir dir;
  const std::string token = "shared-token";
  const std::string token_file = dir.write("token", token);
  auto args = [&](const std::string& journal) {
    return std::vector<std::string>{"--rules", CALLPOLICY_SOURCE_DIR "/examples", "--auth-token-file", token_file,
                                    "--journal", dir.path() + "/" + journal, "--state", redis.url()};
  };
  server_process a(args("a.jsonl"));
  server_process b(args("b.jsonl"));
  auto call = [&](server_process& s, const std::string& sid) {
    return s.post("/twilio/voice", {{"CallSid", sid}, {"To", "+442079460555"}, {"From", "+447700900001"}}, token).body;
  };
  // harbour-physio overflows at 3 active calls.
  BOOST_TEST(call(a, call_sid(1)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(b, call_sid(2)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(a, call_sid(3)).find("<Dial timeout") != std::string::npos);
  BOOST_TEST(call(b, call_sid(4)).find("x-reason=overflow") != std::string::npos);
  BOOST_TEST(call(a, call_sid(4)).find("x-reason=overflow") != std::string::npos);  // the same call, once
  // A status callback reaching the other server ends the call for both.
  b.post("/twilio/status", {{"CallSid", call_sid(1)}, {"CallStatus", "completed"}}, token);
  b.post("/twilio/status", {{"CallSid", call_sid(4)}, {"CallStatus", "completed"}}, token);
  BOOST_TEST(call(a, call_sid(5)).find("<Dial timeout") != std::string::npos);
  const auto status = nlohmann::json::parse(http_request(b.admin_port(), "GET", "/status").body);
  BOOST_TEST(status["active_calls"]["harbour-physio"] == 3);
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
