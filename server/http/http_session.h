// The connections of the HTTP server, private to server/: what every
// connection shares, each worker's batch of log lines, and how a connection
// starts. Brings Beast and Asio; http_server.cpp (listeners, workers, the
// drain) and http_session.cpp (one connection's request path) include it.
#pragma once

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/clock.h"
#include "server/journal/journal.h"
#include "server/log.h"
#include "server/http/connection_pool.h"
#include "server/server.h"
#include "server/text.h"

namespace callpolicy::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class handlers;
class metrics;

// Each worker thread runs an io_context of its own and accepts from the one
// listening socket, like nginx's workers: a connection lives on one thread,
// so no strand is needed, and the executor's type is concrete rather than
// type-erased.
using executor = net::io_context::executor_type;
using socket_type = net::basic_stream_socket<tcp, executor>;
using acceptor_type = net::basic_socket_acceptor<tcp, executor>;
using timer_type = net::basic_waitable_timer<std::chrono::steady_clock,
                                             net::wait_traits<std::chrono::steady_clock>, executor>;

// What the server shares with every connection.
struct shared {
  shared(const server_options& o, handlers& h, journal& j, metrics& m, unsigned cap)
      : options(o),
        hooks(h),
        log(j),
        journal_enabled(j.enabled()),
        stats(m),
        max_connections(cap) {}

  const server_options& options;
  handlers& hooks;
  journal& log;
  const bool journal_enabled;
  metrics& stats;
  unsigned max_connections;
  std::atomic<unsigned> connections{0};
  std::atomic<unsigned> in_flight{0};  // requests read and not yet answered
  std::atomic<bool> draining{false};
  connection_pool pool;
  std::mutex per_address_mutex;
  // Pooled: a client (or a proxy) with a connection per request adds and
  // removes its entry each time.
  std::pmr::unsynchronized_pool_resource per_address_memory;
  std::pmr::unordered_map<std::pmr::string, unsigned, string_hash, std::equal_to<>> per_address{
      &per_address_memory};

  // The admin listener's own slots: a flood on the public address (whose
  // slots it would otherwise share) must never lock the operators out, and
  // its clients are a few people and a Prometheus.
  static constexpr unsigned max_admin_connections = 64;
  std::atomic<unsigned> admin_connections{0};

  // Takes a connection slot for `address`; false when a cap is reached.
  bool admit(std::string_view address, bool admin = false) {
    if (admin) {
      if (++admin_connections > max_admin_connections) {
        --admin_connections;
        return false;
      }
      return true;
    }
    if (++connections > max_connections) {
      --connections;
      return false;
    }
    std::lock_guard lock(per_address_mutex);
    auto it = per_address.find(address);
    if (it == per_address.end()) it = per_address.try_emplace(std::pmr::string(address, &per_address_memory), 0).first;
    unsigned& n = it->second;
    if (n >= options.max_connections_per_address) {
      if (n == 0) per_address.erase(it);
      --connections;
      return false;
    }
    ++n;
    return true;
  }

  void release(std::string_view address, bool admin = false) {
    if (admin) {
      --admin_connections;
      return;
    }
    {
      std::lock_guard lock(per_address_mutex);
      const auto it = per_address.find(address);
      if (it != per_address.end() && --it->second == 0) per_address.erase(it);
    }
    --connections;
  }
};

class session;

// One worker's request log lines, written with one write() per turn of its
// event loop instead of one per request. A response leaves only after its
// line is written, as before, so the log never lags an answer a client has
// seen; the wait is the rest of the turn (microseconds).
class log_batch {
 public:
  // `in_flight` counts the waiting responses too, so that a drain waits for them.
  log_batch(net::io_context& io, std::atomic<unsigned>& in_flight)
      : io_(io), in_flight_(in_flight) {}
  log_batch(const log_batch&) = delete;
  log_batch& operator=(const log_batch&) = delete;

  // Where a session appends its line before it calls defer().
  std::string& lines() { return lines_; }

  // `s` sends its response once the lines are written.
  void defer(std::shared_ptr<session> s) {
    if (waiting_.empty()) net::post(io_, with_memory(flush_memory_, [this] { flush(); }));
    ++in_flight_;
    waiting_.push_back(std::move(s));
  }

  void flush();

  // Lets go of the sessions still waiting (the worker has stopped).
  void clear() {
    waiting_.clear();
    sending_.clear();
  }

 private:
  net::io_context& io_;
  handler_memory flush_memory_;  // the posted flush, one at a time
  std::string lines_;
  std::vector<std::shared_ptr<session>> waiting_;
  std::vector<std::shared_ptr<session>> sending_;
  std::atomic<unsigned>& in_flight_;
};

// A connection accepted: it reads, answers and keeps itself alive until it closes.
void start_session(socket_type socket, shared& s, log_batch& batch, bool admin,
                   std::string address);

}  // namespace callpolicy::server
