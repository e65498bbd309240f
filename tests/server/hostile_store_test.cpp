// A "Sentinel" and a "Redis" that answer with the wrong types: an integer or
// nil where a host or port belongs, an integer SCAN cursor. The server must
// treat each as no master (or a broken store) and go on answering calls with
// its own count, never crash or spin.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/support/redis_process.h"
#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;

namespace {

// A peer on a free loopback port: each connection is handed to `serve`, one
// at a time, and closed after; until destroyed.
class loopback_peer {
 public:
  explicit loopback_peer(std::function<void(int client, const std::atomic<bool>& stopping)> serve)
      : serve_(std::move(serve)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    BOOST_REQUIRE(::listen(fd_, 16) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        ++connections_;
        serve_(client, stop_);
        ::close(client);
      }
    });
  }
  ~loopback_peer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_; }

 private:
  std::function<void(int, const std::atomic<bool>&)> serve_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Answers every request on every connection with `reply` (changed with answer()).
class fake_resp_server {
 public:
  explicit fake_resp_server(std::string reply) : reply_(std::move(reply)) {}
  int port() const { return peer_.port(); }
  int connections() const { return peer_.connections(); }
  void answer(std::string reply) {
    std::lock_guard lock(mutex_);
    reply_ = std::move(reply);
  }

 private:
  void serve(int client, const std::atomic<bool>& stopping) {
    timeval timeout{0, 200000};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[4096];
    for (int requests = 0; requests < 50 && !stopping; ++requests) {
      if (::read(client, buffer, sizeof buffer) <= 0) break;
      std::string reply;
      {
        std::lock_guard lock(mutex_);
        reply = reply_;
      }
      if (::write(client, reply.data(), reply.size()) <= 0) break;
    }
  }

  std::mutex mutex_;
  std::string reply_;
  loopback_peer peer_{[this](int client, const std::atomic<bool>& stopping) { serve(client, stopping); }};
};

// Answers the first request of every connection with a bulk string that
// announces a gigabyte, and sends it, until the client hangs up.
class flooding_resp_server {
 public:
  int port() const { return peer_.port(); }
  std::size_t sent() const { return sent_; }

 private:
  void serve(int client, const std::atomic<bool>& stopping) {
    const std::string chunk(64 * 1024, 'x');
    char buffer[4096];
    if (::read(client, buffer, sizeof buffer) <= 0) return;
    const std::string header = "$1073741824\r\n";
    bool open = ::write(client, header.data(), header.size()) > 0;
    for (std::size_t n = 0; open && !stopping && n < (1u << 30); n += chunk.size()) {
      const ssize_t w = ::send(client, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      open = w > 0;
      if (open) sent_ += static_cast<std::size_t>(w);
    }
  }

  std::atomic<std::size_t> sent_{0};
  loopback_peer peer_{[this](int client, const std::atomic<bool>& stopping) { serve(client, stopping); }};
};

}  // namespace

const std::vector<std::string> hostile_master_replies{
    "*2\r\n:1\r\n:6379\r\n", "*2\r\n$-1\r\n$4\r\n6379\r\n", "*2\r\n$9\r\n127.0.0.1\r\n$-1\r\n",
    "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n99999\r\n", "*2\r\n*0\r\n*0\r\n", ":7\r\n"};

// At start: refused with a message, never a signal.
BOOST_FIXTURE_TEST_CASE(a_sentinel_answering_integers_or_nil_at_start_is_no_master, serve_fixture) {
  for (const std::string& reply : hostile_master_replies) {
    BOOST_TEST_CONTEXT("reply " << reply) {
      fake_resp_server sentinel(reply);
      std::vector<std::string> serve{"serve", "--listen", "127.0.0.1:" + std::to_string(free_port()),
                                     "--admin-listen", "127.0.0.1:" + std::to_string(free_port())};
      const auto rest = args(examples, {"--state", "redis-sentinel://127.0.0.1:" + std::to_string(sentinel.port()) + "/calls"});
      serve.insert(serve.end(), rest.begin(), rest.end());
      const auto r = run_callpolicy(serve);
      BOOST_TEST(r.exit_code > 0);
      BOOST_TEST(r.exit_code < 128);
      BOOST_TEST(contains(r.err, "knows no master 'calls'"));
    }
  }
}

