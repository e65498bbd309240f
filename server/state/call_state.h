// Active calls per clinic (docs/operations.md): a call counts from its voice webhook
// until a final status callback or until the call TTL passes; a repeated
// webhook for one CallSid counts once. In memory for one server, or in Redis
// so that several servers share the counts and overflow holds across them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/clock.h"

namespace callpolicy::server {

// Twilio's CallSid: "CA" and 32 hex digits (what the memory store keys by).
bool is_call_sid(std::string_view sid);

// A `CallStatus` after which the call no longer counts.
inline bool is_final_status(std::string_view status) {
  return status == "completed" || status == "busy" || status == "failed" || status == "no-answer" ||
         status == "canceled";
}

// Who waits for a shared store's count: told at most once, on the store's
// thread, with the ticket it was given (a connection may have moved on), and
// never after the store's stop(). It must outlive the store's stop().
class state_waiter {
 public:
  virtual void state_answered(std::uint64_t ticket, std::int32_t others_active, bool ai_admitted) = 0;

 protected:
  ~state_waiter() = default;
};

// How the state store is doing, for /status and /metrics.
struct state_health {
  std::string backend = "memory";  // memory, redis, redis-sentinel
  bool healthy = true;
  std::uint64_t errors = 0;     // failed connections and commands
  std::uint64_t fallbacks = 0;  // decisions made with this server's own count
  std::string address;          // the Redis master in use
  std::string last_error;
};

struct clinic_override;
struct inbox_item;

// Whether a call may have an AI leg, asked of the store as it counts the call
// (docs/operations.md, "AI capacity"). A leg counts from the answer that
// dials the AI until the AI's <Dial> ends, the call ends, or the call's TTL
// passes; once for a CallSid, and never again after its end.
struct ai_leg_request {
  std::string_view wanted = "0";      // at which counts the call goes to the AI: ai_by_count's pattern
  std::uint32_t fleet_capacity = 0;   // legs across the fleet; 0: unlimited
  std::uint32_t clinic_capacity = 0;  // legs of the call's clinic; 0: no cap of its own
};

class call_state {
 public:
  virtual ~call_state() = default;
  // Registers the call (once per sid) and returns how many other calls of
  // the clinic are active. Negative when the store cannot answer. When the
  // count is one at which `ai` wants the AI, also admits the call's AI leg
  // if there is room, and says so in `ai_admitted`.
  virtual std::int32_t start_call(std::string_view call_sid, std::string_view clinic, clock_type::time_point started,
                                  const ai_leg_request& ai = {}, bool* ai_admitted = nullptr) = 0;
  // Ends the call, and its AI leg; false when it was not active.
  virtual bool end_call(std::string_view call_sid) = 0;
  // Ends the call's AI leg (the AI's <Dial> is over, or the decision did not
  // take the leg it was admitted); false when it had none live.
  virtual bool end_ai_leg(std::string_view call_sid) = 0;
  // Gives back a leg the call was admitted but did not take: it may take
  // one later (a menu key that leads to the AI).
  virtual void release_ai_leg(std::string_view call_sid) = 0;
  virtual std::map<std::string, std::int32_t> active_by_clinic() = 0;

  // An inbox item this server journaled, for a shared store to keep, so
  // that every server lists it (docs/operations.md, "The inbox"); queued,
  // never waited on. Nothing for the memory store, whose journal keeps it.
  virtual void share_inbox_item(const inbox_item&) {}
  // The shared store's inbox, its done marks with it; false when it is not
  // shared or did not answer.
  virtual bool shares_inbox() const { return false; }
  virtual bool load_inbox(std::vector<inbox_item>&, std::string& error) {
    error = "not a shared store";
    return false;
  }
  // The mark set in the shared store; `known` false when it holds no such item.
  virtual bool mark_inbox_done(std::string_view, std::string_view, std::int64_t, bool& known, std::string& error) {
    known = false;
    error = "not a shared store";
    return false;
  }

