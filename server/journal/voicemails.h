// The voicemails journaled: how many (for /status, /metrics and the status
// page), and each RecordingSid of the last day, so that Twilio's retry of a
// callback whose answer it missed is answered without a second record
// (docs/operations.md, "Journal"). Filled by the voicemail handler, by replay
// at start, and carried across a rotation by its snapshot.
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "server/clock.h"
#include "server/recent_keys.h"

namespace callpolicy::server {

class journaled_voicemails {
 public:
  // Far longer than Twilio keeps retrying a callback.
  static constexpr auto recording_memory = std::chrono::hours(24);

  std::size_t count() const { return count_.load(); }
  // `clinic` empty for a voicemail journaled before messages named theirs.
  void add(std::string_view clinic, std::size_t n) {
    count_ += n;
    std::lock_guard lock(mutex_);
    const auto it = by_clinic_.find(clinic);
    if (it == by_clinic_.end()) {
      by_clinic_.emplace(std::string(clinic), n);
    } else {
      it->second += n;
    }
  }
  std::map<std::string, std::size_t, std::less<>> by_clinic() const {
    std::lock_guard lock(mutex_);
    return by_clinic_;
  }

  // Whether the recording is new (and now remembered).
  bool remember(std::string_view recording_sid, clock_type::time_point at) {
    std::lock_guard lock(mutex_);
    return recordings_.insert(recording_sid, at);
  }
  // A recording whose record could not be written: Twilio's retry is new again.
  void forget(std::string_view recording_sid) {
    std::lock_guard lock(mutex_);
    recordings_.erase(recording_sid, clock_type::now());
  }
  // A recording replay read, remembered only if still within the memory.
  void restore(std::string_view recording_sid, clock_type::time_point at, clock_type::time_point now) {
    if (at + recording_memory > now) remember(recording_sid, at);
  }
  // Each recording remembered, oldest first, with when it was journaled.
  template <class Visit>
  void for_each_recording(Visit&& visit) {
    std::lock_guard lock(mutex_);
    recordings_.for_each(visit);
  }

 private:
  std::atomic<std::size_t> count_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t, std::less<>> by_clinic_;
  recent_keys recordings_{recording_memory};
};

}  // namespace callpolicy::server
