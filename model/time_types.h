// Plain values shared by the AST and the compiled form: days, windows, dates,
// holiday rules and the action and integration names. No behaviour beyond
// trivial helpers; the time semantics (docs/language.md, "Time semantics") live in compiled_policy.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callpolicy {

// Days since 1970-01-01 in the proleptic Gregorian calendar (the count of
// std::chrono::sys_days).
using day_number = std::int32_t;

// Weekdays are numbered Monday = 0 .. Sunday = 6 and sets of them are bit masks.
using day_mask = std::uint8_t;
inline constexpr day_mask all_days = 0x7f;
inline constexpr day_mask weekdays_mask = 0x1f;
inline constexpr day_mask weekends_mask = 0x60;
inline constexpr day_mask day_bit(int weekday) { return static_cast<day_mask>(1u << weekday); }
// "mon".."sun"; nullopt for anything else.
std::optional<int> weekday_from_name(std::string_view name);
std::string_view weekday_name(int weekday);

inline constexpr int minutes_per_day = 1440;

// Minutes from local midnight. `end` may be 1440 (24:00). An end at or before
// the start crosses midnight; such a window belongs to the day it starts on.
struct window {
  std::uint16_t start = 0;
  std::uint16_t end = 0;
  bool crosses_midnight() const { return end <= start; }
  friend bool operator==(const window&, const window&) = default;
};

// Inclusive on both ends; a single date has first == last.
struct date_range {
  day_number first = 0;
  day_number last = 0;
  bool contains(day_number d) const { return first <= d && d <= last; }
  friend bool operator==(const date_range&, const date_range&) = default;
};

// One entry of a `holidays` block or a calendar, after `use` is resolved.
struct holiday_rule {
  // yearly_before/yearly_after: the `weekday` nearest to an anchor, strictly
  // before or after it (`yearly mon before 05-25`, Victoria Day), or the
  // nth such (`nth` 2..5; 0 or 1 the nearest). The anchor is month-day, or
  // with `anchor_nth` the nth `anchor_weekday` of the month (`yearly 1st tue
  // after 1st mon of nov`, the US Election Day).
  enum class kind : std::uint8_t { dates, yearly_date, yearly_nth, easter, yearly_before, yearly_after };
  kind type = kind::dates;
  date_range dates;         // kind::dates
  std::uint8_t month = 0;   // yearly_*: 1..12
  std::uint8_t day = 0;     // yearly_date, yearly_before/after: 1..31 (02-29 holds in leap years only)
  std::int8_t nth = 0;      // yearly_nth: 1..5, or -1 for `last`
  std::uint8_t weekday = 0; // yearly_nth, yearly_before/after: Monday = 0
  std::string label;
  std::int16_t offset = 0;  // easter: days from Western Easter Sunday (-2 Good Friday, +1 Easter Monday)
  // The years a yearly or Easter rule holds in (`from 2021 until 2030`); 0: unbounded.
  std::int16_t from_year = 0;
  std::int16_t until_year = 0;
  // `from 2024 every 4 years`: the rule holds every that many years counted
  // from `from_year`; 0: every year.
  std::uint8_t every_years = 0;
  // Where the rule is written, "ca-bc:12" or "rules/holidays.policy:4", for
  // `eval --explain`, `week` and the status page to name beside the holiday.
  // Not part of what the rule means: moving a line changes no call, so two
  // rules that differ only here are equal.
  struct written_at {
    std::string text;
    friend bool operator==(const written_at&, const written_at&) { return true; }
  };
  written_at source{};
  // `observed sat -> fri, sun -> mon`: by weekday (Monday = 0), the days a
  // holiday falling on it is kept later (+) or earlier (-); 0: on the day.
  std::array<std::int8_t, 7> observed{};
  bool orthodox = false;            // easter: Orthodox Easter (`orthodox-easter -2`), not Western
  std::int8_t anchor_nth = 0;       // yearly_before/after: 1..5, or -1 for `last`; 0: month-day
  std::uint8_t anchor_weekday = 0;  // with anchor_nth: Monday = 0
  friend bool operator==(const holiday_rule&, const holiday_rule&) = default;
};

// What a route leaf does. `fallback` exists only in the source language; the
// compiler replaces it with the clinic's concrete fallback.
// `menu` plays a keypad menu; `hangup` only ends a flow (a forward's
// `unanswered`, a menu key), never a route's first answer; `callback` asks
// the caller for a number to be called back at.
enum class action_kind : std::uint8_t { ai, voicemail, forward, busy, menu, hangup, callback };
inline constexpr std::size_t action_count = 7;
std::string_view action_name(action_kind a);
std::optional<action_kind> action_from_name(std::string_view name);

// How a call reached us (docs/operations.md).
enum class via_kind : std::uint8_t { ported, forwarded, sip };
using via_mask = std::uint8_t;
inline constexpr via_mask via_bit(via_kind v) { return static_cast<via_mask>(1u << static_cast<int>(v)); }
std::string_view via_name(via_kind v);
std::optional<via_kind> via_from_name(std::string_view name);

// Converts between civil dates and day numbers (Howard Hinnant's algorithms).
day_number days_from_civil(int year, unsigned month, unsigned day);
struct civil_date {
  int year;
  unsigned month;
  unsigned day;
};
civil_date civil_from_days(day_number d);
int weekday_of(day_number d);  // Monday = 0
// Western (Gregorian) Easter Sunday of `year`, by the anonymous Gregorian
// computus (Meeus, "Astronomical Algorithms", ch. 8).
day_number western_easter(int year);
// Orthodox Easter Sunday of `year` as a Gregorian date: the Julian computus
// (Meeus, ch. 8) on the Julian calendar, moved by that century's gap
// between the two calendars (13 days from 1900 to 2099).
day_number orthodox_easter(int year);
// The `weekday` nearest to `anchor` strictly before it (direction -1) or
// strictly after it (+1).
day_number weekday_beside(day_number anchor, int weekday, int direction);
// The largest `easter` offset a policy may write, in days either way.
inline constexpr int max_easter_offset = 200;
bool is_valid_civil(int year, unsigned month, unsigned day);
std::string format_date(day_number d);        // 2026-12-24
std::string format_date_range(const date_range& dates);  // 2026-12-24, or 2026-12-24..2026-12-26
std::string format_clock(std::uint16_t minutes);  // 09:00, 24:00

}  // namespace callpolicy
