// Zero allocations a request (bench/RESULTS.md), on the real binary: `callpolicy serve` with
// malloc_count.so preloaded, driven over keep-alive connections the way
// Twilio's webhooks arrive (every call a new CallSid, numbers of every
// route kind, unknown numbers, the callbacks that follow a call, forged
// signatures), must not allocate per request once warm, journal off and on.
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;

namespace {

// The count malloc_count.so reports, once it has stopped changing.
unsigned long long settled_count(const std::string& file) {
  const auto read = [&] {
    std::ifstream in(file);
    unsigned long long n = 0;
    in >> n;
    return n;
  };
  unsigned long long last = read();
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const unsigned long long now = read();
    if (now == last && now != 0) return now;
    last = now;
  }
  BOOST_FAIL("the allocation count never settled");
  return 0;
}

// What one step sends, and the status it must get.
struct step {
  std::string bytes;
  int status;
};

struct traffic {
  const server_process& server;
  // Whether voicemails are left: each is a new message the inbox keeps
  // (docs/operations.md, "The inbox"), memory retained by design.
  bool messages = false;
  unsigned long long next_call = 1;

  // The n-th step: new calls to a ported number, a carrier forward, a SIP
  // user and a number nobody has; the callbacks that follow a call (the
  // forward unanswered, the menu, a voicemail, the hangup, its status
  // completing it); and a forged signature, which gets 403.
  step request(unsigned long long n) {
    std::string path = "/twilio/voice";
    std::vector<std::pair<std::string, std::string>> fields;
    const std::string earlier = call_sid(next_call > 4 ? next_call - 4 : 1);
    const std::string north_shore = "+61255501234";
    int status = 200;
    switch (n % 10) {
      case 0:
        fields = call(call_sid(next_call++), "+14165552000");
        break;
      case 1:
        fields = call(call_sid(next_call++), "+442079460555");
        break;
      case 2:
        path = "/twilio/sip";
        fields = call(call_sid(next_call++), "sip:north-shore-medical@clinics.sip.twilio.com",
                      "sip:+61255509999@pbx.example");
        break;
      case 3:
        fields = call(call_sid(next_call++), "+19995550000");
        break;
      case 4:
        path = "/twilio/dial-status?clinic=north-shore-medical";
        fields = call(earlier, north_shore);
        fields.emplace_back("DialCallStatus", "no-answer");
        fields.emplace_back("DialCallSid", "CA" + std::string(32, 'd'));
        break;
      case 5:
        path = "/twilio/menu?clinic=north-shore-medical";
        fields = call(earlier, north_shore);
        fields.emplace_back("Digits", n % 20 == 5 ? "1" : "9");
        break;
      case 6:
        if (!messages) {
          path = "/twilio/hangup";
          fields = {{"CallSid", earlier}};
          break;
        }
        path = "/twilio/voicemail?clinic=north-shore-medical";
        fields = {{"CallSid", earlier},
                  {"RecordingSid", "RE" + call_sid(n).substr(2)},
                  {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"},
                  {"RecordingDuration", "17"},
                  {"RecordingStatus", "completed"}};
        break;
      case 7:
        path = "/twilio/hangup";
        fields = {{"CallSid", earlier}};
        break;
      case 8:
        path = "/twilio/status";
        fields = {{"CallSid", earlier}, {"CallStatus", "completed"}, {"CallDuration", "42"}};
        break;
      default:
        fields = call(call_sid(next_call++), "+14165552000");
        status = 403;
    }
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"AccountSid", "ACba8bc05eacf94afdae398e642c9cc32d"},
             {"ApiVersion", "2010-04-01"},
             {"Direction", "inbound"},
             {"CallerCountry", "CA"},
             {"StirVerstat", "TN-Validation-Passed-A"}}) {
      fields.emplace_back(name, value);
    }
    const std::string body = form(fields);
    const std::string signature =
        sign(status == 403 ? "forged-token" : token, server.base_url() + path, body);
    return {
        "POST " + path +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
            "X-Twilio-Signature: " + signature + "\r\n" +
            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
        status};
  }
};

// How the traffic arrives: as Twilio's keep-alive connections, or a
// connection per request, as through a proxy that does not keep them
// (nginx's default upstream).
enum class connections { kept_alive, one_per_request };

