// Active calls, overrides, call lengths and the inbox shared through Redis
// (docs/operations.md, "Active calls", "Emergency overrides", "Estimated
// wait", "The inbox"). A call never waits on Redis past `--state-timeout`:
// one connection thread sends what is queued, pipelined; a local registry
// (the memory store) decides while Redis is slow or gone, and is written
// back when it returns. The start script returns the clinic's override with
// the count, so every server obeys one the moment it is set.
#include <hiredis/hiredis.h>

#include <array>
#include <condition_variable>
#include <deque>
#include <memory_resource>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "server/state/call_lengths.h"
#include "server/state/call_state.h"
#include "server/inbox/inbox.h"
#include "server/state/redis_admin.h"
#include "server/state/redis_connection.h"
#include "server/state/redis_scripts.h"
#include "server/json_line.h"
#include "server/log.h"
#include "server/state/overrides.h"

namespace callpolicy::server {
namespace {

class redis_state final : public call_state {
 public:
  redis_state(const shared_state_options& o, override_table& overrides)
      : options_(o), target_(parse_redis_url(o.url)), overrides_(overrides), shadow_(make_memory_state(o.ttl)),
        admin_([this](std::string& error) { return open(error, false); }, o.prefix) {
    // The store must be reachable once: a mistyped address fails the start,
    // rather than a server that never shares a count.
    std::string error;
    context_ptr first = open(error);
    if (!first) throw std::runtime_error(error);
    context_ = std::move(first);
    healthy_ = true;
    worker_ = std::thread([this] { run(); });
  }

  ~redis_state() override { stop(); }

  void stop() override {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    std::pmr::deque<op> dropped(&op_memory_);
    {
      std::lock_guard lock(queue_mutex_);
      dropped.swap(queue_);
    }
  }

  // Calls the store's count arrives for later; `start_call` is what replay
  // and the tests of the memory store use.
  // This server's own counts decide (replay, a later step of a call that
  // reaches the AI); Redis is told what they decided.
  std::int32_t start_call(std::string_view call_sid, std::string_view clinic, clock_type::time_point started,
                          const ai_leg_request& ai, bool* ai_admitted) override {
    bool admitted = false;
    const std::int32_t local = shadow_->start_call(call_sid, clinic, started, ai, &admitted);
    if (ai_admitted) *ai_admitted = admitted;
    enqueue(start_op(call_sid, clinic, started, {admitted ? "1" : "0"}, nullptr, 0));
    return local;
  }

  bool answers_later() const override { return true; }

  bool start_call_later(std::string_view call_sid, std::string_view clinic, clock_type::time_point started,
                        const ai_leg_request& ai, state_waiter& waiter, std::uint64_t ticket,
                        std::int32_t& local, bool& local_admitted) override {
    local = shadow_->start_call(call_sid, clinic, started, ai, &local_admitted);
    // Down, or slow since a wait timed out: no call waits until Redis answers again.
    const bool wait = healthy_.load() && !suspect_.load();
    if (wait) {
      enqueue(start_op(call_sid, clinic, started, ai, &waiter, ticket));
    } else {
      enqueue(start_op(call_sid, clinic, started, {local_admitted ? "1" : "0"}, nullptr, 0));
    }
    return wait;
  }

  void adopt_ai_leg(std::string_view call_sid, std::string_view clinic, bool live) override {
    if (live) {
      bool admitted = false;
      shadow_->start_call(call_sid, clinic, clock_type::now(), {"1"}, &admitted);
    } else {
      shadow_->release_ai_leg(call_sid);
    }
  }

  void release_ai_leg(std::string_view call_sid) override {
    shadow_->release_ai_leg(call_sid);
    enqueue({op::kind::release_leg, pooled(call_sid), pooled({}), {}, pooled({}), 0, 0, nullptr, 0});
  }

  bool end_ai_leg(std::string_view call_sid) override {
    const bool local = shadow_->end_ai_leg(call_sid);
    enqueue({op::kind::end_leg, pooled(call_sid), pooled({}), {}, pooled({}), 0, 0, nullptr, 0});
    return local;
  }

  void note_timeout() override {
    ++fallbacks_;
    suspect_ = true;
  }

  void note_fallback() override { ++fallbacks_; }

  bool end_call(std::string_view call_sid) override {
    const bool local = shadow_->end_call(call_sid);
    enqueue(plain_op(op::kind::end, call_sid));
    return local;
  }

  // Kept here and sent to Redis, whose answer is the fleet's window for the
  // clinic; a decision reads the mirror, which is asked anew every few seconds.
  void add_call_length(std::string_view clinic, std::string_view call_sid, std::int32_t seconds,
                       clock_type::time_point ended) override {
    if (!lengths_.add(clinic, call_sid, seconds, ended)) return;
    op o = plain_op(op::kind::length, call_sid, clinic, ended);
    o.seconds = seconds;
    enqueue(std::move(o));
  }

