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
  std::map<std::tuple<std::string, unsigned>, std::uint64_t, std::less<>> requests_;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t, std::less<>> decisions_;
  std::array<std::uint64_t, buckets_.size() + 1> latency_counts_{};
  double latency_sum_ = 0;
  std::atomic<std::size_t> journal_skipped_{0};
};

}  // namespace callpolicy::server
