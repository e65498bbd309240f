// The last decisions of every clinic, kept in memory for the status page:
// a page view reads no file and waits on no disk, and the page works with
// the journal off. Filled by the webhooks as they decide and, at start, by
// the journal's replay, so a restart keeps what the page showed. Bounded:
// a few entries per clinic that took calls, each field cut to a length the
// page shows (docs/operations.md, "Recent decisions").
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/text.h"

namespace callpolicy::server {

struct recent_decision {
  std::int64_t time_ms = 0;
  std::string call_sid;
  std::string step;    // how the call reached the decision: "ported", "menu 2", "dial no-answer"
  std::string caller;  // E.164 when the caller is a phone number, else as Twilio sent it
  std::string action;
  std::string reason;
};

// What `add` copies from: views into the request, so remembering allocates nothing.
struct recent_decision_view {
  std::int64_t time_ms = 0;
  std::string_view call_sid;
  std::string_view step;
  std::string_view caller;
  std::string_view action;
  std::string_view reason;
};

class recent_decisions {
 public:
  static constexpr std::size_t kept_per_clinic = 20;
  static constexpr std::size_t field_bytes_at_most = 200;

  recent_decisions() = default;
  recent_decisions(const recent_decisions&) = delete;
  recent_decisions& operator=(const recent_decisions&) = delete;

  // Remembers one decision, forgetting the clinic's oldest past
  // `kept_per_clinic`. Slots are reused, so steady traffic allocates nothing.
  void add(std::string_view clinic, const recent_decision_view& d);
  // The clinic's decisions, newest first.
  std::vector<recent_decision> of(std::string_view clinic) const;

 private:
  struct ring {
    std::array<recent_decision, kept_per_clinic> entries;
    std::size_t next = 0;
    std::size_t size = 0;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, ring, string_hash, std::equal_to<>> rings_;
};

}  // namespace callpolicy::server
