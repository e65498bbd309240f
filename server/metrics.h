// Counters and a latency histogram in the Prometheus text format (docs/operations.md).
//
// Counting is on every request's path, so each worker thread counts into a
// shard of its own: a hash lookup by views and a relaxed atomic increment,
// no lock shared with other threads. A shard's lock is taken only by its
// owner when it adds a key it has not seen, and by render(), which sums the
// shards.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "server/state/call_state.h"

namespace callpolicy::server {

class metrics {
 public:
  metrics();
  ~metrics();
  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  // A known key is counted without allocating: lookups take views.
  void count_request(std::string_view endpoint, unsigned status, std::chrono::nanoseconds latency);
  void count_decision(std::string_view clinic, std::string_view action, std::string_view reason);

  // An AI leg that ended unanswered or failed. Rare, so locked; the status
  // is one of Twilio's DialCallStatus values, anything else "other", so
  // that a caller cannot grow the labels.
  void count_ai_unavailable(std::string_view clinic, std::string_view dial_call_status);
  void count_transfer(std::string_view clinic, bool forwarded);
  // A callback offer's answer: "requested", "timeout", "retry" or "invalid number".
  void count_callback(std::string_view clinic, std::string_view outcome);

  void set_journal_skipped(std::size_t records) { journal_skipped_ = records; }

  // `active_calls`, the AI legs and the reload figures are read when rendering.
  struct ai_leg_figures {
    std::int64_t live = 0;       // across the fleet when the store is shared
    std::uint32_t capacity = 0;  // --ai-capacity; 0: unlimited
  };
  std::string render(const std::map<std::string, std::int32_t>& active_calls, std::uint64_t reloads_ok,
                     std::uint64_t reloads_failed, std::size_t last_reload_errors, bool last_reload_ok,
                     const std::map<std::string, std::size_t, std::less<>>& voicemails, const state_health& state,
                     const ai_leg_figures& ai_legs) const;

 private:
  static constexpr std::array<double, 10> buckets_{0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                   0.0025,  0.005,  0.01,    0.05,   0.25};
  using request_key = std::tuple<std::string, unsigned>;
  using request_view = std::tuple<std::string_view, unsigned>;
  using decision_key = std::tuple<std::string, std::string, std::string>;
  using decision_view = std::tuple<std::string_view, std::string_view, std::string_view>;
  // Hash and equality over views, so that owned keys are found by views.
  struct by_views {
    using is_transparent = void;
    static request_view views(const request_key& k) { return {std::get<0>(k), std::get<1>(k)}; }
    static request_view views(const request_view& k) { return k; }
    static decision_view views(const decision_key& k) { return {std::get<0>(k), std::get<1>(k), std::get<2>(k)}; }
    static decision_view views(const decision_view& k) { return k; }
    static std::size_t hash(const request_view& k);
    static std::size_t hash(const decision_view& k);
    template <class K>
    std::size_t operator()(const K& k) const {
      return hash(views(k));
    }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return views(a) == views(b);
    }
  };
  using counter = std::atomic<std::uint64_t>;
  struct shard {
    std::thread::id owner;
    std::mutex adding;  // the owner adding a key; render() reading
    std::unordered_map<request_key, counter, by_views, by_views> requests;
    std::unordered_map<decision_key, counter, by_views, by_views> decisions;
    std::array<counter, buckets_.size() + 1> latency_counts{};
    counter latency_sum_ns{0};
  };
  shard& local();

  const std::uint64_t id_;  // tells this object's shards from those of one destroyed at the same address
  mutable std::mutex shards_mutex_;
  std::vector<std::unique_ptr<shard>> shards_;
  std::atomic<std::size_t> journal_skipped_{0};
  mutable std::mutex follow_on_counts_mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> ai_unavailable_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> transfers_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> callbacks_;
};

}  // namespace callpolicy::server
