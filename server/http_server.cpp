// The only file that knows Boost.Beast. HTTP/1.1 with keep-alive on two
// listeners: the public one (Twilio's webhooks, /healthz, /readyz) and the
// admin one (status, metrics, /admin/). Every read and write has a deadline;
// headers, trailers, chunk extensions and bodies are bounded, and so is the
// read buffer; connections are capped in all and per client address. A
// response may be completed from the journal's thread and is posted back to
// its connection's strand.
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
#include "server/request_arena.h"
#include "server/server.h"
#include "server/text.h"
#include "server/webhooks.h"

namespace callpolicy::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t body_limit = 64 * 1024;
constexpr std::size_t header_limit = 16 * 1024;
// A chunk's size line with its extensions, and the trailer section, must fit
// in the read buffer whole before Beast parses them, so its cap bounds both
// (and keeps Boost 1.74 from throwing on a trailer field over 64 KiB).
constexpr std::size_t read_buffer_limit = 32 * 1024;
constexpr std::size_t read_reserve = 4 * 1024;
// A connection keeps its response buffer up to this size between requests.
constexpr std::size_t wire_keep = 16 * 1024;
constexpr std::size_t chunk_extension_limit = 1024;
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_bytes = 1024 * 1024;
constexpr auto watch_period = std::chrono::seconds(1);
// Room for a Twilio webhook's headers and form body and the response; a
// larger request takes the rest from the heap.
constexpr std::size_t arena_size = 16 * 1024;
// Descriptors kept back from the connection cap for the journal, the rules
// watcher, Redis and the files a reload reads.
constexpr rlim_t reserved_descriptors = 64;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void log_message(std::string_view level, std::string_view message, std::string_view detail_name = {},
                 std::string_view detail = {}) {
  std::string out;
  json_line line(out);
  line.add("level", level).add("time_ms", now_ms()).add("message", message);
  if (!detail_name.empty()) line.add(detail_name, detail);
  line.end_line();
  write_log(out);
}

// What the server shares with every connection.
struct shared {
  shared(const server_options& o, webhooks& h, journal& j, metrics& m, unsigned cap)
      : options(o), hooks(h), log(j), journal_enabled(j.enabled()), stats(m), max_connections(cap) {}

  const server_options& options;
  webhooks& hooks;
  journal& log;
  const bool journal_enabled;
  metrics& stats;
  unsigned max_connections;
  std::atomic<unsigned> connections{0};
  std::atomic<unsigned> in_flight{0};  // requests read and not yet answered
  std::atomic<bool> draining{false};
  std::mutex per_address_mutex;
  std::unordered_map<std::string, unsigned> per_address;

  // Takes a connection slot for `address`; false when a cap is reached.
  bool admit(const std::string& address) {
    if (++connections > max_connections) {
      --connections;
      return false;
    }
    std::lock_guard lock(per_address_mutex);
    unsigned& n = per_address[address];
    if (n >= options.max_connections_per_address) {
      if (n == 0) per_address.erase(address);
      --connections;
      return false;
    }
    ++n;
    return true;
  }

  void release(const std::string& address) {
    {
      std::lock_guard lock(per_address_mutex);
      const auto it = per_address.find(address);
      if (it != per_address.end() && --it->second == 0) per_address.erase(it);
    }
    --connections;
  }
};

// How a request that could not be read is answered (nullopt: just close).
struct read_failure {
  unsigned status;
  std::string_view body;
};

std::optional<read_failure> failure_of(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted || ec == net::error::bad_descriptor) {
    return std::nullopt;
  }
  if (ec == http::error::body_limit) return read_failure{413, "request body over 64 KiB\n"};
  if (ec == http::error::header_limit) return read_failure{431, "request headers too large\n"};
  if (ec == http::error::buffer_overflow) {
    return read_failure{431, "request header, trailer or chunk line too large\n"};
  }
  if (ec == http::error::bad_chunk_extension) return read_failure{400, "chunk extension too large or malformed\n"};
  return read_failure{400, "malformed HTTP request\n"};
}

