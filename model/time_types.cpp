#include "model/time_types.h"

#include <array>

#include <fmt/format.h>

namespace callpolicy {
namespace {
constexpr std::array<std::string_view, 7> weekday_names{"mon", "tue", "wed", "thu",
                                                        "fri", "sat", "sun"};
constexpr std::array<std::string_view, action_count> action_names{"ai", "voicemail", "forward", "busy", "menu", "hangup", "callback"};
constexpr std::array<std::string_view, 3> via_names{"ported", "forwarded", "sip"};

template <typename Enum, std::size_t N>
std::optional<Enum> find_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}
}  // namespace

std::optional<int> weekday_from_name(std::string_view name) {
  return find_name<int>(weekday_names, name);
}
std::string_view weekday_name(int weekday) { return weekday_names.at(weekday); }

std::string_view action_name(action_kind a) { return action_names.at(static_cast<int>(a)); }
std::optional<action_kind> action_from_name(std::string_view name) {
  return find_name<action_kind>(action_names, name);
}

std::string_view via_name(via_kind v) { return via_names.at(static_cast<int>(v)); }
std::optional<via_kind> via_from_name(std::string_view name) {
  return find_name<via_kind>(via_names, name);
}

day_number western_easter(int year) {
  const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

day_number orthodox_easter(int year) {
  const int a = year % 4, b = year % 7, c = year % 19, d = (19 * c + 15) % 30, e = (2 * a + 4 * b - d + 34) % 7;
  const int month = (d + e + 114) / 31, day = (d + e + 114) % 31 + 1;
  // March to May of the Julian calendar is this many days behind the
  // Gregorian: a day for each century year the Julian counts as leap and
  // the Gregorian does not, since the calendars agreed in the 3rd century.
  const int gap = year / 100 - year / 400 - 2;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) + gap;
}

day_number weekday_beside(day_number anchor, int weekday, int direction) {
  int gap = direction < 0 ? (weekday_of(anchor) - weekday + 7) % 7 : (weekday - weekday_of(anchor) + 7) % 7;
  if (gap == 0) gap = 7;
  return anchor + direction * gap;
}

// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
day_number days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

civil_date civil_from_days(day_number z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

int weekday_of(day_number d) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return static_cast<int>(((d % 7) + 7 + 3) % 7);
}

bool is_valid_civil(int year, unsigned month, unsigned day) {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr std::array<unsigned, 12> lengths{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const unsigned length = month == 2 && leap ? 29 : lengths[month - 1];
  return day <= length;
}

std::string format_date(day_number d) {
  const civil_date c = civil_from_days(d);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string format_date_range(const date_range& dates) {
  if (dates.first == dates.last) return format_date(dates.first);
  return format_date(dates.first) + ".." + format_date(dates.last);
}

std::string format_clock(std::uint16_t minutes) {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

}  // namespace callpolicy
