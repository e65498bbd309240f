// The connections of the HTTP server, private to server/: what every
// connection shares, the workers that own them, and each worker's batch of
// log lines. Brings Beast and Asio; http_server.cpp (listeners, the process,
// the drain) and http_session.cpp (one connection's request path) include it.
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
#include "server/http/connection_memory.h"
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

class connection;  // http_session.cpp: one connection's request path

// One worker's request log lines, written with one write() per turn of its
// event loop instead of one per request. A response leaves only after its
// line is written, as before, so the log never lags an answer a client has
// seen; the wait is the rest of the turn (microseconds).
class log_batch {
 public:
  // `in_flight` counts the waiting responses too, so that a drain waits for them.
  log_batch(net::io_context& io, std::atomic<unsigned>& in_flight) : io_(io), in_flight_(in_flight) {}
  log_batch(const log_batch&) = delete;
  log_batch& operator=(const log_batch&) = delete;

  // Where a connection appends its line before it calls defer().
  std::string& lines() { return lines_; }

  // `c` sends its response once the lines are written.
  void defer(connection& c) {
    if (waiting_.empty()) net::post(io_, with_memory(flush_memory_, [this] { flush(); }));
    ++in_flight_;
    waiting_.push_back(&c);
  }

  void flush();

 private:
  net::io_context& io_;
  handler_memory flush_memory_;  // the posted flush, one at a time
  std::string lines_;
  std::vector<connection*> waiting_;
  std::vector<connection*> sending_;
  std::atomic<unsigned>& in_flight_;
};

// One event loop and the connections it owns, after nginx's workers and
// Beast's http_server_fast: a connection lives on one thread, so no strand
// is needed, and it lives in a slot the worker keeps for its whole life.
// A slot is reused by the next connection once its socket is closed and
// every operation it started has completed; a completion from another
// thread (the shared store's count) names the slot and its connection's
// generation, and is dropped when the slot has moved on. The slots' memory
// (buffers, arena, response) stays with the slot, for at most `warm_kept`
// free slots at a time, so that a peak of connections does not stay pinned.
class worker {
 public:
  worker(shared& s, bool admin);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  net::io_context& io() { return io_; }
  log_batch& batch() { return batch_; }
  shared& common() { return shared_; }
  bool admin() const { return admin_; }

  // A connection accepted on this worker's loop, already admitted: it takes
  // a free slot, or a new one.
  void open(socket_type socket, std::string address);
  // From a connection whose socket is closed and whose operations have all
  // completed; on this worker's thread.
  void give_back(connection& c);
  // Once the loop has stopped (after the shared store and the journal,
  // which post to it): every connection closed and the loop run until
  // nothing is left, so that the slots and the loop go in either order.
  void close_all();

 private:
  static constexpr std::size_t warm_kept = 256;

  shared& shared_;
  const bool admin_;
  // Before the slots, which are destroyed first: their sockets and timers
  // belong to this loop.
  net::io_context io_{1};
  log_batch batch_{io_, shared_.in_flight};
  std::vector<std::unique_ptr<connection>> slots_;
  std::vector<connection*> free_warm_;  // free, with their memory
  std::vector<connection*> free_cold_;  // free, their memory given back
};

}  // namespace callpolicy::server