// At a reconnect: the master goes away and the Sentinel turns hostile; the
// server keeps answering with its own count.
BOOST_FIXTURE_TEST_CASE(a_sentinel_answering_integers_or_nil_at_a_reconnect_is_no_master, serve_fixture) {
  redis_process primary;
  const std::string port = std::to_string(primary.port());
  fake_resp_server sentinel("*2\r\n$9\r\n127.0.0.1\r\n$" + std::to_string(port.size()) + "\r\n" + port + "\r\n");
  server_process server(
      args(examples, {"--state", "redis-sentinel://127.0.0.1:" + std::to_string(sentinel.port()) + "/calls"}));
  BOOST_TEST(server.post("/twilio/voice", call(call_sid(0), "+442079460555"), token).status == 200);
  unsigned long long n = 1;
  for (const std::string& reply : hostile_master_replies) {
    BOOST_TEST_CONTEXT("reply " << reply) {
      sentinel.answer(reply);
      if (primary.running()) primary.kill_hard();
      const int before = sentinel.connections();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
      while (std::chrono::steady_clock::now() < deadline) {
        const auto r = server.post("/twilio/voice", call(call_sid(n++), "+442079460555"), token);
        BOOST_TEST(r.status == 200);
        if (sentinel.connections() > before + 1) break;
      }
      BOOST_TEST(server.running());
    }
  }
  BOOST_TEST(sentinel.connections() >= 3);
  BOOST_TEST(http_request(server.admin_port(), "GET", "/status").status == 200);
}

BOOST_FIXTURE_TEST_CASE(a_store_answering_nonsense_is_refused_at_start, serve_fixture) {
  fake_resp_server store("*2\r\n:1\r\n*1\r\n:5\r\n");
  std::vector<std::string> serve{"serve", "--listen", "127.0.0.1:" + std::to_string(free_port()), "--admin-listen",
                                 "127.0.0.1:" + std::to_string(free_port())};
  const auto rest = args(examples, {"--state", "redis://127.0.0.1:" + std::to_string(store.port())});
  serve.insert(serve.end(), rest.begin(), rest.end());
  const auto r = run_callpolicy(serve);
  BOOST_TEST(r.exit_code > 0);
  BOOST_TEST(r.exit_code < 128);
}

// A reply that announces a gigabyte is refused once it passes the reader's
// bound, not buffered whole: the server exits with a message, having held
// only megabytes.
BOOST_FIXTURE_TEST_CASE(a_store_sending_a_gigabyte_reply_is_refused_without_holding_it, serve_fixture) {
  flooding_resp_server store;
  std::vector<std::string> serve{"serve", "--listen", "127.0.0.1:" + std::to_string(free_port()), "--admin-listen",
                                 "127.0.0.1:" + std::to_string(free_port())};
  const auto rest = args(examples, {"--state", "redis://127.0.0.1:" + std::to_string(store.port())});
  serve.insert(serve.end(), rest.begin(), rest.end());
  const auto r = run_callpolicy(serve);
  BOOST_TEST(r.exit_code > 0);
  BOOST_TEST(r.exit_code < 128);
  BOOST_TEST(contains(r.err, "a reply longer than"));
  BOOST_TEST(store.sent() < (256u << 20));
  rusage children{};
  ::getrusage(RUSAGE_CHILDREN, &children);
  BOOST_TEST_MESSAGE("the peer sent " << store.sent() / 1024 << " KiB; the largest child held " << children.ru_maxrss
                                      << " KiB");
  BOOST_TEST(children.ru_maxrss < 512 * 1024, "the largest child held " << children.ru_maxrss << " KiB");
}
