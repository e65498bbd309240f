// The server's process: HTTP/1.1 with keep-alive on two listeners, the
// public one (Twilio's webhooks, /healthz, /readyz) and the admin one
// (the status page, /status, /metrics, /admin/); connections capped in all
// and per client address; one event loop per worker thread, each owning its
// connections (http_session.h); SIGHUP reloads, SIGTERM drains. One
// connection's request path is http_session.cpp, accepting is listener.cpp; Beast and Asio appear in
// server/http/ only.
// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <malloc.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "compiler/diagnostic_render.h"
#include "server/endpoints.h"
#include "server/json_line.h"
#include "server/log.h"
#include "server/http/http_session.h"
#include "server/http/listener.h"
#include "server/http/request_arena.h"
#include "server/server.h"
#include "server/text.h"
#include "server/handlers.h"

namespace callpolicy::server {
namespace {

// Descriptors kept back from the connection cap for the journal, the rules
// watcher, Redis and the files a reload reads.
constexpr rlim_t reserved_descriptors = 64;

// Handlers a loop runs at most between two commits: a flood of requests that
// journal nothing (forged signatures, health checks) never lets the loop go
// idle, and must not hold back the calls that wait for the journal.
constexpr unsigned handlers_per_commit = 1024;

// Runs `io` until it stops. When the journal has no writer thread, this
// loop commits it (server/journal.h): before it would wait for more work,
// and after handlers_per_commit handlers at most.
void run_committing(net::io_context& io, journal& log) {
  if (!log.enabled() || log.has_writer()) {
    io.run();
    return;
  }
  for (;;) {
    if (io.run_one() == 0) return;
    for (unsigned ran = 1; ran < handlers_per_commit && io.poll_one() != 0; ++ran) {
    }
    log.commit();
  }
}

std::optional<tcp::endpoint> parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  const auto address = net::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return std::nullopt;
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) return std::nullopt;
    return tcp::endpoint(address, static_cast<unsigned short>(port));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Raises the soft descriptor limit to the hard one, and keeps the connection
// cap below what is left, so that running out of descriptors is the cap's
// job and not accept's.
unsigned connection_cap(unsigned wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return wanted;
  const rlim_t usable = limit.rlim_cur > 2 * reserved_descriptors ? limit.rlim_cur - reserved_descriptors
                                                                  : limit.rlim_cur / 2;
  if (wanted <= usable) return wanted;
  log_message("warning", "--max-connections lowered to fit the descriptor limit", "max_connections",
              std::to_string(usable));
  return static_cast<unsigned>(usable);
}

}  // namespace

void serve_one_connection(int fd, const server_options& options, handlers& hooks, journal& log, metrics& stats,
                          bool admin) {
  shared s(options, hooks, log, stats, 1);
  worker w(s, admin);
  socket_type socket(w.io().get_executor());
  beast::error_code ec;
  socket.assign(tcp::v4(), fd, ec);
  if (ec || !s.admit("fuzz", admin)) {
    ::close(fd);
    return;
  }
  w.open(std::move(socket), "fuzz");
  run_committing(w.io(), log);
  log.commit();
  w.close_all();
}

namespace {

// The server's process: what `run_server` starts, serves with and stops.
// Its members are declared in the order they are built, so that they go in
// the reverse; what must happen before they go (the threads that post to the
// workers' loops stopped first, every connection closed) is the destructor's.
class http_server {
 public:
  explicit http_server(server_options options) : options_(std::move(options)) {}
  ~http_server();

  // Loads the rules, replays the journal and binds the listeners; nonzero:
  // the exit code of a start that failed, said on stderr.
  int start();
  // Serves until SIGINT or SIGTERM has drained the workers.
  void serve();

 private:
  int open_listeners();
  void warn_of_guessed_ai_addresses() const;
  void reload_on_request();
  void on_signal(beast::error_code ec, int signal);
  void check_drain(beast::error_code ec);
  void log_serving() const;

