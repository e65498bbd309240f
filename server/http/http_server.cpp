// The server's process: HTTP/1.1 with keep-alive on two listeners, the
// public one (Twilio's webhooks, /healthz, /readyz) and the admin one
// (the status page, /status, /metrics, /admin/); connections capped in all
// and per client address; one event loop per worker thread; SIGHUP reloads,
// SIGTERM drains. One connection's request path is http_session.cpp; Beast
// and Asio appear in these two files and http_session.h only.
// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

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

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& io, tcp::endpoint endpoint, shared& s, log_batch& batch, bool admin)
      : acceptor_(io.get_executor()), backoff_(io.get_executor()), shared_(s), batch_(batch), admin_(admin) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  // Another worker's listener on the same listening socket (a duplicate of
  // its descriptor): every worker accepts from one queue, and the address
  // stays bound exclusively, so a second server on a taken port still fails
  // to start (SO_REUSEPORT would let it share the port silently).
  listener(net::io_context& io, const listener& first, shared& s, log_batch& batch)
      : acceptor_(io.get_executor()), backoff_(io.get_executor()), shared_(s), batch_(batch), admin_(first.admin_) {
    const int fd = ::dup(const_cast<acceptor_type&>(first.acceptor_).native_handle());
    if (fd < 0) throw std::runtime_error("cannot share the listening socket");
    acceptor_.assign(first.acceptor_.local_endpoint().protocol(), fd);
  }

  void accept() {
    acceptor_.async_accept(with_memory(accept_memory_, [self = shared_from_this()](beast::error_code ec,
                                                                                    socket_type socket) {
      self->on_accept(ec, std::move(socket));
    }));
  }

  void stop() {
    beast::error_code ec;
    acceptor_.close(ec);
    backoff_.cancel();
  }

  std::string local_address() const {
    const auto e = acceptor_.local_endpoint();
    return e.address().is_v6() ? fmt::format("[{}]:{}", e.address().to_string(), e.port())
                               : fmt::format("{}:{}", e.address().to_string(), e.port());
  }

 private:
  void on_accept(beast::error_code ec, socket_type socket) {
    if (!acceptor_.is_open()) return;
    if (ec == net::error::no_descriptors || ec.value() == ENFILE || ec == net::error::no_buffer_space ||
        ec == net::error::no_memory) {
      // Out of descriptors: accepting again at once would spin at 100% CPU
      // while the pending connection stays queued. Wait for some to close.
      if (!out_of_descriptors_) log_message("warning", "accept paused: out of file descriptors", "error", ec.message());
      out_of_descriptors_ = true;
      backoff_.expires_after(std::chrono::milliseconds(50));
      backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec) self->accept();
      });
      return;
    }
    if (!ec) {
      out_of_descriptors_ = false;
      beast::error_code endpoint_ec;
      const auto remote = socket.remote_endpoint(endpoint_ec);
      std::string address = endpoint_ec ? std::string("unknown") : remote.address().to_string();
      if (shared_.draining || !shared_.admit(address, admin_)) {
        // Over a cap: refuse at once rather than queue without bound.
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        start_session(std::move(socket), shared_, batch_, admin_, std::move(address));
      }
    }
    accept();
  }

  acceptor_type acceptor_;
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, executor> backoff_;
  shared& shared_;
  log_batch& batch_;
  const bool admin_;
  bool out_of_descriptors_ = false;
  handler_memory accept_memory_;  // the accept in flight
};

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
  net::io_context io(1);
  shared s(options, hooks, log, stats, 1);
  log_batch batch(io, s.in_flight);
  socket_type socket(io.get_executor());
  beast::error_code ec;
  socket.assign(tcp::v4(), fd, ec);
  if (ec || !s.admit("fuzz", admin)) {
    ::close(fd);
    return;
  }
  start_session(std::move(socket), s, batch, admin, "fuzz");
  run_committing(io, log);
  batch.clear();
}

