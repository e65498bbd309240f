// One connection's request path: read a request into the connection's
// arena, hand it to the handlers, wait (without holding the thread) for the
// shared store's count or the journal when the answer needs them, and write
// the response from one reused buffer. Every read and write has a deadline;
// headers, trailers, chunk extensions and bodies are bounded, and so is the
// read buffer.
#include "server/http/http_session.h"

#include <array>
#include <functional>
#include <optional>


#include "server/state/call_state.h"
#include "server/endpoints.h"
#include "server/journal/journal.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/http/request_arena.h"
#include "server/http/request_framing.h"
#include "server/http/response_wire.h"
#include "server/text.h"
#include "server/handlers.h"

namespace callpolicy::server {

namespace {

constexpr std::size_t body_limit = 64 * 1024;
constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t chunk_extension_limit = 1024;
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_bytes = 1024 * 1024;
constexpr auto watch_period = std::chrono::seconds(1);

}  // namespace

// One connection slot. Everything a request needs is reused from one
// request to the next and from one connection to the next: the read buffer,
// the arena that holds the parsed request, the response the handlers fill in
// and the buffer it is sent from.
class connection final : journal_waiter, public state_waiter {
 public:
  explicit connection(worker& owner)
      : owner_(owner),
        shared_(owner.common()),
        batch_(owner.batch()),
        admin_(owner.admin()),
        executor_(owner.io().get_executor()),
        socket_(executor_),
        watchdog_(executor_),
        state_timer_(executor_) {}

  // A connection accepted into this slot, on the worker's thread.
  void open(socket_type socket, std::string address) {
    if (!memory_) memory_ = std::make_unique<connection_memory>();
    socket_ = std::move(socket);
    address_ = std::move(address);
    closed_ = false;
    given_back_ = false;
    first_ = true;
    keep_alive_ = false;
    head_ = false;
    lingered_ = 0;
    beast::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    deadline_ = std::chrono::steady_clock::now() + shared_.options.read_timeout;
    watch();
    read();
  }

  // The slot is free: its memory cleared for the next connection, or given
  // back to the heap.
  void retire(bool keep_memory) {
    parser_.reset();  // its fields live in the arena
    if (keep_memory) {
      memory_->clear();
    } else {
      memory_.reset();
    }
  }

  // At the worker's end: the socket closed and the timers cancelled, so that
  // every operation completes (aborted) when the loop next runs.
  void abort() {
    if (given_back_) return;
    closed_ = true;
    beast::error_code ignored;
    socket_.close(ignored);
    watchdog_.cancel();
    state_timer_.cancel();
    settle();
  }

 private:
  // An operation of this connection's, counted until its completion has
  // run: the slot is given back only once nothing can still reach it.
  template <typename Handler>
  auto counted(Handler handler) {
    ++pending_;
    return with_memory(memory_->operations, [this, handler = std::move(handler)](auto... args) mutable {
      --pending_;
      handler(args...);
      settle();
    });
  }

  void read() {
    // Nothing allocated from the arena outlives this point.
    parser_.reset();
    memory_->arena.reset();
    parser_.emplace(std::piecewise_construct, std::make_tuple(arena_chars(memory_->arena)),
                    std::make_tuple(arena_chars(memory_->arena)));
    parser_->body_limit(body_limit);
    parser_->header_limit(header_limit);
    parser_->on_chunk_header(chunk_header_check_);
    // The first request gets the read deadline; later ones on a kept-alive
    // connection may idle longer before they start.
    expire_after(first_ ? shared_.options.read_timeout : shared_.options.idle_timeout);
    if (memory_->buffer.size() == 0 || !parse_header()) read_header_bytes();
  }

  // The header is read here rather than by http::async_read_header so that
  // its bytes can be seen before the parser consumes them: Beast unfolds
  // obsolete line folding silently, and a request with it is refused.
  void read_header_bytes() {
    const std::size_t size = beast::read_size(memory_->buffer, 65536);
    socket_.async_read_some(memory_->buffer.prepare(size),
                            counted([this](beast::error_code ec, std::size_t n) { on_header_bytes(ec, n); }));
  }

  void on_header_bytes(beast::error_code ec, std::size_t n) {
    memory_->buffer.commit(n);
    if (ec == net::error::eof) {
      // Beast's own rule: a connection closed between requests has ended; one
      // closed inside a header sent half a request.
      return on_header(parser_->got_some() || memory_->buffer.size() > 0 ? http::error::partial_message
                                                                 : http::error::end_of_stream);
    }
    if (ec) return on_header(ec);
    if (!parse_header()) read_header_bytes();
  }

  // Feeds the buffered bytes to the parser; false when it needs more. The
  // parser takes none of a header until all of it has arrived, so the whole
  // header is in the buffer when it is checked.
  bool parse_header() {
    beast::error_code ec;
    const std::size_t used = parser_->put(memory_->buffer.data(), ec);
    if (ec == http::error::need_more) {
      memory_->buffer.consume(used);
      return false;
    }
    const bool folded = !ec && has_obs_fold(std::string_view(static_cast<const char*>(memory_->buffer.data().data()), used));
    memory_->buffer.consume(used);
    on_header(ec, folded);
    return true;
  }

