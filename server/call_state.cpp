#include "server/call_state.h"

#include <deque>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

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

  std::int32_t start_call(std::string_view call_sid, std::string_view clinic,
                          clock_type::time_point started) override {
    const auto key = key_of(call_sid);
    std::lock_guard lock(mutex_);
    const auto now = clock_type::now();
    expire(now);
    clinic_count& entry = counter(clinic);
    std::int32_t& count = entry.second;
    const auto expires = started + ttl_;
    // Replayed and already over; or not a CallSid (the server refuses those
    // before they get here), which is decided on but not registered.
    if (expires <= now || !key) return count;
    const auto [it, inserted] = calls_.try_emplace(*key, call{&entry, expires, false});
    // A repeated webhook: counted once, against the clinic it first named.
    if (!inserted) return it->second.ended ? it->second.clinic->second : it->second.clinic->second - 1;
    ++count;
    by_start_.push_back(&*it);
    return count - 1;
  }

  bool end_call(std::string_view call_sid) override {
    const auto key = key_of(call_sid);
    if (!key) return false;
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(*key);
    if (it == calls_.end() || it->second.ended) return false;
    it->second.ended = true;
    --it->second.clinic->second;
    return true;
  }

  std::map<std::string, std::int32_t> active_by_clinic() override {
    std::lock_guard lock(mutex_);
    expire(clock_type::now());
    return {counts_.begin(), counts_.end()};
  }

  std::vector<live_call> known_calls() override {
    std::lock_guard lock(mutex_);
    expire(clock_type::now());
    std::vector<live_call> out;
    out.reserve(by_start_.size());
    for (const auto* entry : by_start_) {
      out.push_back({fmt::format("CA{:016x}{:016x}", entry->first.high, entry->first.low), entry->second.clinic->first,
                     entry->second.expires - ttl_, entry->second.ended});
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
                     entry->second.expires - ttl_});
    }
    return out;
  }

 private:
  // A clinic's name and its count of active calls.
  using clinic_count = std::pair<const std::string, std::int32_t>;
  struct call {
    clinic_count* clinic;  // a node of counts_: stable
    clock_type::time_point expires;
    bool ended;
  };
  using call_map = std::pmr::unordered_map<sid_key, call, sid_hash>;
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  clinic_count& counter(std::string_view clinic) {
    const auto it = counts_.find(clinic);
    if (it != counts_.end()) return *it;
    return *counts_.emplace(std::string(clinic), 0).first;
  }

  void expire(clock_type::time_point now) {
    while (!by_start_.empty() && by_start_.front()->second.expires <= now) {
      const auto* entry = by_start_.front();
      if (!entry->second.ended) --entry->second.clinic->second;
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
  std::unordered_map<std::string, std::int32_t, string_hash, std::equal_to<>> counts_;
};

}  // namespace

std::unique_ptr<call_state> make_memory_state(std::chrono::seconds ttl) {
  return std::make_unique<memory_state>(ttl);
}

}  // namespace callpolicy::server
