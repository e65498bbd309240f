#include "server/state/call_lengths.h"

#include <algorithm>

#include "model/compiled_policy.h"

namespace callpolicy::server {

bool call_lengths::add(std::string_view clinic, std::string_view call_sid, std::int32_t seconds,
                       clock_type::time_point ended) {
  if (seconds <= 0 || seconds > 24 * 3600 || clinic.empty()) return false;
  std::lock_guard lock(mutex_);
  auto it = by_clinic_.find(clinic);
  if (it == by_clinic_.end()) it = by_clinic_.emplace(std::string(clinic), std::deque<entry>{}).first;
  std::deque<entry>& calls = it->second;
  expire(calls, clock_type::now());
  if (std::any_of(calls.begin(), calls.end(), [&](const entry& e) { return e.call_sid == call_sid; })) return false;
  // Callbacks arrive about in the order calls end; keep the window sorted.
  const auto at = std::upper_bound(calls.begin(), calls.end(), ended,
                                   [](clock_type::time_point t, const entry& e) { return t < e.ended; });
  calls.insert(at, entry{std::string(call_sid), seconds, ended});
  return true;
}

std::int32_t call_lengths::mean_seconds(std::string_view clinic, clock_type::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = by_clinic_.find(clinic);
  if (it == by_clinic_.end()) return 0;
  expire(it->second, now);
  const std::deque<entry>& calls = it->second;
  if (calls.size() < static_cast<std::size_t>(min_calls_for_mean)) return 0;
  std::int64_t total = 0;
  for (const entry& e : calls) total += e.seconds;
  const auto n = static_cast<std::int64_t>(calls.size());
  return static_cast<std::int32_t>((total + n / 2) / n);
}

void call_lengths::replace(std::string_view clinic, std::vector<entry> entries, clock_type::time_point now) {
  std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) { return a.ended < b.ended; });
  std::deque<entry> calls(std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  expire(calls, now);
  std::lock_guard lock(mutex_);
  auto it = by_clinic_.find(clinic);
  if (it == by_clinic_.end()) it = by_clinic_.emplace(std::string(clinic), std::deque<entry>{}).first;
  it->second = std::move(calls);
}

bool call_lengths::due(std::string_view clinic, clock_type::time_point now, std::chrono::seconds every) {
  std::lock_guard lock(mutex_);
  auto it = asked_.find(clinic);
  if (it == asked_.end()) it = asked_.emplace(std::string(clinic), clock_type::time_point{}).first;
  if (now - it->second < every) return false;
  it->second = now;
  return true;
}

void call_lengths::expire(std::deque<entry>& calls, clock_type::time_point now) {
  while (!calls.empty() && calls.front().ended + window <= now) calls.pop_front();
}

}  // namespace callpolicy::server