  // A completed call's length (its final status callback's CallDuration),
  // for the clinic's mean (docs/operations.md, "Estimated wait"); once per CallSid.
  virtual void add_call_length(std::string_view clinic, std::string_view call_sid, std::int32_t seconds,
                               clock_type::time_point ended) = 0;
  // The mean length of the clinic's calls completed in the last hour, in
  // seconds; 0 while fewer than 5 did. Never waits on a shared store: it
  // reads what the store last said, and asks it again every few seconds.
  virtual std::int32_t mean_call_seconds(std::string_view clinic, clock_type::time_point now) = 0;
  virtual std::map<std::string, std::int32_t> ai_legs_by_clinic() = 0;

  enum class leg_state : std::uint8_t { none, live, ended };
  struct live_call {
    std::string call_sid, clinic;
    clock_type::time_point started;
    bool ended = false;  // ended, but remembered until its TTL (known_calls only)
    leg_state ai_leg = leg_state::none;
  };
  // The calls this server counts itself, for a journal snapshot; empty for
  // a shared store, which keeps its own.
  virtual std::vector<live_call> live_calls() { return {}; }
  // Every call still remembered, ended ones too: what a shared store writes
  // back after an outage.
  virtual std::vector<live_call> known_calls() { return {}; }

  // A shared store answers later. start_call_later registers the call here
  // at once, sets `local` to the count this server sees on its own, and
  // returns whether the store's count will follow through `waiter` (false
  // while the store is down or slow: decide now, with `local`).
  virtual bool answers_later() const { return false; }
  virtual bool start_call_later(std::string_view call_sid, std::string_view clinic, clock_type::time_point started,
                                const ai_leg_request& ai, state_waiter& waiter, std::uint64_t ticket,
                                std::int32_t& local, bool& local_admitted) {
    (void)waiter;
    (void)ticket;
    local = start_call(call_sid, clinic, started, ai, &local_admitted);
    return false;
  }
  // The store's answer decided the call's AI leg: this server's own count
  // follows it, for the time the store is away.
  virtual void adopt_ai_leg(std::string_view call_sid, std::string_view clinic, bool live) {
    (void)call_sid;
    (void)clinic;
    (void)live;
  }
  // The wait for an answer timed out: the call was decided with the local count.
  virtual void note_timeout() {}
  // A call was decided with the local count without waiting.
  virtual void note_fallback() {}
  virtual state_health health() const { return {}; }
  // Stops a store's own thread and lets go of the waiters it still holds,
  // while what they point to still exists (the server calls it once its
  // workers have stopped).
  virtual void stop() {}

  // Overrides kept in the store itself, so that every server sees them
  // (Redis); false for the memory store, whose overrides the journal keeps.
  virtual bool shares_overrides() const { return false; }
  virtual bool put_override(const clinic_override&, std::string& error) {
    error = "not a shared store";
    return false;
  }
  virtual bool erase_override(std::string_view, bool& existed, std::string& error) {
    existed = false;
    error = "not a shared store";
    return false;
  }
  // What the store holds, and the clinics whose override it says was cleared.
  virtual bool load_overrides(std::vector<clinic_override>&, std::vector<std::string>& /*cleared*/,
                              std::string& error) {
    error = "not a shared store";
    return false;
  }
  // Writes `o` back unless the store has the clinic's key (an override, or
  // the tombstone of one cleared); `written` says whether it did.
  virtual bool restore_override(const clinic_override&, bool& written, std::string& error) {
    written = false;
    error = "not a shared store";
    return false;
  }
};

std::unique_ptr<call_state> make_memory_state(std::chrono::seconds ttl);

struct shared_state_options {
  std::string url;  // redis://HOST:PORT or redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER
  std::string prefix = "callpolicy:";
  std::chrono::seconds ttl{3600};
};
class override_table;
// Throws std::runtime_error for a malformed URL or a store it cannot reach
// at start (later outages are survived: see server/state/redis_state.cpp).
std::unique_ptr<call_state> make_shared_state(const shared_state_options& options, override_table& overrides);

}  // namespace callpolicy::server