// RFC 9112 6.1 and 6.3: a request body is framed by Content-Length or by
// chunked as the final transfer coding, never both. Anything else could be
// read differently by a proxy in front (request smuggling), so it is refused.
// Each worker thread runs an io_context of its own and accepts from the one
// listening socket, like nginx's workers: a connection lives on one thread,
// so no strand is needed, and the executor's type is concrete rather than
// type-erased.
using executor = net::io_context::executor_type;
using socket_type = net::basic_stream_socket<tcp, executor>;
using acceptor_type = net::basic_socket_acceptor<tcp, executor>;
using timer_type = net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, executor>;

// Beast's parsed request, with every field and the body in the connection's arena.
using arena_chars = arena_allocator<char>;
using arena_body = http::basic_string_body<char, std::char_traits<char>, arena_chars>;
using request_parser = http::request_parser<arena_body, arena_chars>;
using request_message = request_parser::value_type;

std::optional<read_failure> framing_failure(const request_message& req) {
  if (req.count(http::field::host) > 1) return read_failure{400, "more than one Host header\n"};
  if (req.version() >= 11 && req.find(http::field::host) == req.end()) {
    return read_failure{400, "missing Host header\n"};
  }
  const auto codings = req.equal_range(http::field::transfer_encoding);
  if (codings.first == codings.second) return std::nullopt;
  if (req.version() < 11) return read_failure{400, "Transfer-Encoding in an HTTP/1.0 request\n"};
  if (req.find(http::field::content_length) != req.end()) {
    return read_failure{400, "both Transfer-Encoding and Content-Length\n"};
  }
  std::vector<std::string_view> list;
  for (auto it = codings.first; it != codings.second; ++it) {
    std::string_view value(it->value().data(), it->value().size());
    while (!value.empty()) {
      const auto comma = value.find(',');
      const std::string_view coding = trim(value.substr(0, comma));
      if (!coding.empty()) list.push_back(coding);
      value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    }
  }
  if (list.empty() || !iequals(list.back(), "chunked")) {
    return read_failure{400, "chunked must be the final transfer coding\n"};
  }
  // RFC 9112 suggests 501 here; 400 keeps 5xx meaning "our fault" on the
  // dashboards, and the connection closes all the same.
  if (list.size() > 1) return read_failure{400, "only the chunked transfer coding is supported\n"};
  return std::nullopt;
}

class session;

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

  // Where a session appends its line before it calls defer().
  std::string& lines() { return lines_; }

  // `s` sends its response once the lines are written.
  void defer(std::shared_ptr<session> s) {
    if (waiting_.empty()) net::post(io_, [this] { flush(); });
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
  std::string lines_;
  std::vector<std::shared_ptr<session>> waiting_;
  std::vector<std::shared_ptr<session>> sending_;
  std::atomic<unsigned>& in_flight_;
};

// One connection. Everything a request needs is reused from one request to
// the next: the read buffer, the arena that holds the parsed request, the
// response the handlers fill in and the buffer it is sent from.
class session final : public std::enable_shared_from_this<session>, journal_waiter, public state_waiter {
 public:
  session(socket_type socket, shared& s, log_batch& batch, bool admin, std::string address)
      : socket_(std::move(socket)), watchdog_(socket_.get_executor()), state_timer_(socket_.get_executor()), shared_(s),
        batch_(batch), admin_(admin),
        address_(std::move(address)),
        buffer_(read_buffer_limit), arena_(arena_size) {
    // Beast reads max(512, free capacity) bytes at a time: from an empty
    // buffer a Twilio webhook (about 1.5 KiB) took two reads.
    buffer_.reserve(read_reserve);
  }
  ~session() { shared_.release(address_); }

