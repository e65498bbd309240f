#include "server/state/call_state.h"

#include <deque>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "runtime/evaluator.h"
#include "server/state/call_lengths.h"

namespace callpolicy::server {
namespace {

// A CallSid ("CA" and 32 hex digits) as the 128 bits it spells: a key of
// fixed size, so that registering a call copies no string.
struct sid_key {
  std::uint64_t high = 0, low = 0;
  bool operator==(const sid_key&) const = default;
};

std::optional<sid_key> key_of(std::string_view sid) {
  if (sid.size() != 34 || sid[0] != 'C' || sid[1] != 'A') return std::nullopt;
  sid_key key;
  for (std::size_t i = 2; i < 34; ++i) {
    const char c = sid[i];
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return std::nullopt;
    std::uint64_t& half = i < 18 ? key.high : key.low;
    half = half << 4 | static_cast<std::uint64_t>(digit);
  }
  return key;
}

struct sid_hash {
  std::size_t operator()(const sid_key& k) const noexcept {
    // The digits are random already; mixing the halves is enough.
    return static_cast<std::size_t>(k.high ^ (k.low * 0x9E3779B97F4A7C15ull));
  }
};

}  // namespace

bool is_call_sid(std::string_view sid) { return key_of(sid).has_value(); }

namespace {

// O(1) per call in the number of live calls and clinics: a hash of CallSids,
// a counter per clinic, and expiry in start order. With one fixed TTL calls
// expire in the order they started, so the oldest is always at the front of
// a queue. (Replayed journal lines may be a few milliseconds out of order;
// such a call then expires that much late.) An ended call stays known until
// its TTL passes, so that a repeated webhook for it does not count it again.
// Nodes come from a pool that keeps what expiring calls give back, so that in
// steady state (as many calls expiring as starting) nothing is allocated; the
// pool keeps its peak size.
class memory_state final : public call_state {
 public:
  explicit memory_state(std::chrono::seconds ttl) : ttl_(ttl) {}

  std::int32_t start_call(std::string_view call_sid, std::string_view clinic, clock_type::time_point started,
                          const ai_leg_request& ai, bool* ai_admitted) override {
    if (ai_admitted) *ai_admitted = false;
    const auto key = key_of(call_sid);
    std::lock_guard lock(mutex_);
    const auto now = clock_type::now();
    expire(now);
    clinic_count& entry = counter(clinic);
    const auto expires = started + ttl_;
    // Replayed and already over; or not a CallSid (the server refuses those
    // before they get here), which is decided on but not registered.
    if (expires <= now || !key) return entry.second.calls;
    const auto [it, inserted] = calls_.try_emplace(*key, call{&entry, expires, false, leg_state::none});
    call& c = it->second;
    std::int32_t others = 0;
    if (inserted) {
      others = entry.second.calls++;
      by_start_.push_back(&*it);
    } else {
      // A repeated webhook: counted once, against the clinic it first named.
      others = c.ended ? c.clinic->second.calls : c.clinic->second.calls - 1;
    }
    if (ai_admitted && !c.ended && ai_at_count(ai.wanted, others)) *ai_admitted = admit_leg(c, ai);
    return others;
  }

  bool end_call(std::string_view call_sid) override {
    const auto key = key_of(call_sid);
    if (!key) return false;
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(*key);
    if (it == calls_.end() || it->second.ended) return false;
    it->second.ended = true;
    --it->second.clinic->second.calls;
    end_leg(it->second);
    return true;
  }

  bool end_ai_leg(std::string_view call_sid) override {
    const auto key = key_of(call_sid);
    if (!key) return false;
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(*key);
    return it != calls_.end() && end_leg(it->second);
  }

  void release_ai_leg(std::string_view call_sid) override {
    const auto key = key_of(call_sid);
    if (!key) return;
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(*key);
    if (it == calls_.end() || it->second.leg != leg_state::live) return;
    end_leg(it->second);
    it->second.leg = leg_state::none;
  }

  void add_call_length(std::string_view clinic, std::string_view call_sid, std::int32_t seconds,
                       clock_type::time_point ended) override {
    lengths_.add(clinic, call_sid, seconds, ended);
  }
  std::int32_t mean_call_seconds(std::string_view clinic, clock_type::time_point now) override {
    return lengths_.mean_seconds(clinic, now);
  }

