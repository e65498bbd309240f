// Delivery to a receiver (docs/operations.md, "Delivery"): a real server
// posts each voicemail and callback request, signed, to a small HTTP server
// here; a receiver that answers 500, then is down across a kill -9 of
// callpolicy, then comes back gets every message exactly once by its
// delivery id, in order for its clinic.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {

const std::string secret = "whsec-test-0123456789";

// A receiver on a port of its own: answers `status` to each POST, or is
// down (not listening) while `down`; keeps what it took with 2xx.
class receiver {
 public:
  struct taken {
    std::string id_header, signature, body;
  };

  explicit receiver(int port) : port_(port) { listen_now(); }
  ~receiver() {
    stopping_ = true;
    go_down();
  }

  void answer_with(int status) { status_ = status; }
  void go_down() {
    const int fd = listener_.exchange(-1);
    if (fd >= 0) {
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
    }
    if (thread_.joinable()) thread_.join();
  }
  void come_back() { listen_now(); }

  std::vector<taken> received() {
    std::lock_guard lock(mutex_);
    return taken_;
  }
  int attempts() const { return attempts_; }

 private:
  void listen_now() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    BOOST_REQUIRE(::listen(fd, 16) == 0);
    listener_ = fd;
    thread_ = std::thread([this, fd] { serve(fd); });
  }

  void serve(int fd) {
    while (!stopping_) {
      const int client = ::accept(fd, nullptr, nullptr);
      if (client < 0) return;
      std::string request;
      char buffer[4096];
      std::size_t header_end = std::string::npos;
      std::size_t length = 0;
      while (true) {
        const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
        if (header_end == std::string::npos && (header_end = request.find("\r\n\r\n")) != std::string::npos) {
          const std::string head = lower(request.substr(0, header_end));
          const auto at = head.find("content-length:");
          length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 15));
        }
        if (header_end != std::string::npos && request.size() >= header_end + 4 + length) break;
      }
      ++attempts_;
      const int status = status_;
      if (status / 100 == 2 && header_end != std::string::npos) {
        std::lock_guard lock(mutex_);
        taken_.push_back({header(request, "x-callpolicy-delivery"), header(request, "x-callpolicy-signature"),
                          request.substr(header_end + 4, length)});
      }
      const std::string reply = fmt::format("HTTP/1.1 {} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
      ::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string header(const std::string& request, const std::string& name) {
    const std::string head = lower(request.substr(0, request.find("\r\n\r\n")));
    const auto at = head.find("\r\n" + name + ":");
    if (at == std::string::npos) return {};
    const auto start = request.find_first_not_of(' ', at + name.size() + 3);
    return request.substr(start, request.find("\r\n", start) - start);
  }

  const int port_;
  std::atomic<int> listener_{-1};
  std::atomic<int> status_{200};
  std::atomic<int> attempts_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<taken> taken_;
};

// The signature checked as a receiver would, with OpenSSL, not the server's code.
bool signature_valid(const std::string& header, const std::string& body) {
  const auto comma = header.find(",v1=");
  if (!header.starts_with("t=") || comma == std::string::npos) return false;
  const std::string t = header.substr(2, comma - 2);
  if (std::abs(std::stoll(t) - std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count()) > 300) {
    return false;
  }
  const std::string text = t + "." + body;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(text.data()),
       text.size(), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return header.substr(comma + 4) == hex;
}

const std::string bay = R"(clinic bay-clinic {
  timezone "America/Toronto"
  numbers  { ported +14165550170 }
  route {
    caller +14165550111 -> voicemail
    otherwise           -> callback
  }
}
)";

struct delivery_fixture : serve_fixture {
  std::string rules = [this] {
    dir.write("rules/bay.policy", bay);
    return dir.path() + "/rules";
  }();
  std::string secret_file = dir.write("notify-secret", secret + "\n");
  int receiver_port = free_port();

  std::vector<std::string> serve_args() const {
    return args(rules, {"--notify-url", fmt::format("http://127.0.0.1:{}/hooks/callpolicy", receiver_port),
                        "--notify-secret-file", secret_file});
  }
};

void callback_request(server_process& s, unsigned long long n, const std::string& digits) {
  const auto r = s.post("/twilio/callback?clinic=bay-clinic&reason=otherwise",
                        {{"CallSid", call_sid(n)}, {"To", "+14165550170"}, {"From", "+14165550100"}, {"Digits", digits}},
                        token);
  BOOST_REQUIRE_MESSAGE(contains(r.body, "We will call you back"), r.body);
}

void voicemail(server_process& s, unsigned long long n) {
  const std::string recording = fmt::format("RE{:032}", n);
  const auto r = s.post("/twilio/voicemail?clinic=bay-clinic&reason=otherwise&caller=%2B14165550111",
                        {{"CallSid", call_sid(n)},
                         {"RecordingSid", recording},
                         {"RecordingUrl", "https://api.twilio.com/Recordings/" + recording},
                         {"RecordingDuration", "12"}},
                        token);
  BOOST_REQUIRE(r.status == 200);
}

