// Emergency overrides (docs/operations.md, "Emergency overrides"): "until 18:00 every call to this clinic
// goes to voicemail, because the office flooded". One per clinic, set and
// cleared on the admin address, each with a reason that becomes the
// decision's reason (`override: office flooded`), expiring on its own.
//
// This table is what the request path reads: a lookup by clinic id, and
// none at all while no override is set (the usual case). Where overrides are
// kept for good is the state store's business: the journal for the memory
// store, Redis for a shared one (where every server sees them at once); both
// feed this table.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "model/time_types.h"

namespace callpolicy::server {

struct clinic_override {
  std::string clinic;
  action_kind action = action_kind::voicemail;
  std::chrono::system_clock::time_point until{};
  std::string reason;  // as given
  std::string set_at;  // RFC 3339 UTC, for /status and list

  std::string decision_reason() const { return "override: " + reason; }
  // One line, "v1\tACTION\tUNTIL_MS\tSET_AT\tREASON", as a shared store keeps it.
  std::string encode() const;
  static std::optional<clinic_override> decode(std::string_view clinic, std::string_view text);
};

// What a shared store keeps for an override cleared before its time: a
// tombstone, so that a server still holding the override (or one writing its
// overrides back after an outage) can tell "cleared" from "lost".
inline constexpr std::string_view cleared_override = "cleared";

// The log line for an override a shared store had lost: written back (`ok`),
// or not, and why. No override disappears without one.
void log_override_restored(std::string_view clinic, bool ok, std::string_view error);

// "2026-12-24T23:00:00Z"
std::string rfc3339_utc(std::chrono::system_clock::time_point t);

// The JSON object of an override, as the admin API and `eval --override-file` read and write it.
std::string override_json(const clinic_override& o);

class override_table {
 public:
  // The clinic's override if one holds at `now`. Copies into `action` and
  // `reason` (reused buffers), so that nothing outlives the lock.
  bool active(std::string_view clinic, std::chrono::system_clock::time_point now, action_kind& action,
              std::string& reason) const;
  void put(clinic_override o);
  // False when the clinic had none.
  bool erase(std::string_view clinic);
  // What a shared store says the clinic has now: `text` encoded, or empty for none.
  void apply_shared(std::string_view clinic, std::string_view text);
  std::vector<clinic_override> all(std::chrono::system_clock::time_point now) const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, clinic_override, std::less<>> by_clinic_;
  std::atomic<std::size_t> size_{0};  // read without the lock: no override, no lookup
};

}  // namespace callpolicy::server
