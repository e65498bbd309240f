// The only file that knows Boost.Beast. HTTP/1.1 with keep-alive; every read
// and write has a deadline; bodies are capped at 64 KiB; connections are
// capped; a response may be completed from the journal's thread and is
// posted back to its connection's strand.
// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/diagnostic_render.h"
#include "server/server.h"
#include "server/webhooks.h"

namespace callpolicy::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t body_limit = 64 * 1024;
constexpr std::size_t header_limit = 16 * 1024;

struct shared {
  const server_options& options;
  webhooks& hooks;
  metrics& stats;
  std::atomic<unsigned> connections{0};
};

void log_line(const nlohmann::ordered_json& j) {
  const std::string line = j.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string endpoint_label(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  static constexpr std::string_view known[] = {
      "/twilio/voice", "/api/twilio/voice", "/twilio/sip", "/api/twilio/sip", "/twilio/status",
      "/api/twilio/status", "/twilio/dial-status", "/api/twilio/dial-status", "/twilio/voicemail",
      "/api/twilio/voicemail", "/twilio/hangup", "/api/twilio/hangup", "/healthz", "/readyz",
      "/status", "/metrics"};
  for (std::string_view k : known) {
    if (path == k) return std::string(k);
  }
  return "other";  // unknown paths must not grow the metric's label set
}

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, shared& s) : stream_(std::move(socket)), shared_(s) {}
  ~session() { --shared_.connections; }

  void start() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(body_limit);
    parser_->header_limit(header_limit);
    // The first request gets the read deadline; later ones on a kept-alive
    // connection may idle longer before they start.
    stream_.expires_after(first_ ? shared_.options.read_timeout : shared_.options.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    first_ = false;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      return close();
    }
    started_ = std::chrono::steady_clock::now();
    // Nothing of a previous request on this connection may leak into the log line.
    request_ = {};
    target_.clear();
    if (ec == http::error::body_limit) return send_error(413, "request body over 64 KiB\n");
    if (ec == http::error::header_limit) return send_error(431, "request headers too large\n");
    if (ec) return send_error(400, "malformed HTTP request\n");
    request_ = parser_->release();
    const auto& req = request_;
    // RFC 9112: an HTTP/1.1 request without Host is answered 400.
    if (req.version() >= 11 && req.find(http::field::host) == req.end()) {
      target_ = std::string(req.target());
      return send_error(400, "missing Host header\n");
    }
    target_ = std::string(req.target());
    request_view view;
    const auto std_view = [](beast::string_view v) { return std::string_view(v.data(), v.size()); };
    view.method = std_view(req.method_string());
    view.target = target_;
    view.content_type = std_view(req[http::field::content_type]);
    view.signature = std_view(req["X-Twilio-Signature"]);
    view.body = req.body();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    shared_.hooks.handle(view, [self = shared_from_this()](response r) {
      // May run on the journal's thread: hop back onto the connection.
      net::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  // A request that could not be read: answered, then the connection closes.
  void send_error(unsigned status, std::string body) {
    keep_alive_ = false;
    response r;
    r.status = status;
    r.content_type = "text/plain";
    r.body = std::move(body);
    write(std::move(r));
  }

  void write(response r) {
    const auto latency = std::chrono::steady_clock::now() - started_;
    const std::string endpoint = endpoint_label(target_);
    shared_.stats.count_request(endpoint, r.status, latency);
    nlohmann::ordered_json log{{"level", r.status >= 500 ? "error" : r.action == "not-in-service" ? "warning" : "info"},
                               {"time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch()).count()},
                               {"method", std::string(request_.method_string())},
                               {"path", target_},
                               {"status", r.status},
                               {"latency_us", std::chrono::duration_cast<std::chrono::microseconds>(latency).count()}};
    if (!r.clinic.empty()) log["clinic"] = r.clinic;
    if (!r.call_sid.empty()) log["call_sid"] = r.call_sid;
    if (!r.action.empty()) log["action"] = r.action;
    if (!r.reason.empty()) log["reason"] = r.reason;
    log_line(log);

    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "callpolicy");
    res->set(http::field::content_type, r.content_type);
    if (!r.allow.empty()) res->set(http::field::allow, r.allow);
    res->keep_alive(keep_alive_);
    res->body() = head_ ? std::string() : std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(shared_.options.read_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || !self->keep_alive_) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  std::string target_;
  bool keep_alive_ = false;
  bool head_ = false;
  bool first_ = true;
  std::chrono::steady_clock::time_point started_{};
};

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& io, tcp::endpoint endpoint, shared& s)
      : io_(io), acceptor_(net::make_strand(io)), shared_(s) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  void accept() {
    acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (!ec) {
        if (++self->shared_.connections > self->shared_.options.max_connections) {
          // Over the cap: refuse at once rather than queue without bound.
          --self->shared_.connections;
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          std::make_shared<session>(std::move(socket), self->shared_)->start();
        }
      }
      if (self->acceptor_.is_open()) self->accept();
    });
  }

  void stop() {
    beast::error_code ec;
    acceptor_.close(ec);
  }

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  net::io_context& io_;
  tcp::acceptor acceptor_;
  shared& shared_;
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

}  // namespace