  void start() {
    beast::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->deadline_ = std::chrono::steady_clock::now() + self->shared_.options.read_timeout;
      self->watch();
      self->read();
    });
  }

 private:
  void read() {
    // Nothing allocated from the arena outlives this point.
    parser_.reset();
    arena_.reset();
    parser_.emplace(std::piecewise_construct, std::make_tuple(arena_chars(arena_)), std::make_tuple(arena_chars(arena_)));
    parser_->body_limit(body_limit);
    parser_->header_limit(header_limit);
    parser_->on_chunk_header(chunk_header_check_);
    // The first request gets the read deadline; later ones on a kept-alive
    // connection may idle longer before they start.
    expire_after(first_ ? shared_.options.read_timeout : shared_.options.idle_timeout);
    http::async_read_header(socket_, buffer_, *parser_,
                            with_memory(handler_memory_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            }));
  }

  void on_header(beast::error_code ec) {
    first_ = false;
    started_ = std::chrono::steady_clock::now();
    // Nothing of a previous request on this connection may leak into the log line.
    method_ = {};
    target_ = {};
    head_ = false;
    out_.clear();
    if (ec) return fail(ec);
    const request_message& req = parser_->get();
    method_ = view_of(req.method_string());
    target_ = view_of(req.target());
    if (const auto failure = framing_failure(req)) return send_error(*failure);
    // A request has its whole read deadline, however long it idled before.
    expire_after(shared_.options.read_timeout);
    http::async_read(socket_, buffer_, *parser_,
                     with_memory(handler_memory_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     }));
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail(ec);
    const request_message& req = parser_->get();
    request_view view;
    view.admin = admin_;
    view.method = method_;
    view.target = target_;
    view.content_type = view_of(req[http::field::content_type]);
    view.signature = view_of(req["X-Twilio-Signature"]);
    view.authorization = view_of(req[http::field::authorization]);
    view.body = std::string_view(req.body().data(), req.body().size());
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    ++shared_.in_flight;
    guarded([&] { shared_.hooks.handle(view, out_); });
    if (out_.awaiting_state) return await_state();
    handled();
  }

  // Runs a handler step: an exception is a bug, not bad input, answered 500
  // rather than taking the process down.
  template <typename Step>
  void guarded(Step step) {
    try {
      step();
    } catch (const std::exception& e) {
      log_message("error", "request handler threw", "error", e.what());
      out_.clear();
      out_.status = 500;
      out_.content_type = "text/plain";
      out_.body = "internal error\n";
      keep_alive_ = false;
    }
  }

  void handled() {
    if (out_.journal_line.empty() || !shared_.journal_enabled) return answer();
    // The answer leaves once the line is on disk; until then the journal
    // holds a pointer to this session, which keeps itself alive.
    waiting_self_ = shared_from_this();
    shared_.log.append(out_.journal_line, *this);
  }

  // A call waits for the shared store's count, at most --state-timeout,
  // without holding up the thread: other connections go on meanwhile.
  void await_state() {
    call_state& state = shared_.hooks.state();
    const std::uint64_t ticket = ++state_tickets_;
    state_ticket_ = ticket;
    std::int32_t local = 0;
    const bool wait = state.start_call_later(out_.call_sid, out_.clinic, out_.received, shared_from_this(), ticket, local);
    state_local_ = local;
    if (!wait) {
      state.note_fallback();
      return decided(local, true);
    }
    state_timer_.expires_after(shared_.options.state_timeout);
    state_timer_.async_wait(with_memory(handler_memory_, [self = shared_from_this(), ticket](beast::error_code ec) {
      if (ec || self->state_ticket_ != ticket) return;
      self->shared_.hooks.state().note_timeout();
      self->decided(self->state_local_, true);
    }));
  }

  // On the store's thread: back onto the connection.
  void state_answered(std::uint64_t ticket, std::int32_t others_active) override {
    net::post(socket_.get_executor(), [self = shared_from_this(), ticket, others_active] {
      if (self->state_ticket_ != ticket) return;  // decided already, with the local count
      self->state_timer_.cancel();
      self->decided(others_active, false);
    });
  }

  void decided(std::int32_t others_active, bool local) {
    state_ticket_ = 0;
    guarded([&] { shared_.hooks.finish_call(out_, others_active, local); });
    handled();
  }

  // On the journal's thread: back onto the connection.
  void journaled(bool ok) override {
    net::post(socket_.get_executor(), [self = std::move(waiting_self_), ok] {
      self->shared_.hooks.journaled(self->out_, ok);
      self->answer();
    });
  }

  void answer() {
    --shared_.in_flight;
    write_response(out_);
  }

  void fail(beast::error_code ec) {
    const auto failure = failure_of(ec);
    if (!failure) return close();
    send_error(*failure);
  }

  // A request that could not be read: answered, then the connection closes.
  void send_error(const read_failure& failure) {
    keep_alive_ = false;
    out_.clear();
    out_.status = failure.status;
    out_.content_type = "text/plain";
    out_.body.assign(failure.body);
    write_response(out_);
  }

  void write_response(const response& r) {
    const auto latency = std::chrono::steady_clock::now() - started_;
    shared_.stats.count_request(endpoint_label(target_, admin_), r.status, latency);
    log_request(r, latency);

    if (shared_.draining) keep_alive_ = false;
    // The response is a few fixed headers and a body: written straight into
    // one reused buffer and sent with one write, rather than through Beast's
    // serializer, which cost more than all the handler's formatting.
    wire_.clear();
    const beast::string_view phrase = http::obsolete_reason(static_cast<http::status>(r.status));
    const auto header = [&](std::string_view name, std::string_view value) {
      wire_.append(name).append(": ").append(value).append("\r\n");
    };
    wire_.append("HTTP/1.1 ").append(fmt::format_int(r.status).c_str()).append(" ");
    wire_.append(phrase.data(), phrase.size()).append("\r\n");
    header("Server", "callpolicy");
    header("Content-Type", r.content_type);
    if (!r.allow.empty()) header("Allow", r.allow);
    if (!r.authenticate.empty()) header("WWW-Authenticate", r.authenticate);
    if (!keep_alive_) header("Connection", "close");
    // HEAD answers the length GET would have sent, without the body.
    header("Content-Length", fmt::format_int(r.body.size()).c_str());
    wire_.append("\r\n");
    if (!head_) wire_ += r.body;
    expire_after(shared_.options.read_timeout);
    batch_.defer(shared_from_this());
  }

 public:
  // The log line is written: the response leaves.
  void send() {
    net::async_write(socket_, net::buffer(wire_),
                     with_memory(handler_memory_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       // A large answer (an admin /status) is not kept for the connection's life.
                       if (self->wire_.capacity() > wire_keep) std::string().swap(self->wire_);
                       if (ec) return self->close();
                       if (!self->keep_alive_) return self->linger();
                       self->read();
                     }));
  }

 private:
  void log_request(const response& r, std::chrono::steady_clock::duration latency) {
    json_line line(batch_.lines());
    line.add("level", r.status >= 500 ? "error" : r.action == "not-in-service" ? "warning" : "info")
        .add("time_ms", now_ms())
        .add("remote", address_)
        .add("method", method_)
        .add("path", target_)
        .add("status", static_cast<std::int64_t>(r.status))
        .add("latency_us", std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
    if (!r.clinic.empty()) line.add("clinic", r.clinic);
    if (!r.call_sid.empty()) line.add("call_sid", r.call_sid);
    if (!r.action.empty()) line.add("action", r.action);
    if (!r.reason.empty()) line.add("reason", r.reason);
    line.end_line();
  }

  // Done with the connection: no more sending, and the watchdog lets go.
  void close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    closed_ = true;
    watchdog_.cancel();
    state_timer_.cancel();
  }

  // Deadlines, after Beast's http_server_fast: setting one is an assignment;
  // one timer per connection wakes at most once a second to compare, and
  // closes the socket when it has passed (which fails the pending read or
  // write). Arming a timer per read and write, as beast::tcp_stream does,
  // cost an allocation and a timer operation each.
  void expire_after(std::chrono::steady_clock::duration d) { deadline_ = std::chrono::steady_clock::now() + d; }

  void watch() {
    watchdog_.expires_after(std::min<std::chrono::steady_clock::duration>(watch_period, deadline_ - std::chrono::steady_clock::now()));
    watchdog_.async_wait(with_memory(handler_memory_, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      if (std::chrono::steady_clock::now() >= self->deadline_) {
        beast::error_code ignored;
        self->socket_.close(ignored);
        self->closed_ = true;
        return;
      }
      self->watch();
    }));
  }

  // Closing a socket with unread input sends a reset, which can destroy the
  // response still in flight to the client (an error answered before the
  // request was read whole). So, like nginx's lingering close, stop sending
  // and read what the client still sends for a little while, bounded in
  // time and bytes, before closing.
  void linger() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    expire_after(linger_time);
    discard();
  }

  void discard() {
    socket_.async_read_some(net::buffer(discard_buffer_),
                            with_memory(handler_memory_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (!ec && self->lingered_ < linger_bytes) return self->discard();
                              self->close();
                            }));
  }

  static std::string_view view_of(beast::string_view v) { return {v.data(), v.size()}; }

  socket_type socket_;
  timer_type watchdog_;
  timer_type state_timer_;
  std::uint64_t state_tickets_ = 0;
  std::uint64_t state_ticket_ = 0;  // the call waiting for the store; 0: none
  std::int32_t state_local_ = 0;
  std::chrono::steady_clock::time_point deadline_{};
  bool closed_ = false;
  shared& shared_;
  log_batch& batch_;
  const bool admin_;
  const std::string address_;
  beast::flat_buffer buffer_;
  request_arena arena_;
  handler_memory handler_memory_;
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> chunk_header_check_ =
      [](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
        if (extensions.size() > chunk_extension_limit) ec = http::error::bad_chunk_extension;
      };
  std::optional<request_parser> parser_;
  std::string wire_;  // the response as sent
  // Views into the parser's message: valid until the next read().
  std::string_view method_;
  std::string_view target_;
  response out_;
  std::shared_ptr<session> waiting_self_;
  std::array<char, 4096> discard_buffer_;
  std::size_t lingered_ = 0;
  bool keep_alive_ = false;
  bool head_ = false;
  bool first_ = true;
  std::chrono::steady_clock::time_point started_{};
};