  std::int32_t mean_call_seconds(std::string_view clinic, clock_type::time_point now) override {
    if (lengths_.due(clinic, now, call_lengths::shared_refresh)) enqueue(plain_op(op::kind::length, {}, clinic, now));
    return lengths_.mean_seconds(clinic, now);
  }

  // Queued like a call, and kept to be written again when Redis comes back:
  // the inbox is the union of what every server journaled.
  void share_inbox_item(const inbox_item& item) override {
    if (inbox_shared_.contains(item.id)) return;
    inbox_shared_.add(item);
    enqueue_inbox_item(item);
  }
  bool shares_inbox() const override { return true; }
  bool load_inbox(std::vector<inbox_item>& out, std::string& error) override { return admin_.load_inbox(out, error); }
  bool mark_inbox_done(std::string_view id, std::string_view by, std::int64_t at_ms, bool& known,
                       std::string& error) override {
    return admin_.mark_inbox_done(id, by, at_ms, known, error);
  }

  std::map<std::string, std::int32_t> active_by_clinic() override {
    std::map<std::string, std::int32_t> out;
    // Redis away: what this server knows of its own calls.
    return admin_.count_by_clinic("calls:", out) ? out : shadow_->active_by_clinic();
  }

  std::map<std::string, std::int32_t> ai_legs_by_clinic() override {
    std::map<std::string, std::int32_t> out;
    return admin_.count_by_clinic("ai_legs:", out) ? out : shadow_->ai_legs_by_clinic();
  }

  std::vector<live_call> live_calls() override { return {}; }  // Redis keeps them; the journal need not

  state_health health() const override {
    std::lock_guard lock(status_mutex_);
    state_health h;
    h.backend = target_.sentinels.empty() ? "redis" : "redis-sentinel";
    h.healthy = healthy_.load() && !suspect_.load();
    h.errors = errors_.load();
    h.fallbacks = fallbacks_.load();
    h.address = address_;
    h.last_error = last_error_;
    return h;
  }

  bool shares_overrides() const override { return true; }

  bool put_override(const clinic_override& o, std::string& error) override { return admin_.put_override(o, error); }
  bool erase_override(std::string_view clinic, bool& existed, std::string& error) override {
    return admin_.erase_override(clinic, existed, error);
  }
  bool load_overrides(std::vector<clinic_override>& out, std::vector<std::string>& cleared,
                      std::string& error) override {
    return admin_.load_overrides(out, cleared, error);
  }
  bool restore_override(const clinic_override& o, bool& written, std::string& error) override {
    return admin_.restore_override(o, written, error);
  }

 private:
  // Made on the request's thread, consumed on the connection thread: its
  // strings and the queue's nodes come from a pool that hands back what
  // the last ones freed, so queueing a call allocates nothing once warm.
  struct op {
    enum class kind : std::uint8_t { start, end, end_leg, release_leg, length, inbox_item } type;
    std::pmr::string sid, clinic;
    clock_type::time_point started;
    std::pmr::string ai_wanted;  // start: ai_leg_request's
    std::uint32_t fleet_capacity, clinic_capacity;
    state_waiter* waiter;  // null: nobody waits (resync, a call not waiting, a status)
    std::uint64_t ticket;
    std::int32_t seconds = 0;  // length: the call's, or 0 to read the clinic's window only
    std::int64_t time_ms = 0;  // inbox_item: when it was left; `clinic` holds its JSON, `sid` its id
  };


  // An op nobody waits for.
  op plain_op(op::kind kind, std::string_view sid, std::string_view clinic = {}, clock_type::time_point at = {}) {
    return {kind, pooled(sid), pooled(clinic), at, pooled({}), 0, 0, nullptr, 0};
  }

  op start_op(std::string_view sid, std::string_view clinic, clock_type::time_point started,
              const ai_leg_request& ai, state_waiter* waiter, std::uint64_t ticket) {
    return {op::kind::start, pooled(sid),     pooled(clinic),      started,           pooled(ai.wanted),
            ai.fleet_capacity, ai.clinic_capacity, waiter, ticket};
  }

  // At most this many requests wait for the connection; past it the oldest
  // are dropped and the registry is written back once Redis keeps up again.
  static constexpr std::size_t max_queued = 100'000;

  std::pmr::string pooled(std::string_view text) { return std::pmr::string(text, &op_memory_); }