// Allocations per request over 10,000 requests after 4,000 of warm-up, four
// at a time, each on a connection of its own.
double allocations_per_request(const std::vector<std::string>& args, const std::string& count_file,
                               connections how, bool messages = false) {
  ::setenv("LD_PRELOAD", CALLPOLICY_MALLOC_COUNT, 1);
  ::setenv("CALLPOLICY_MALLOC_COUNT_FILE", count_file.c_str(), 1);
  server_process server(args);
  ::unsetenv("LD_PRELOAD");
  ::unsetenv("CALLPOLICY_MALLOC_COUNT_FILE");
  traffic load{server, messages};
  std::vector<int> open(4, -1);
  const auto connect = [&](int& fd) {
    fd = open_connection(server.port());
    BOOST_REQUIRE(fd >= 0);
    const timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  };
  unsigned long long step_number = 0;
  const auto send_rounds = [&](int rounds) {
    std::vector<int> expected(open.size());
    for (int r = 0; r < rounds; ++r) {
      for (std::size_t i = 0; i < open.size(); ++i) {
        if (open[i] < 0) connect(open[i]);
        step s = load.request(step_number++);
        if (how == connections::one_per_request) {
          s.bytes.insert(s.bytes.find("\r\n") + 2, "Connection: close\r\n");
        }
        expected[i] = s.status;
        BOOST_REQUIRE(send_all(open[i], s.bytes));
      }
      for (std::size_t i = 0; i < open.size(); ++i) {
        BOOST_REQUIRE_EQUAL(read_response(open[i]).status, expected[i]);
        if (how == connections::one_per_request) {
          ::close(open[i]);
          open[i] = -1;
        }
      }
    }
  };
  send_rounds(1000);
  const unsigned long long before = settled_count(count_file);
  constexpr int rounds = 2500;
  send_rounds(rounds);
  const unsigned long long after = settled_count(count_file);
  for (const int fd : open) {
    if (fd >= 0) ::close(fd);
  }
  BOOST_TEST_MESSAGE(after - before << " allocations in " << rounds * open.size() << " requests");
  return static_cast<double>(after - before) / static_cast<double>(rounds * open.size());
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(serve_allocates_nothing_per_request_once_warm_with_the_journal_off,
                        serve_fixture) {
  const double per_request = allocations_per_request(
      {"--rules", examples, "--auth-token-file", token_file, "--journal", "", "--threads", "1"},
      dir.path() + "/count", connections::kept_alive);
  BOOST_TEST(per_request < 0.01);
}

BOOST_FIXTURE_TEST_CASE(serve_allocates_nothing_per_request_once_warm_with_the_journal_on,
                        serve_fixture) {
  const double per_request =
      allocations_per_request({"--rules", examples, "--auth-token-file", token_file, "--journal",
                               journal, "--threads", "1"},
                              dir.path() + "/count", connections::kept_alive);
  BOOST_TEST(per_request < 0.01);
}

// A voicemail is a message kept: its inbox item is what it allocates, a
// few dozen strings and a node, and nothing else of the request does.
BOOST_FIXTURE_TEST_CASE(a_voicemail_allocates_only_the_inbox_item_it_keeps, serve_fixture) {
  for (const std::string& journal_path : {std::string(), journal}) {
    BOOST_TEST_CONTEXT("journal '" << journal_path << "'") {
      const double per_request = allocations_per_request(
          {"--rules", examples, "--auth-token-file", token_file, "--journal", journal_path, "--threads", "1"},
          dir.path() + "/count", connections::kept_alive, true);
      const double per_voicemail = per_request * 10;  // one request in ten leaves one
      BOOST_TEST_MESSAGE(per_voicemail << " allocations a voicemail");
      BOOST_TEST(per_voicemail < 80);
    }
  }
}

// A closed connection's memory serves the next: a connection per request
// allocates nothing more once warm either.
BOOST_FIXTURE_TEST_CASE(serve_allocates_nothing_per_request_with_a_connection_per_request,
                        serve_fixture) {
  const double per_request =
      allocations_per_request({"--rules", examples, "--auth-token-file", token_file, "--journal",
                               journal, "--threads", "2"},
                              dir.path() + "/count", connections::one_per_request);
  BOOST_TEST(per_request < 0.01);
}