void log_batch::flush() {
  write_log(lines_);
  lines_.clear();
  // A send may finish a request whose next response joins a new batch.
  sending_.swap(waiting_);
  for (const auto& s : sending_) {
    s->send();
    --in_flight_;
  }
  sending_.clear();
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
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, socket_type socket) {
      self->on_accept(ec, std::move(socket));
    });
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
      if (shared_.draining || !shared_.admit(address)) {
        // Over a cap: refuse at once rather than queue without bound.
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<session>(std::move(socket), shared_, batch_, admin_, std::move(address))->start();
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

void serve_one_connection(int fd, const server_options& options, webhooks& hooks, journal& log, metrics& stats,
                          bool admin) {
  net::io_context io(1);
  shared s(options, hooks, log, stats, 1);
  log_batch batch(io, s.in_flight);
  socket_type socket(io.get_executor());
  beast::error_code ec;
  socket.assign(tcp::v4(), fd, ec);
  if (ec || !s.admit("fuzz")) {
    ::close(fd);
    return;
  }
  std::make_shared<session>(std::move(socket), s, batch, admin, "fuzz")->start();
  io.run();
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
                     options.journal_path.empty() ? std::string() : options.journal_path + ".last-good.json");
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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy serve: %s\n", e.what());
    return 2;
  }
  webhooks hooks(options, store, *state, *log, stats, &overrides);
  if (!options.journal_path.empty()) {
    // Shared state lives in Redis already; only a memory store is rebuilt.
    const replay_summary replayed = hooks.replay(options.journal_path, options.state == "memory");
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

  // One io_context per worker thread; the first also takes signals, the
  // admin listener and the drain.
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (unsigned i = 0; i < options.threads; ++i) contexts.push_back(std::make_unique<net::io_context>(1));
  net::io_context& io = *contexts.front();
  shared s(options, hooks, *log, stats, connection_cap(options.max_connections));
  std::vector<std::unique_ptr<log_batch>> batches;
  for (auto& context : contexts) batches.push_back(std::make_unique<log_batch>(*context, s.in_flight));
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
      admin_listener = std::make_shared<listener>(io, *admin_endpoint, s, *batches.front(), true);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "callpolicy serve: cannot listen on %s (--admin-listen): %s\n",
                   options.admin_listen.c_str(), e.what());
      return 2;
    }
    admin_listener->accept();
  }
  for (auto& l : public_listeners) l->accept();
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
    if (admin_listener) admin_listener->stop();
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
  const auto run_worker = [](net::io_context& context) {
    for (;;) {
      try {
        context.run();
        return;
      } catch (const std::exception& e) {
        log_message("error", "exception escaped to the event loop", "error", e.what());
      }
    }
  };
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < options.threads; ++i) workers.emplace_back(run_worker, std::ref(*contexts[i]));
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
  contexts.clear();
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