double metric(server_process& s, const std::string& name) {
  const std::string text = http_request(s.admin_port(), "GET", "/metrics").body;
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(every_message_reaches_the_receiver_once_through_failures_and_a_kill, delivery_fixture) {
  receiver hook(receiver_port);
  std::vector<std::string> ids;
  {
    server_process s(serve_args());
    voicemail(s, 1);
    callback_request(s, 2, "1");
    callback_request(s, 3, "6475550199");
    ids = {fmt::format("RE{:032}", 1), "callback-" + call_sid(2), "callback-" + call_sid(3)};
    BOOST_REQUIRE(eventually([&] { return hook.received().size() == 3u; }));
    BOOST_REQUIRE(eventually([&] { return metric(s, "callpolicy_deliveries_total") == 3; }));
    for (const auto& t : hook.received()) {
      BOOST_TEST(signature_valid(t.signature, t.body), t.signature);
      const json body = json::parse(t.body);
      BOOST_TEST(body["id"] == t.id_header);
      BOOST_TEST(body["clinic"] == "bay-clinic");
    }
    BOOST_TEST(json::parse(hook.received()[1].body)["number"] == "+14165550100");
    BOOST_TEST(json::parse(hook.received()[2].body)["number"] == "+16475550199");
    BOOST_TEST(json::parse(hook.received()[0].body)["recording_url"] == "https://api.twilio.com/Recordings/" + ids[0]);

    // The receiver fails: the messages wait, tried again and again.
    hook.answer_with(500);
    voicemail(s, 4);
    callback_request(s, 5, "1");
    ids.push_back(fmt::format("RE{:032}", 4));
    ids.push_back("callback-" + call_sid(5));
    BOOST_TEST(eventually([&] { return metric(s, "callpolicy_delivery_failures_total") >= 2; }));
    BOOST_TEST(metric(s, "callpolicy_deliveries_pending") == 2);
    BOOST_TEST(metric(s, "callpolicy_deliveries_total") == 3);
    // Then it is down, and callpolicy is killed meanwhile.
    hook.go_down();
    s.kill_hard();
  }
  {
    server_process restarted(serve_args());
    callback_request(restarted, 6, "4165550123");
    ids.push_back("callback-" + call_sid(6));
    BOOST_TEST(eventually([&] { return metric(restarted, "callpolicy_deliveries_pending") == 3; }));
    // A webhook is never held up by it.
    BOOST_TEST(restarted.post("/twilio/voice", call(call_sid(7), "+14165550170"), token).status == 200);
    hook.answer_with(200);
    hook.come_back();
    BOOST_TEST(eventually([&] { return hook.received().size() >= ids.size(); }, std::chrono::seconds(40)));
    BOOST_TEST(eventually([&] { return metric(restarted, "callpolicy_deliveries_pending") == 0; }));
  }
  std::map<std::string, int> times;
  std::vector<std::string> order;
  for (const auto& t : hook.received()) {
    ++times[t.id_header];
    order.push_back(t.id_header);
  }
  for (const std::string& id : ids) BOOST_TEST(times[id] == 1, id);
  BOOST_TEST(times.size() == ids.size());
  // In the order they were left, for the one clinic.
  BOOST_TEST(order == ids, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(serve_refuses_a_notify_url_without_a_secret_or_of_another_scheme, delivery_fixture) {
  const auto no_secret = run_callpolicy({"serve", "--rules", rules, "--auth-token-file", token_file, "--notify-url",
                                         "http://127.0.0.1:1/x", "--admin-listen", "", "--listen", "127.0.0.1:0"});
  BOOST_TEST(no_secret.exit_code == 2);
  BOOST_TEST(contains(no_secret.err, "--notify-secret-file"), no_secret.err);
  const auto scheme = run_callpolicy({"serve", "--rules", rules, "--auth-token-file", token_file, "--notify-url",
                                      "ftp://example.com/x", "--notify-secret-file", secret_file});
  BOOST_TEST(scheme.exit_code == 2);
  BOOST_TEST(contains(scheme.err, "http:// or https://"), scheme.err);
}

// A clinic's own `notify { url }` takes its messages, with or without a
// server-wide --notify-url; a clinic with neither keeps them in the inbox.
BOOST_FIXTURE_TEST_CASE(a_clinics_notify_block_names_its_own_receiver, delivery_fixture) {
  receiver own(receiver_port);
  dir.write("rules/cove.policy", fmt::format(R"(clinic cove-clinic {{
  timezone "America/Vancouver"
  numbers  {{ ported +16045550170 }}
  route {{ otherwise -> callback }}
  notify   {{ url "http://127.0.0.1:{}/cove" }}
}}
)", receiver_port));
  server_process s(args(rules, {"--notify-secret-file", secret_file}));
  callback_request(s, 1, "1");  // bay-clinic: nowhere to deliver to
  const auto r = s.post("/twilio/callback?clinic=cove-clinic&reason=otherwise",
                        {{"CallSid", call_sid(2)}, {"To", "+16045550170"}, {"From", "+16045550100"}, {"Digits", "1"}},
                        token);
  BOOST_REQUIRE(contains(r.body, "We will call you back"));
  BOOST_REQUIRE(eventually([&] { return own.received().size() == 1u; }));
  BOOST_TEST(own.received()[0].id_header == "callback-" + call_sid(2));
  BOOST_TEST(signature_valid(own.received()[0].signature, own.received()[0].body));
  // The receiver counts a message before callpolicy reads its answer.
  BOOST_TEST(eventually([&] { return metric(s, "callpolicy_deliveries_pending") == 0; }));
  BOOST_TEST(metric(s, "callpolicy_deliveries_total") == 1);
}