  void on_header(beast::error_code ec, bool folded = false) {
    first_ = false;
    started_ = std::chrono::steady_clock::now();
    // Nothing of a previous request on this connection may leak into the log line.
    method_ = {};
    target_ = {};
    head_ = false;
    memory_->out.clear();
    memory_->call.clear();
    if (ec) return fail(ec);
    const request_message& req = parser_->get();
    method_ = view_of(req.method_string());
    target_ = view_of(req.target());
    if (folded) return send_error({400, "obsolete line folding in a header is not accepted\n"});
    if (const auto failure = framing_failure(req)) return send_error(*failure);
    // A request has its whole read deadline, however long it idled before.
    expire_after(shared_.options.read_timeout);
    http::async_read(socket_, memory_->buffer, *parser_, counted([this](beast::error_code ec, std::size_t) { on_read(ec); }));
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail(ec);
    // Closed while the request was read from what was buffered (a timeout,
    // the worker's end): no handler runs for it.
    if (closed_) return close();
    const request_message& req = parser_->get();
    request_view view;
    view.admin = admin_;
    view.method = method_;
    view.target = target_;
    view.content_type = view_of(req[http::field::content_type]);
    view.signature = view_of(req["X-Twilio-Signature"]);
    view.authorization = view_of(req[http::field::authorization]);
    view.host = view_of(req[http::field::host]);
    view.repeated_credentials = req.count("X-Twilio-Signature") > 1 || req.count(http::field::authorization) > 1;
    view.body = std::string_view(req.body().data(), req.body().size());
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    ++shared_.in_flight;
    guarded([&] { shared_.hooks.handle(view, memory_->out, memory_->call); });
    if (memory_->call.awaiting_state) return await_state();
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
      memory_->out.clear();
      memory_->out.status = 500;
      memory_->out.content_type = "text/plain";
      memory_->out.body = "internal error\n";
      keep_alive_ = false;
    }
  }

  void handled() {
    if (memory_->out.journal_line.empty() || !shared_.journal_enabled) return answer();
    // The answer leaves once the line is on disk; until then the journal
    // holds this slot, which the wait keeps from being given back.
    ++pending_;
    shared_.log.append(memory_->out.journal_line, *this);
  }

  // A call waits for the shared store's count, at most --state-timeout,
  // without holding up the thread: other connections go on meanwhile.
  void await_state() {
    call_state& state = shared_.hooks.state();
    const std::uint64_t ticket = ++state_tickets_;
    state_ticket_ = ticket;
    std::int32_t local = 0;
    bool local_admitted = false;
    const bool wait = state.start_call_later(memory_->out.call_sid, memory_->out.clinic, memory_->call.received,
                                             shared_.hooks.twilio().leg_request(memory_->call), *this, ticket,
                                             local, local_admitted);
    state_local_ = local;
    state_local_admitted_ = local_admitted;
    if (!wait) {
      state.note_fallback();
      return decided(local, local_admitted, true);
    }
    state_timer_.expires_after(shared_.options.state_timeout);
    state_timer_.async_wait(counted([this, ticket](beast::error_code ec) {
      if (ec || state_ticket_ != ticket) return;
      shared_.hooks.state().note_timeout();
      decided(state_local_, state_local_admitted_, true);
    }));
  }

  // On the store's thread: back onto the worker's. Not counted, since a
  // store may never answer: the ticket, unique over the slot's life, tells
  // whether this connection still waits for it (the timeout may have
  // decided, the slot may hold another connection by now).
  void state_answered(std::uint64_t ticket, std::int32_t others_active, bool ai_admitted) override {
    net::post(executor_, with_memory(state_hop_memory_, [this, ticket, others_active, ai_admitted] {
                if (state_ticket_ != ticket) return;
                state_timer_.cancel();
                decided(others_active, ai_admitted, false);
                settle();
              }));
  }

  void decided(std::int32_t others_active, bool ai_admitted, bool local) {
    state_ticket_ = 0;
    guarded([&] { shared_.hooks.twilio().finish_call(memory_->out, memory_->call, others_active, ai_admitted, local); });
    handled();
  }

  // On the journal's thread: back onto the worker's.
  void journaled(bool ok) override {
    shared_.hooks.twilio().committed(memory_->out, ok);
    net::post(executor_, with_memory(memory_->journal_hop, [this, ok] {
                --pending_;
                shared_.hooks.twilio().journaled(memory_->out, ok);
                answer();
                settle();
              }));
  }

  void answer() {
    --shared_.in_flight;
    write_response(memory_->out);
  }

  void fail(beast::error_code ec) {
    const auto failure = failure_of(ec);
    if (!failure) return close();
    send_error(*failure);
  }

