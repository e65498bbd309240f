// The server's one clock, and the Unix milliseconds its records and JSON
// answers carry.
#pragma once

#include <chrono>
#include <cstdint>

namespace callpolicy::server {

using clock_type = std::chrono::system_clock;

inline std::int64_t unix_ms(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline std::int64_t now_ms() { return unix_ms(clock_type::now()); }

}  // namespace callpolicy::server