  void enqueue(op o) {
    bool was_empty = false;
    {
      std::lock_guard lock(queue_mutex_);
      if (queue_.size() >= max_queued) {
        queue_.pop_front();
        ++errors_;
        resync_needed_ = true;
      }
      was_empty = queue_.empty();
      queue_.push_back(std::move(o));
    }
    // The thread only sleeps on an empty queue: waking it for every request
    // under load was a futex call and a context switch each.
    if (was_empty) wake_.notify_one();
  }

  // A connection to the master, checked as redis_connection.h says; the
  // scripts loaded for the connection thread's one.
  context_ptr open(std::string& error, bool for_calls = true) {
    std::string address;
    context_ptr c = open_master(target_, address, error);
    if (!c) return nullptr;
    // The scripts are the connection thread's; the admin connection runs plain commands.
    if (for_calls && !scripts_.load(c.get(), error)) return nullptr;
    std::lock_guard lock(status_mutex_);
    address_ = address;
    return c;
  }

  void append(redisContext* c, const op& o) {
    if (o.type == op::kind::inbox_item) {
      scripts_.append_inbox_item(c, o.sid, o.time_ms, o.clinic);
    } else if (o.type == op::kind::length) {
      scripts_.append_length(c, {o.clinic, o.sid, o.seconds, unix_ms(o.started), unix_ms(clock_type::now()),
                                 std::chrono::duration_cast<std::chrono::milliseconds>(call_lengths::window).count()});
    } else if (o.type == op::kind::start) {
      scripts_.append_start(c, {o.sid, o.clinic, o.ai_wanted, unix_ms(o.started + options_.ttl),
                                unix_ms(clock_type::now()), o.fleet_capacity, o.clinic_capacity});
    } else {
      scripts_.append_end(c, o.sid, o.type == op::kind::end_leg       ? script_end::ai_leg
                                    : o.type == op::kind::release_leg ? script_end::ai_leg_untaken
                                                                      : script_end::call);
    }
  }

  // The answer to one op; false when the connection must be given up.
  bool take_reply(redisContext* c, const op& o, redisReply* r) {
    if (r->type == REDIS_REPLY_ERROR) {
      const std::string_view e(r->str, r->len);
      if (e.starts_with("NOSCRIPT")) {
        // Redis restarted under us or flushed its scripts: load them, once more.
        std::string why;
        if (!scripts_.load(c, why)) return fail(why);
        append(c, o);
        reply_ptr again = next_reply(c);
        if (!again) return fail(c->errstr);
        if (again->type == REDIS_REPLY_ERROR) return fail(std::string(again->str, again->len));
        return answer(o, again.get());
      }
      // READONLY: a demoted master after a failover; others: a broken store.
      return fail(std::string(e));
    }
    return answer(o, r);
  }

  bool answer(const op& o, const redisReply* r) {
    if (o.type == op::kind::length) {
      auto entries = read_call_lengths(r);
      if (!entries) return fail("unexpected reply to the call length script");
      lengths_.replace(o.clinic, std::move(*entries), clock_type::now());
      return true;
    }
    if (o.type != op::kind::start) return true;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_INTEGER ||
        r->element[2]->type != REDIS_REPLY_INTEGER) {
      return fail("unexpected reply to the start script");
    }
    const redisReply* override_value = r->element[1];
    if (override_value->type == REDIS_REPLY_STRING) {
      overrides_.apply_shared(o.clinic, std::string_view(override_value->str, override_value->len));
    }
    suspect_ = false;
    if (o.waiter) o.waiter->state_answered(o.ticket, *reply_count(r->element[0]), r->element[2]->integer == 1);
    return true;
  }


  bool fail(const std::string& why) {
    ++errors_;
    std::lock_guard lock(status_mutex_);
    last_error_ = why;
    return false;
  }

  void run() {
    auto backoff = std::chrono::milliseconds(100);
    clock_type::time_point down_since{};
    std::vector<op> batch;
    while (true) {
      if (!context_) {
        std::string error;
        context_ = open(error);
        if (!context_) {
          fail(error);
          went_down(error, down_since);
          std::unique_lock lock(queue_mutex_);
          // Nobody waits on a store that is down: what is queued is written
          // back from the local registry on reconnecting.
          queue_.clear();
          if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) return;
          backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
          continue;
        }
        backoff = std::chrono::milliseconds(100);
        if (!healthy_) {
          const std::size_t written = resync();
          came_back(written, down_since);
        }
      }
      {
        std::unique_lock lock(queue_mutex_);
        // A quiet server still notices an outage within a second or so.
        const bool ready = wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        batch.clear();
        while (!queue_.empty() && batch.size() < 512) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        if (!ready) batch.clear();
      }
      if (resync_needed_.exchange(false)) resync();
      if (batch.empty()) {
        reply_ptr pong = command(context_.get(), {"PING"});
        // A PONG clears a timed-out wait's suspicion, even one on an op an outage dropped.
        if (!pong || pong->type == REDIS_REPLY_ERROR) lose_connection(reply_error(pong.get(), context_.get()), down_since);
        else suspect_ = false;
        continue;
      }
      for (const op& o : batch) append(context_.get(), o);
      for (const op& o : batch) {
        reply_ptr r = next_reply(context_.get());
        if (!r) {
          lose_connection(context_->errstr, down_since);
          break;
        }
        if (!take_reply(context_.get(), o, r.get())) {
          std::string error;
          {
            std::lock_guard lock(status_mutex_);
            error = last_error_;
          }
          lose_connection(error, down_since);
          break;
        }
      }
    }
  }