int run_server(server_options options) {
  const auto endpoint = parse_listen(options.listen);
  if (!endpoint) {
    std::fprintf(stderr, "callpolicy serve: --listen '%s' is not HOST:PORT\n", options.listen.c_str());
    return 2;
  }
  std::optional<tcp::endpoint> admin_endpoint;
  if (!options.admin_listen.empty()) {
    admin_endpoint = parse_listen(options.admin_listen);
    if (!admin_endpoint) {
      std::fprintf(stderr, "callpolicy serve: --admin-listen '%s' is not HOST:PORT\n", options.admin_listen.c_str());
      return 2;
    }
  }
  if (options.public_url.empty()) options.public_url = "http://" + options.listen;
  while (!options.public_url.empty() && options.public_url.back() == '/') options.public_url.pop_back();
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());

  // Each applied set is kept beside the journal, so that a restart (after a
  // crash) while the rules have a broken edit still serves the last good set.
  policy_store store(options.rules_path,
                     options.journal_path.empty() ? std::string() : options.journal_path + ".last-good.json",
                     options.allow_empty);
  if (!store.reload() && !store.load_last_good()) {
    const reload_report report = store.last_report();
    std::fputs(render_text(report.diagnostics, {}, false).c_str(), stderr);
    std::fprintf(stderr, "callpolicy serve: cannot load '%s': %s\n", options.rules_path.c_str(),
                 report.error.c_str());
    return report.io_error ? 2 : 1;  // the CLI's contract: I/O errors 2, policy errors 1
  }
  override_table overrides;
  std::unique_ptr<call_state> state;
  try {
    state = options.state == "memory"
                ? make_memory_state(options.call_ttl)
                : make_shared_state({options.state, options.state_prefix, options.call_ttl}, overrides);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: --state: %s\n", e.what());
    return 2;
  }
  metrics stats;
  std::unique_ptr<journal> log;
  try {
    log = std::make_unique<journal>(options.journal_path);
    // One loop commits its own lines; several share a thread that commits
    // (server/journal.h says why).
    if (options.threads > 1) log->start_writer();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: %s\n", e.what());
    return 2;
  }
  handlers hooks(options, store, *state, *log, stats, &overrides);
  if (!options.journal_path.empty()) {
    // Shared state lives in Redis already; only a memory store is rebuilt.
    const replay_summary replayed = hooks.replayer().replay(options.journal_path, options.state == "memory");
    std::string out;
    json_line(out)
        .add("level", "info")
        .add("time_ms", now_ms())
        .add("message", "journal replayed")
        .add("journal", options.journal_path)
        .add("records", static_cast<std::int64_t>(replayed.records))
        .add("skipped", static_cast<std::int64_t>(replayed.skipped))
        .end_line();
    write_log(out);
  }

  // A clinic without an `ai` block dials the server's --ai-sip or --ai-url;
  // with neither, an address made up of its id that no Vapi account may
  // have. Said once at start, naming a few (docs/operations.md, "The AI").
  if (options.ai_sip.empty() && options.ai_url.empty()) {
    std::size_t guessed = 0;
    std::string named;
    for (const runtime_clinic& c : store.current()->clinics()) {
      if (c.policy.ai.type != ai_config::kind::server_default) continue;
      if (++guessed <= 3) named += (named.empty() ? "" : ", ") + c.policy.id;
    }
    if (guessed > 0) {
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
  }

  // One io_context per worker thread; the first also takes signals and the
  // drain. The admin listener has a thread of its own: its reads may wait
  // for a slow Redis, and no webhook may wait behind them.
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (unsigned i = 0; i < options.threads; ++i) contexts.push_back(std::make_unique<net::io_context>(1));
  net::io_context& io = *contexts.front();
  auto admin_context = std::make_unique<net::io_context>(1);
  shared s(options, hooks, *log, stats, connection_cap(options.max_connections));
  std::vector<std::unique_ptr<log_batch>> batches;
  for (auto& context : contexts) batches.push_back(std::make_unique<log_batch>(*context, s.in_flight));
  auto admin_batch = std::make_unique<log_batch>(*admin_context, s.in_flight);
  std::vector<std::shared_ptr<listener>> public_listeners;
  std::shared_ptr<listener> admin_listener;
  try {
    public_listeners.push_back(std::make_shared<listener>(*contexts.front(), *endpoint, s, *batches.front(), false));
    for (std::size_t i = 1; i < contexts.size(); ++i) {
      public_listeners.push_back(std::make_shared<listener>(*contexts[i], *public_listeners.front(), s, *batches[i]));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: cannot listen on %s: %s\n", options.listen.c_str(), e.what());
    return 2;
  }
  if (admin_endpoint) {
    try {
      admin_listener = std::make_shared<listener>(*admin_context, *admin_endpoint, s, *admin_batch, true);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "callpolicy serve: cannot listen on %s (--admin-listen): %s\n",
                   options.admin_listen.c_str(), e.what());
      return 2;
    }
    admin_listener->accept();
  }
  // Watching before answering: an edit made once the server answers is seen.
  store.watch();
  for (auto& l : public_listeners) l->accept();

  // SIGHUP reloads on a thread of its own, so that no request waits on a compile.
  std::mutex reload_mutex;
  std::condition_variable reload_wanted;
  bool reload_pending = false;
  bool stopping = false;
  std::thread reloader([&] {
    std::unique_lock lock(reload_mutex);
    for (;;) {
      reload_wanted.wait(lock, [&] { return reload_pending || stopping; });
      if (stopping) return;
      reload_pending = false;
      lock.unlock();
      store.reload();
      lock.lock();
    }
  });

  // SIGTERM drains: no new connections, requests already read are answered
  // (their journal lines are on disk, so dropping them would make Twilio
  // retry what is already recorded), then the loop stops.
  // Destroyed before the contexts (below), hence optional.
  std::optional<net::signal_set> signals(std::in_place, io, SIGINT, SIGTERM, SIGHUP);
  std::optional<net::steady_timer> drain_timer(std::in_place, io);
  std::chrono::steady_clock::time_point drain_deadline{};
  std::function<void(beast::error_code)> drain_check = [&](beast::error_code ec) {
    if (ec) return;
    if (s.in_flight == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      for (auto& context : contexts) context->stop();
      admin_context->stop();
      return;
    }
    drain_timer->expires_after(std::chrono::milliseconds(5));
    drain_timer->async_wait(drain_check);
  };
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      {
        std::lock_guard lock(reload_mutex);
        reload_pending = true;
      }
      reload_wanted.notify_one();
      signals->async_wait(on_signal);
      return;
    }
    s.draining = true;
    drain_deadline = std::chrono::steady_clock::now() + options.read_timeout;
    // Each listener is closed on its own worker's thread.
    for (std::size_t i = 0; i < contexts.size(); ++i) {
      net::post(*contexts[i], [l = public_listeners[i]] { l->stop(); });
    }
    if (admin_listener) net::post(*admin_context, [l = admin_listener] { l->stop(); });
    drain_check({});
  };
  signals->async_wait(on_signal);

  {
    std::string out;
    json_line(out)
        .add("level", "info")
        .add("time_ms", now_ms())
        .add("message", "serving")
        .add("listen", public_listeners.front()->local_address())
        .add("admin_listen", admin_listener ? admin_listener->local_address() : std::string())
        .add("rules", options.rules_path)
        .add("clinics", static_cast<std::int64_t>(store.current()->clinics().size()))
        .add("threads", static_cast<std::int64_t>(options.threads))
        .add("max_connections", static_cast<std::int64_t>(s.max_connections))
        .add("signature_validation", !options.skip_signature)
        .add("state", options.state)
        .add("journal", options.journal_path)
        .end_line();
    write_log(out);
  }

  // Nothing thrown on a worker may end the process: it is logged and the
  // worker goes back to serving. (Handlers catch their own; this is the net
  // under them.)
  const auto run_worker = [&journal_log = *log](net::io_context& context) {
    for (;;) {
      try {
        run_committing(context, journal_log);
        return;
      } catch (const std::exception& e) {
        log_message("error", "exception escaped to the event loop", "error", e.what());
      }
    }
  };
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < options.threads; ++i) workers.emplace_back(run_worker, std::ref(*contexts[i]));
  if (admin_listener) workers.emplace_back(run_worker, std::ref(*admin_context));
  run_worker(io);
  for (std::thread& t : workers) t.join();
  // The shared store's thread may hold sessions that wait for it: let go of
  // them while the contexts and what the sessions point to still exist.
  state->stop();
  // Drain the journal while the io_contexts it posts completions to still
  // exist; then destroy the contexts, and with them the sessions, while what
  // the sessions point to (the shared state, the listeners) still exists.
  log.reset();
  signals.reset();
  drain_timer.reset();
  public_listeners.clear();
  admin_listener.reset();
  for (auto& batch : batches) batch->clear();
  admin_batch->clear();
  contexts.clear();
  admin_context.reset();
  {
    std::lock_guard lock(reload_mutex);
    stopping = true;
  }
  reload_wanted.notify_one();
  reloader.join();
  log_message("info", "stopped");
  return 0;
}

}  // namespace callpolicy::server
