// The last decisions of every clinic, kept in memory for the status page:
// a page view reads no file and waits on no disk, and the page works with
// the journal off. Filled by the webhooks as they decide and, at start, by
// the journal's replay, so a restart keeps what the page showed. Bounded:
// a fixed number of fixed-size entries per clinic that took calls, made
// once at its first call, so a decision remembered allocates nothing
// (docs/operations.md, "Recent decisions").
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

// What `add` copies from: views into the request.
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

  recent_decisions() = default;
  recent_decisions(const recent_decisions&) = delete;
  recent_decisions& operator=(const recent_decisions&) = delete;

  // Remembers one decision, forgetting the clinic's oldest past
  // `kept_per_clinic`; a field longer than its slot is cut (never inside a
  // UTF-8 sequence).
  void add(std::string_view clinic, const recent_decision_view& d);
  // The clinic's decisions, newest first.
  std::vector<recent_decision> of(std::string_view clinic) const;

 private:
  // Text of at most N - 1 bytes, in place.
  template <std::size_t N>
  struct field {
    std::array<char, N> bytes{};
    std::uint8_t size = 0;
    void assign(std::string_view text);
    std::string text() const { return std::string(bytes.data(), size); }
  };
  struct entry {
    std::int64_t time_ms = 0;
    field<40> call_sid;  // Twilio's are 34
    field<24> step;
    field<48> caller;
    field<16> action;
    field<128> reason;  // longer ones (an override's, up to 200 bytes) are cut
  };
  struct ring {
    std::array<entry, kept_per_clinic> entries;
    std::size_t next = 0;
    std::size_t size = 0;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, ring, string_hash, std::equal_to<>> rings_;
};

}  // namespace callpolicy::server
