// Keys remembered for a fixed time (the recordings already journaled, the
// calls whose menu was just played again), forgotten in the order they came:
// with one lifetime for all, the oldest is always first. Keys and nodes come
// from a pool that keeps what is freed for the next key, so steady traffic
// takes nothing from the heap. Not locked: callers hold their own mutex.
#pragma once

#include <deque>
#include <functional>
#include <memory_resource>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "server/state/call_state.h"
#include "server/text.h"

namespace callpolicy::server {

class recent_keys {
 public:
  explicit recent_keys(clock_type::duration lifetime) : lifetime_(lifetime) {}
  recent_keys(const recent_keys&) = delete;
  recent_keys& operator=(const recent_keys&) = delete;

  // Remembers `key` from `now`; false when it is remembered already.
  bool insert(std::string_view key, clock_type::time_point now) {
    expire(now);
    if (since_.find(key) != since_.end()) return false;
    since_.emplace(std::pmr::string(key, &pool_), now);
    by_time_.emplace_back(now, key);
    return true;
  }

  // Forgets `key`; true when it was remembered.
  bool erase(std::string_view key, clock_type::time_point now) {
    expire(now);
    const auto it = since_.find(key);
    if (it == since_.end()) return false;
    since_.erase(it);  // its place in by_time_ expires on its own
    return true;
  }

  // Each key still remembered, oldest first, with when it came.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& [at, key] : by_time_) {
      if (current(at, key)) visit(at, std::string_view(key));
    }
  }

 private:
  // Whether this place in by_time_ is the key's own: a key forgotten and
  // remembered again has a later one, and must not expire with the first.
  bool current(clock_type::time_point at, std::string_view key) const {
    const auto it = since_.find(key);
    return it != since_.end() && it->second == at;
  }

  void expire(clock_type::time_point now) {
    while (!by_time_.empty() && by_time_.front().first + lifetime_ <= now) {
      const auto& [at, key] = by_time_.front();
      if (current(at, key)) since_.erase(since_.find(std::string_view(key)));
      by_time_.pop_front();
    }
  }

  clock_type::duration lifetime_;
  std::pmr::unsynchronized_pool_resource pool_;
  std::pmr::unordered_map<std::pmr::string, clock_type::time_point, string_hash, std::equal_to<>> since_{&pool_};
  std::pmr::deque<std::pair<clock_type::time_point, std::pmr::string>> by_time_{&pool_};
};

}  // namespace callpolicy::server