  std::map<std::string, std::int32_t> active_by_clinic() override {
    std::lock_guard lock(mutex_);
    expire(clock_type::now());
    std::map<std::string, std::int32_t> out;
    for (const auto& [clinic, n] : counts_) out.emplace(clinic, n.calls);
    return out;
  }

  std::map<std::string, std::int32_t> ai_legs_by_clinic() override {
    std::lock_guard lock(mutex_);
    expire(clock_type::now());
    std::map<std::string, std::int32_t> out;
    for (const auto& [clinic, n] : counts_) {
      if (n.ai_legs > 0) out.emplace(clinic, n.ai_legs);
    }
    return out;
  }

  std::vector<live_call> known_calls() override {
    std::lock_guard lock(mutex_);
    expire(clock_type::now());
    std::vector<live_call> out;
    out.reserve(by_start_.size());
    for (const auto* entry : by_start_) {
      out.push_back({fmt::format("CA{:016x}{:016x}", entry->first.high, entry->first.low), entry->second.clinic->first,
                     entry->second.expires - ttl_, entry->second.ended, entry->second.leg});
    }
    return out;
  }

  std::vector<live_call> live_calls() override {
    std::lock_guard lock(mutex_);
    expire(clock_type::now());
    std::vector<live_call> out;
    out.reserve(by_start_.size());
    for (const auto* entry : by_start_) {
      if (entry->second.ended) continue;
      out.push_back({fmt::format("CA{:016x}{:016x}", entry->first.high, entry->first.low), entry->second.clinic->first,
                     entry->second.expires - ttl_, false, entry->second.leg});
    }
    return out;
  }

 private:
  struct counts {
    std::int32_t calls = 0, ai_legs = 0;
  };
  // A clinic's name and its counts of active calls and live AI legs.
  using clinic_count = std::pair<const std::string, counts>;
  struct call {
    clinic_count* clinic;  // a node of counts_: stable
    clock_type::time_point expires;
    bool ended;
    leg_state leg;
  };
  using call_map = std::pmr::unordered_map<sid_key, call, sid_hash>;
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  clinic_count& counter(std::string_view clinic) {
    const auto it = counts_.find(clinic);
    if (it != counts_.end()) return *it;
    return *counts_.emplace(std::string(clinic), counts{}).first;
  }

  // Room for one more leg, in the fleet and in the call's clinic (a leg
  // already live is the same leg; one that ended is never live again).
  bool admit_leg(call& c, const ai_leg_request& ai) {
    if (c.leg != leg_state::none) return c.leg == leg_state::live;
    if (ai.fleet_capacity > 0 && ai_legs_ >= ai.fleet_capacity) return false;
    if (ai.clinic_capacity > 0 && static_cast<std::uint32_t>(c.clinic->second.ai_legs) >= ai.clinic_capacity) {
      return false;
    }
    c.leg = leg_state::live;
    ++c.clinic->second.ai_legs;
    ++ai_legs_;
    return true;
  }

  bool end_leg(call& c) {
    const bool was_live = c.leg == leg_state::live;
    if (was_live) {
      --c.clinic->second.ai_legs;
      --ai_legs_;
    }
    c.leg = leg_state::ended;
    return was_live;
  }

  void expire(clock_type::time_point now) {
    while (!by_start_.empty() && by_start_.front()->second.expires <= now) {
      const auto* entry = by_start_.front();
      if (!entry->second.ended) --entry->second.clinic->second.calls;
      if (entry->second.leg == leg_state::live) {
        --entry->second.clinic->second.ai_legs;
        --ai_legs_;
      }
      const sid_key key = entry->first;
      calls_.erase(key);
      by_start_.pop_front();
    }
  }

  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::pmr::unsynchronized_pool_resource pool_;
  call_map calls_{&pool_};
  std::pmr::deque<const call_map::value_type*> by_start_{&pool_};  // map nodes are stable until erased
  std::unordered_map<std::string, counts, string_hash, std::equal_to<>> counts_;
  std::uint32_t ai_legs_ = 0;  // every clinic's
  call_lengths lengths_;
};

}  // namespace

std::unique_ptr<call_state> make_memory_state(std::chrono::seconds ttl) {
  return std::make_unique<memory_state>(ttl);
}

}  // namespace callpolicy::server
