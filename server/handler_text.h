// What the handlers' files share (webhooks.cpp, admin_endpoints.cpp,
// journal_replay.cpp): small answers and the journal's time format.
// Private to server/.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "server/webhooks.h"

namespace callpolicy::server {

inline std::int64_t unix_ms(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The journal's record of an override being set (the memory store keeps
// them there), at `now`, into `out` without a newline (journal_replay.cpp).
void append_override_record(std::string& out, const clinic_override& o, clock_type::time_point now);

// A plain-text (or other non-TwiML) answer into `out`.
inline void text(response& out, unsigned status, std::string_view body,
                 std::string_view content_type = "text/plain") {
  out.status = status;
  out.body.assign(body);
  out.content_type = content_type;
}

inline constexpr std::string_view empty_twiml =
    R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)";

inline bool is_final_status(std::string_view status) {
  return status == "completed" || status == "busy" || status == "failed" || status == "no-answer" ||
         status == "canceled";
}

// How long a journaled RecordingSid is remembered to refuse a second copy:
// far longer than Twilio keeps retrying a callback.
inline constexpr auto recording_memory = std::chrono::hours(24);

}  // namespace callpolicy::server
