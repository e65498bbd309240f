// The lengths of each clinic's completed calls over the last hour, for the
// estimated wait (docs/operations.md, "Estimated wait"): the `CallDuration`
// of final status callbacks, once per CallSid. The memory store keeps them
// for one server; a shared store keeps its fleet's in Redis and mirrors
// them here, so that a decision reads the mean without a round trip.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/clock.h"

namespace callpolicy::server {

class call_lengths {
 public:
  static constexpr auto window = std::chrono::hours(1);
  // How often a mirror of a shared store's window is read again, at most:
  // other servers' calls reach this one's estimate within it.
  static constexpr auto shared_refresh = std::chrono::seconds(2);

  struct entry {
    std::string call_sid;
    std::int32_t seconds = 0;
    clock_type::time_point ended;
  };

  // False when the call was counted already (Twilio retried its callback)
  // or its length is no length (0 or less, or more than a day).
  bool add(std::string_view clinic, std::string_view call_sid, std::int32_t seconds, clock_type::time_point ended);
  // The mean over the window, rounded to the second; 0 while fewer than
  // min_calls_for_mean calls completed in it.
  std::int32_t mean_seconds(std::string_view clinic, clock_type::time_point now);
  // What the shared store holds for the clinic, in place of what was here.
  void replace(std::string_view clinic, std::vector<entry> entries, clock_type::time_point now);
  // Whether the clinic's window was last asked for `every` or longer ago
  // (now it counts as asked): how a mirror paces its reads of the shared store.
  bool due(std::string_view clinic, clock_type::time_point now, std::chrono::seconds every);

 private:
  void expire(std::deque<entry>& calls, clock_type::time_point now);

  std::mutex mutex_;
  std::map<std::string, std::deque<entry>, std::less<>> by_clinic_;
  std::map<std::string, clock_type::time_point, std::less<>> asked_;
};

}  // namespace callpolicy::server
