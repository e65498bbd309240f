// The IANA zone database (the system's tzdata read by Google's cctz, which
// follows each TZif file's footer rule past its table, as glibc and Python
// do), as both the compiler (unknown zones, test times) and the runtime
// (every decision) use it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cctz {
class time_zone;
}

namespace callpolicy {

// nullptr when the database does not know the name. Never throws. The zone
// lives as long as the process.
const cctz::time_zone* find_zone(std::string_view name) noexcept;

// The country a zone belongs to in tzdata's zone.tab ("America/Toronto" is
// "CA"), links followed; "" for zones of no country (UTC, Etc/GMT+5).
std::string zone_country(std::string_view zone);

// Up to `limit` zone names for a `name` the database does not know (for
// "did you mean"): the zone of a city named exactly or by an old or common
// name ("Calcutta", "Ottawa"), then the nearest canonical names by spelling.
std::vector<std::string> suggest_zones(std::string_view name, std::size_t limit = 1);

// For a known name that users rarely mean (a fixed offset such as EST, a
// POSIX zone such as EST5EDT, an old alias such as US/Eastern): what is wrong
// with it, and the zone to use instead (empty when there is no single one).
enum class zone_problem : std::uint8_t { fixed_offset, posix, inverted_offset, old_name };
struct zone_advice {
  std::string use;
  zone_problem problem = zone_problem::old_name;
};
std::optional<zone_advice> legacy_zone_advice(std::string_view name);

// Reading a local time in a zone (`eval --at` and a test's `at`).
struct local_resolution {
  enum class kind : std::uint8_t { unique, ambiguous, nonexistent };
  kind type = kind::unique;
  std::chrono::sys_seconds instant{};  // ambiguous: the earlier instant; nonexistent: unset
  std::chrono::sys_seconds later{};    // ambiguous: the later instant; else as `instant`
  std::chrono::sys_seconds change{};   // ambiguous, nonexistent: when the offset changes; else as `instant`
};
// `local_seconds` counts seconds since 1970-01-01T00:00 in local time.
local_resolution resolve_local_time(const cctz::time_zone* zone, std::int64_t local_seconds);

// The local date, minute of the day and UTC offset of an instant in a zone.
struct local_parts {
  std::int32_t date = 0;      // day_number
  std::uint32_t seconds = 0;  // since local midnight
  std::int32_t offset_seconds = 0;
};
local_parts to_local(const cctz::time_zone* zone, std::chrono::sys_seconds at);

// "2026-12-24T18:00:00-05:00"
std::string format_rfc3339_local(const cctz::time_zone* zone, std::chrono::sys_seconds at);
// The same appended to `out`: nothing allocated once `out` has room.
void append_rfc3339_local(std::string& out, const cctz::time_zone* zone, std::chrono::sys_seconds at);
// The same from parts already looked up.
void append_rfc3339_local(std::string& out, const local_parts& local);

}  // namespace callpolicy
