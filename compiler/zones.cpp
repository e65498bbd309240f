#include "compiler/zones.h"

#include <algorithm>
#include <cctype>
#include <exception>

#include <date/tz.h>
#include <fmt/format.h>

#include "compiler/time_types.h"

namespace callpolicy {

const date::time_zone* find_zone(std::string_view name) noexcept {
  if (name.empty()) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}
}  // namespace

std::vector<std::string> suggest_zones(std::string_view name, std::size_t limit) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  try {
    for (const auto& zone : date::get_tzdb().zones) {
      scored.emplace_back(edit_distance(name, zone.name()), zone.name());
    }
  } catch (const std::exception&) {
    return {};
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  // A suggestion further than a third of the name away is noise.
  const std::size_t reasonable = std::max<std::size_t>(3, name.size() / 3);
  for (const auto& [distance, zone] : scored) {
    if (out.size() >= limit || distance > reasonable) break;
    out.push_back(zone);
  }
  return out;
}

namespace {

// The system's TZif files list transitions up to 2037; date's OS-tzdb reader
// ignores the POSIX rule that continues them, so later years would never
// change offset. For such a year, the offset is read in the latest earlier
// year with the same calendar (weekday of 1 January and leap-ness), where
// rules like "second Sunday of March" fall on the same dates. Returns the
// seconds to subtract to land in that year.
constexpr int last_table_year = 2037;

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::int64_t equivalent_year_shift(std::int64_t seconds) {
  const day_number day = static_cast<day_number>(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400);
  const int year = civil_from_days(day).year;
  if (year <= last_table_year) return 0;
  const day_number january_first = days_from_civil(year, 1, 1);
  for (int candidate = last_table_year; candidate >= last_table_year - 28; --candidate) {
    const day_number candidate_first = days_from_civil(candidate, 1, 1);
    if (is_leap(candidate) == is_leap(year) &&
        weekday_of(candidate_first) == weekday_of(january_first)) {
      return std::int64_t{january_first - candidate_first} * 86400;
    }
  }
  return 0;
}

}  // namespace

local_resolution resolve_local_time(const date::time_zone* zone, std::int64_t local_seconds) {
  const std::int64_t shift = equivalent_year_shift(local_seconds);
  const date::local_seconds local{std::chrono::seconds{local_seconds}};
  const date::local_info info = zone->get_info(local - std::chrono::seconds{shift});
  local_resolution r;
  switch (info.result) {
    case date::local_info::unique:
      r.type = local_resolution::kind::unique;
      r.instant = date::sys_seconds{local.time_since_epoch() - info.first.offset};
      break;
    case date::local_info::ambiguous:
      r.type = local_resolution::kind::ambiguous;
      r.instant = date::sys_seconds{local.time_since_epoch() - info.first.offset};
      break;
    default:
      r.type = local_resolution::kind::nonexistent;
      break;
  }
  return r;
}

local_parts to_local(const date::time_zone* zone, std::chrono::sys_seconds at) {
  const std::int64_t shift = equivalent_year_shift(at.time_since_epoch().count());
  const date::sys_info info = zone->get_info(at - std::chrono::seconds{shift});
  const std::int64_t local = at.time_since_epoch().count() + info.offset.count();
  std::int64_t days = local / 86400;
  std::int64_t seconds = local % 86400;
  if (seconds < 0) {
    seconds += 86400;
    --days;
  }
  return {static_cast<std::int32_t>(days), static_cast<std::uint32_t>(seconds),
          static_cast<std::int32_t>(info.offset.count())};
}

std::string format_rfc3339_local(const date::time_zone* zone, std::chrono::sys_seconds at) {
  const local_parts p = to_local(zone, at);
  const civil_date c = civil_from_days(p.date);
  const int offset = p.offset_seconds;
  const int magnitude = offset < 0 ? -offset : offset;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", c.year, c.month, c.day,
                     p.seconds / 3600, p.seconds / 60 % 60, p.seconds % 60,
                     offset < 0 ? '-' : '+', magnitude / 3600, magnitude / 60 % 60);
}

}  // namespace callpolicy