int run_server(server_options options) {
  const auto endpoint = parse_listen(options.listen);
  if (!endpoint) {
    std::fprintf(stderr, "callpolicy serve: --listen '%s' is not HOST:PORT\n", options.listen.c_str());
    return 2;
  }
  if (options.public_url.empty()) options.public_url = "http://" + options.listen;
  while (!options.public_url.empty() && options.public_url.back() == '/') options.public_url.pop_back();
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());

  policy_store store(options.rules_path);
  if (!store.reload()) {
    const reload_report report = store.last_report();
    std::fputs(render_text(report.diagnostics, {}, false).c_str(), stderr);
    std::fprintf(stderr, "callpolicy serve: cannot load '%s': %s\n", options.rules_path.c_str(),
                 report.error.c_str());
    return 1;
  }
  std::unique_ptr<call_state> state;
  try {
    state = options.state == "memory" ? make_memory_state(options.call_ttl)
                                      : make_redis_state(options.state, options.call_ttl);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: --state: %s\n", e.what());
    return 2;
  }
  std::vector<std::string> replayed;
  if (!options.journal_path.empty()) replayed = journal::read_lines(options.journal_path);
  std::unique_ptr<journal> log;
  try {
    log = std::make_unique<journal>(options.journal_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: %s\n", e.what());
    return 2;
  }
  metrics stats;
  webhooks hooks(options, store, *state, *log, stats);
  // Shared state lives in Redis already; only a memory store is rebuilt.
  hooks.replay(replayed, options.state == "memory");

  net::io_context io(static_cast<int>(options.threads));
  shared s{options, hooks, stats};
  std::shared_ptr<listener> accept_loop;
  try {
    accept_loop = std::make_shared<listener>(io, *endpoint, s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: cannot listen on %s: %s\n", options.listen.c_str(), e.what());
    return 2;
  }
  accept_loop->accept();
  store.watch();

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

  net::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      {
        std::lock_guard lock(reload_mutex);
        reload_pending = true;
      }
      reload_wanted.notify_one();
      signals.async_wait(on_signal);
      return;
    }
    accept_loop->stop();
    io.stop();
  };
  signals.async_wait(on_signal);

  log_line({{"level", "info"},
            {"message", "serving"},
            {"listen", accept_loop->local_endpoint().address().to_string() + ":" +
                           std::to_string(accept_loop->local_endpoint().port())},
            {"rules", options.rules_path},
            {"clinics", store.current()->clinics().size()},
            {"threads", options.threads},
            {"signature_validation", !options.skip_signature},
            {"state", options.state},
            {"journal", options.journal_path}});

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < options.threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : workers) t.join();
  // Drain the journal while the io_context it posts completions to still exists.
  log.reset();
  {
    std::lock_guard lock(reload_mutex);
    stopping = true;
  }
  reload_wanted.notify_one();
  reloader.join();
  log_line({{"level", "info"}, {"message", "stopped"}});
  return 0;
}

}  // namespace callpolicy::server
