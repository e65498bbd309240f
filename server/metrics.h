// Counters and a latency histogram in the Prometheus text format (SPEC 5).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace callpolicy::server {

class metrics {
 public:
  // A known key is counted without allocating: lookups take views.
  void count_request(std::string_view endpoint, unsigned status, std::chrono::nanoseconds latency);
  void count_decision(std::string_view clinic, std::string_view action, std::string_view reason);

  void set_journal_skipped(std::size_t records) { journal_skipped_ = records; }

  // `active_calls` and the reload figures are read when rendering.
  std::string render(const std::map<std::string, std::int32_t>& active_calls, std::uint64_t reloads_ok,
                     std::uint64_t reloads_failed, std::size_t last_reload_errors, bool last_reload_ok,
                     std::size_t voicemails) const;

 private:
  static constexpr std::array<double, 10> buckets_{0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                   0.0025,  0.005,  0.01,    0.05,   0.25};
  mutable std::mutex mutex_;
  // Keys own their strings; lookups compare them as views, so that counting
  // a known key copies nothing.
  using request_key = std::tuple<std::string, unsigned>;
  using request_view = std::tuple<std::string_view, unsigned>;
  using decision_key = std::tuple<std::string, std::string, std::string>;
  using decision_view = std::tuple<std::string_view, std::string_view, std::string_view>;
  struct by_views {
    using is_transparent = void;
    static request_view views(const request_key& k) { return {std::get<0>(k), std::get<1>(k)}; }
    static request_view views(const request_view& k) { return k; }
    static decision_view views(const decision_key& k) { return {std::get<0>(k), std::get<1>(k), std::get<2>(k)}; }
    static decision_view views(const decision_view& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return views(a) < views(b);
    }
  };
  std::map<request_key, std::uint64_t, by_views> requests_;
  std::map<decision_key, std::uint64_t, by_views> decisions_;
  std::array<std::uint64_t, buckets_.size() + 1> latency_counts_{};
  double latency_sum_ = 0;
  std::atomic<std::size_t> journal_skipped_{0};
};

}  // namespace callpolicy::server