  void lose_connection(const std::string& why, clock_type::time_point& down_since) {
    fail(why);
    context_.reset();
    went_down(why, down_since);
  }

  void went_down(const std::string& why, clock_type::time_point& down_since) {
    if (!healthy_.exchange(false)) return;
    down_since = clock_type::now();
    log_store_unreachable(options_.url, why);
  }

  void came_back(std::size_t written, clock_type::time_point down_since) {
    healthy_ = true;
    suspect_ = false;
    log_store_reachable(options_.url, address(), clock_type::now() - down_since, written);
  }

  std::string address() const {
    std::lock_guard lock(status_mutex_);
    return address_;
  }

  // This server's calls written back to Redis: the live ones registered,
  // the ended ones ended. Idempotent, so calls Redis kept are not counted twice.
  void enqueue_inbox_item(const inbox_item& item) {
    op o = plain_op(op::kind::inbox_item, item.id, item_json(item));
    o.time_ms = item.time_ms;
    enqueue(std::move(o));
  }

  std::size_t resync() {
    restore_overrides();
    for (const inbox_item& item : inbox_shared_.list({}, inbox_state::all, unix_ms(clock_type::now()))) {
      enqueue_inbox_item(item);
    }
    const std::vector<live_call> calls = shadow_->known_calls();
    std::size_t sent = 0;
    const auto send = [&](const op& o) {
      append(context_.get(), o);
      ++sent;
      // Replies read in slices: a registry of 100,000 calls must not queue
      // every reply in the socket before the first is read.
      return sent % 512 != 0 || drain(512);
    };
    for (const live_call& c : calls) {
      const bool live_leg = c.ai_leg == leg_state::live;
      const bool ok = c.ended ? send(plain_op(op::kind::end, c.call_sid))
                              : send(start_op(c.call_sid, c.clinic, c.started, {live_leg ? "1" : "0"}, nullptr, 0));
      if (!ok) return sent;
      if (c.ai_leg == leg_state::ended && !c.ended &&
          !send(plain_op(op::kind::end_leg, c.call_sid))) {
        return sent;
      }
    }
    drain(sent % 512);
    return sent;
  }

  // This server's overrides written back, each unless Redis has its key (a
  // newer override, or the tombstone of one cleared): a Redis that came back
  // empty, or a master a failover promoted without them, has them again
  // before the first call asks. Each one restored is logged.
  void restore_overrides() {
    for (const clinic_override& o : overrides_.all(clock_type::now())) {
      bool written = false;
      std::string error;
      const bool ok = admin_.restore_override(o, written, error);
      if (written || !ok) log_override_restored(o.clinic, ok, error);
    }
  }

  bool drain(std::size_t replies) {
    for (std::size_t i = 0; i < replies; ++i) {
      if (!next_reply(context_.get())) return false;
    }
    return true;
  }

  const shared_state_options options_;
  const redis_target target_;
  override_table& overrides_;
  std::unique_ptr<call_state> shadow_;

  context_ptr context_;  // the connection thread's
  redis_scripts scripts_{options_.prefix, std::chrono::duration_cast<std::chrono::milliseconds>(options_.ttl)};
  std::pmr::synchronized_pool_resource op_memory_;
  std::mutex queue_mutex_;
  std::condition_variable wake_;
  std::pmr::deque<op> queue_{&op_memory_};
  bool stopping_ = false;
  std::atomic<bool> resync_needed_{false};

  redis_admin admin_;

  std::atomic<bool> healthy_{false};
  std::atomic<bool> suspect_{false};  // a wait timed out and no answer came since
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::uint64_t> fallbacks_{0};
  mutable std::mutex status_mutex_;
  std::string address_, last_error_;
  call_lengths lengths_;  // the fleet's, as Redis last said, and this server's since
  inbox inbox_shared_;  // what this server journaled, written again after an outage
  std::thread worker_;
};

}  // namespace

std::unique_ptr<call_state> make_shared_state(const shared_state_options& options, override_table& overrides) {
  return std::make_unique<redis_state>(options, overrides);
}

}  // namespace callpolicy::server