  server_options options_;
  std::optional<tcp::endpoint> endpoint_;
  std::optional<tcp::endpoint> admin_endpoint_;
  std::unique_ptr<policy_store> store_;
  override_table overrides_;
  std::unique_ptr<call_state> state_;
  metrics stats_;
  std::unique_ptr<journal> log_;
  std::unique_ptr<handlers> hooks_;
  std::unique_ptr<shared> shared_;
  // One worker per thread; the first also takes signals and the drain. The
  // admin listener has a worker of its own: its reads may wait for a slow
  // Redis, and no webhook may wait behind them.
  std::vector<std::unique_ptr<worker>> workers_;
  std::unique_ptr<worker> admin_worker_;
  std::vector<std::unique_ptr<listener>> listeners_;  // one per worker, the admin's last
  // On the first worker's loop, so after it.
  std::optional<net::signal_set> signals_;
  std::optional<timer_type> drain_timer_;
  std::chrono::steady_clock::time_point drain_deadline_{};
  // SIGHUP reloads on a thread of its own, so that no request waits on a compile.
  std::mutex reload_mutex_;
  std::condition_variable reload_wanted_;
  bool reload_pending_ = false;
  bool stopping_ = false;
  std::thread reloader_;
  bool served_ = false;
};

int http_server::start() {
  endpoint_ = parse_listen(options_.listen);
  if (!endpoint_) {
    std::fprintf(stderr, "callpolicy serve: --listen '%s' is not HOST:PORT\n", options_.listen.c_str());
    return 2;
  }
  if (!options_.admin_listen.empty()) {
    admin_endpoint_ = parse_listen(options_.admin_listen);
    if (!admin_endpoint_) {
      std::fprintf(stderr, "callpolicy serve: --admin-listen '%s' is not HOST:PORT\n", options_.admin_listen.c_str());
      return 2;
    }
  }
  if (options_.public_url.empty()) options_.public_url = "http://" + options_.listen;
  while (!options_.public_url.empty() && options_.public_url.back() == '/') options_.public_url.pop_back();
  if (options_.threads == 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());

  // Each applied set is kept beside the journal, so that a restart (after a
  // crash) while the rules have a broken edit still serves the last good set.
  store_ = std::make_unique<policy_store>(
      options_.rules_path, options_.journal_path.empty() ? std::string() : options_.journal_path + ".last-good.json",
      options_.allow_empty);
  if (!store_->reload() && !store_->load_last_good()) {
    const reload_report report = store_->last_report();
    std::fputs(render_text(report.diagnostics, {}, false).c_str(), stderr);
    std::fprintf(stderr, "callpolicy serve: cannot load '%s': %s\n", options_.rules_path.c_str(),
                 report.error.c_str());
    return report.io_error ? 2 : 1;  // the CLI's contract: I/O errors 2, policy errors 1
  }
  try {
    state_ = options_.state == "memory"
                 ? make_memory_state(options_.call_ttl)
                 : make_shared_state({options_.state, options_.state_prefix, options_.call_ttl}, overrides_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: --state: %s\n", e.what());
    return 2;
  }
  try {
    log_ = std::make_unique<journal>(options_.journal_path);
    // One loop commits its own lines; several share a thread that commits
    // (server/journal.h says why).
    if (options_.threads > 1) log_->start_writer();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: %s\n", e.what());
    return 2;
  }
  hooks_ = std::make_unique<handlers>(options_, *store_, *state_, *log_, stats_, &overrides_);
  if (!options_.journal_path.empty()) {
    // Shared state lives in Redis already; only a memory store is rebuilt.
    const replay_summary replayed = hooks_->replayer().replay(options_.journal_path, options_.state == "memory");
    std::string out;
    json_line(out)
        .add("level", "info")
        .add("time_ms", now_ms())
        .add("message", "journal replayed")
        .add("journal", options_.journal_path)
        .add("records", static_cast<std::int64_t>(replayed.records))
        .add("skipped", static_cast<std::int64_t>(replayed.skipped))
        .end_line();
    write_log(out);
  }
  hooks_->start_delivery();
  warn_of_guessed_ai_addresses();
  shared_ = std::make_unique<shared>(options_, *hooks_, *log_, stats_, connection_cap(options_.max_connections));
  for (unsigned i = 0; i < options_.threads; ++i) workers_.push_back(std::make_unique<worker>(*shared_, false));
  if (admin_endpoint_) admin_worker_ = std::make_unique<worker>(*shared_, true);
  if (const int failed = open_listeners()) return failed;
  // Watching before answering: an edit made once the server answers is seen.
  store_->watch();
  for (auto& l : listeners_) l->accept();
  reloader_ = std::thread([this] { reload_on_request(); });
  signals_.emplace(workers_.front()->io(), SIGINT, SIGTERM, SIGHUP);
  drain_timer_.emplace(workers_.front()->io().get_executor());
  signals_->async_wait([this](beast::error_code ec, int signal) { on_signal(ec, signal); });
  log_serving();
  return 0;
}

int http_server::open_listeners() {
  try {
    listeners_.push_back(std::make_unique<listener>(*workers_.front(), *endpoint_));
    for (std::size_t i = 1; i < workers_.size(); ++i) {
      listeners_.push_back(std::make_unique<listener>(*workers_[i], *listeners_.front()));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: cannot listen on %s: %s\n", options_.listen.c_str(), e.what());
    return 2;
  }
  if (admin_worker_) {
    try {
      listeners_.push_back(std::make_unique<listener>(*admin_worker_, *admin_endpoint_));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "callpolicy serve: cannot listen on %s (--admin-listen): %s\n",
                   options_.admin_listen.c_str(), e.what());
      return 2;
    }
  }
  return 0;
}

// A clinic without an `ai` block dials the server's --ai-sip or --ai-url;
// with neither, an address made up of its id that no Vapi account may
// have. Said once at start, naming a few (docs/operations.md, "The AI").
void http_server::warn_of_guessed_ai_addresses() const {
  if (!options_.ai_sip.empty() || !options_.ai_url.empty()) return;
  std::size_t guessed = 0;
  std::string named;
  for (const runtime_clinic& c : store_->current()->clinics()) {
    if (c.policy.ai.type != ai_config::kind::server_default) continue;
    if (++guessed <= 3) named += (named.empty() ? "" : ", ") + c.policy.id;
  }
  if (guessed == 0) return;
  std::string out;
  json_line(out)
      .add("level", "warning")
      .add("time_ms", now_ms())
      .add("message", "clinics without an 'ai' block dial sip:{id}@sip.vapi.ai: give each an 'ai' block, or "
                      "start with --ai-sip or --ai-url")
      .add("clinics", static_cast<std::int64_t>(guessed))
      .add("for_example", named)
      .end_line();
  write_log(out);
}

void http_server::reload_on_request() {
  std::unique_lock lock(reload_mutex_);
  for (;;) {
    reload_wanted_.wait(lock, [&] { return reload_pending_ || stopping_; });
    if (stopping_) return;
    reload_pending_ = false;
    lock.unlock();
    store_->reload();
    lock.lock();
  }
}

// SIGHUP reloads. SIGTERM drains: no new connections, requests already read
// are answered (their journal lines are on disk, so dropping them would make
// Twilio retry what is already recorded), then the loops stop.
void http_server::on_signal(beast::error_code ec, int signal) {
  if (ec) return;
  if (signal == SIGHUP) {
    {
      std::lock_guard lock(reload_mutex_);
      reload_pending_ = true;
    }
    reload_wanted_.notify_one();
    signals_->async_wait([this](beast::error_code e, int next) { on_signal(e, next); });
    return;
  }
  shared_->draining = true;
  drain_deadline_ = std::chrono::steady_clock::now() + options_.read_timeout;
  // Each listener is closed on its own worker's thread.
  for (auto& l : listeners_) net::post(l->owner().io(), [l = l.get()] { l->stop(); });
  check_drain({});
}

void http_server::check_drain(beast::error_code ec) {
  if (ec) return;
  if (shared_->in_flight == 0 || std::chrono::steady_clock::now() >= drain_deadline_) {
    for (auto& w : workers_) w->io().stop();
    if (admin_worker_) admin_worker_->io().stop();
    return;
  }
  drain_timer_->expires_after(std::chrono::milliseconds(5));
  drain_timer_->async_wait([this](beast::error_code e) { check_drain(e); });
}

void http_server::log_serving() const {
  std::string out;
  json_line(out)
      .add("level", "info")
      .add("time_ms", now_ms())
      .add("message", "serving")
      .add("listen", listeners_.front()->local_address())
      .add("admin_listen", admin_worker_ ? listeners_.back()->local_address() : std::string())
      .add("rules", options_.rules_path)
      .add("clinics", static_cast<std::int64_t>(store_->current()->clinics().size()))
      .add("threads", static_cast<std::int64_t>(options_.threads))
      .add("max_connections", static_cast<std::int64_t>(shared_->max_connections))
      .add("signature_validation", !options_.skip_signature)
      .add("state", options_.state)
      .add("journal", options_.journal_path)
      .end_line();
  write_log(out);
}

void http_server::serve() {
  // Nothing thrown on a worker may end the process: it is logged and the
  // worker goes back to serving. (Handlers catch their own; this is the net
  // under them.)
  const auto run_worker = [this](worker& w) {
    for (;;) {
      try {
        run_committing(w.io(), *log_);
        return;
      } catch (const std::exception& e) {
        log_message("error", "exception escaped to the event loop", "error", e.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers_.size(); ++i) threads.emplace_back(run_worker, std::ref(*workers_[i]));
  if (admin_worker_) threads.emplace_back(run_worker, std::ref(*admin_worker_));
  run_worker(*workers_.front());
  for (std::thread& t : threads) t.join();
  served_ = true;
}

http_server::~http_server() {
  if (reloader_.joinable()) {
    {
      std::lock_guard lock(reload_mutex_);
      stopping_ = true;
    }
    reload_wanted_.notify_one();
    reloader_.join();
  }
  for (auto& l : listeners_) l->stop();
  // What posts to the workers' loops from threads of its own stops first:
  // the shared store lets go of the connections that wait for it, and the
  // journal, drained, tells every connection waiting for a line.
  if (state_) state_->stop();
  log_.reset();
  // Then every connection is closed and every loop run dry, while the
  // handlers, the listeners and the signals still exist.
  for (auto& w : workers_) w->close_all();
  if (admin_worker_) admin_worker_->close_all();
  if (served_) log_message("info", "stopped");
}

}  // namespace

int run_server(server_options options) {
  // Large, short-lived buffers (a rotation's snapshot, which carries the
  // inbox; a big status page) come from mmap and go back to the system when
  // freed. glibc otherwise raises its mmap threshold after each such free,
  // and the next, larger one grows the heap for good.
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  http_server server(std::move(options));
  if (const int failed = server.start()) return failed;
  server.serve();
  return 0;
}

}  // namespace callpolicy::server