  // A request that could not be read: answered, then the connection closes.
  void send_error(const read_failure& failure) {
    keep_alive_ = false;
    memory_->out.clear();
    memory_->out.status = failure.status;
    memory_->out.content_type = "text/plain";
    memory_->out.body.assign(failure.body);
    write_response(memory_->out);
  }

  void write_response(const response& r) {
    const auto latency = std::chrono::steady_clock::now() - started_;
    // The handler found the endpoint already; a request it never saw is looked up here.
    shared_.stats.count_request(r.endpoint.empty() ? endpoint_label(target_, admin_) : r.endpoint, r.status, latency);
    append_request_log(batch_.lines(), r, {address_, method_, target_, latency});

    if (shared_.draining) keep_alive_ = false;
    // Sent with one write from the connection's reused buffer.
    write_wire(memory_->wire, r, {admin_, keep_alive_, head_});
    expire_after(shared_.options.read_timeout);
    ++pending_;  // until the batch sends it
    batch_.defer(*this);
  }

 public:
  // The log line is written: the response leaves.
  void send() {
    --pending_;  // the batch's
    net::async_write(socket_, net::buffer(memory_->wire), counted([this](beast::error_code ec, std::size_t) {
                       // A large answer (an admin /status) is not kept for the
                       // connection's life.
                       if (memory_->wire.capacity() > wire_keep) std::string().swap(memory_->wire);
                       if (ec) return close();
                       if (!keep_alive_) return linger();
                       read();
                     }));
  }

 private:
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
  void expire_after(std::chrono::steady_clock::duration d) {
    deadline_ = std::chrono::steady_clock::now() + d;
  }

  void watch() {
    watchdog_.expires_after(std::min<std::chrono::steady_clock::duration>(
        watch_period, deadline_ - std::chrono::steady_clock::now()));
    watchdog_.async_wait(counted([this](beast::error_code ec) {
      if (ec || closed_) return;
      if (std::chrono::steady_clock::now() >= deadline_) {
        beast::error_code ignored;
        socket_.close(ignored);
        closed_ = true;
        return;
      }
      watch();
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
    socket_.async_read_some(net::buffer(memory_->discard), counted([this](beast::error_code ec, std::size_t n) {
                              lingered_ += n;
                              if (!ec && lingered_ < linger_bytes) return discard();
                              close();
                            }));
  }

  // Closed, and no operation left: the socket goes, the address's count
  // goes down, and the worker takes the slot back.
  void settle() {
    if (!closed_ || pending_ != 0 || given_back_) return;
    given_back_ = true;
    state_ticket_ = 0;
    beast::error_code ignored;
    socket_.close(ignored);
    shared_.release(address_, admin_);
    owner_.give_back(*this);
  }

  static std::string_view view_of(beast::string_view v) { return {v.data(), v.size()}; }

  worker& owner_;
  shared& shared_;
  log_batch& batch_;
  const bool admin_;
  const executor executor_;  // read from the store's thread too: never changes
  socket_type socket_;
  timer_type watchdog_;
  timer_type state_timer_;
  std::string address_;
  // The buffers; null while the slot is free and cold.
  std::unique_ptr<connection_memory> memory_;
  unsigned pending_ = 0;  // operations started and not yet completed
  bool closed_ = true;
  bool given_back_ = true;
  std::uint64_t state_tickets_ = 0;  // never reset: a ticket names one wait over the slot's life
  std::uint64_t state_ticket_ = 0;   // the call waiting for the store; 0: none
  std::int32_t state_local_ = 0;
  bool state_local_admitted_ = false;
  std::chrono::steady_clock::time_point deadline_{};
  // The store's hop back may still be queued when the slot is free.
  hop_memory state_hop_memory_;
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> chunk_header_check_ =
      [](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
        if (extensions.size() > chunk_extension_limit) ec = http::error::bad_chunk_extension;
      };
  std::optional<request_parser> parser_;
  // Views into the parser's message: valid until the next read().
  std::string_view method_;
  std::string_view target_;
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
  for (connection* c : sending_) {
    c->send();
    --in_flight_;
  }
  sending_.clear();
}

worker::worker(shared& s, bool admin) : shared_(s), admin_(admin) {
  free_warm_.reserve(warm_kept);
}

worker::~worker() { close_all(); }

void worker::open(socket_type socket, std::string address) {
  connection* c = nullptr;
  for (auto* free : {&free_warm_, &free_cold_}) {
    if (c || free->empty()) continue;
    c = free->back();
    free->pop_back();
  }
  if (!c) c = slots_.emplace_back(std::make_unique<connection>(*this)).get();
  c->open(std::move(socket), std::move(address));
}

void worker::give_back(connection& c) {
  const bool keep_memory = free_warm_.size() < warm_kept;
  c.retire(keep_memory);
  (keep_memory ? free_warm_ : free_cold_).push_back(&c);
}

void worker::close_all() {
  io_.restart();
  for (const auto& c : slots_) c->abort();
  while (io_.poll() > 0) {
  }
}

}  // namespace callpolicy::server
