// Reading a clinic's exported closures (iCalendar, RFC 5545: Google
// Calendar, Outlook, Apple Calendar) into plain events, through libical,
// which parses the file, resolves each TZID (the file's VTIMEZONEs first,
// then the system's zones) and expands RRULE, RDATE and EXDATE. Nothing of
// libical leaves this reader (docs/tooling.md, "import-ics").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/time_types.h"

namespace callpolicy {

// A yearly all-day rule the language can say as a `yearly` line: the month
// day of its first date, or with `nth` the nth `weekday` (Monday = 0) of
// `month` (-1: the last), every `interval` years. `days` are its dates, by
// libical's expansion, up to the year `ics_last_year_read`; `bounded` when
// the rule ends (UNTIL or COUNT) before that.
struct ics_yearly {
  std::uint8_t month = 0;
  std::uint8_t day = 0;
  std::int8_t nth = 0;
  std::uint8_t weekday = 0;
  int interval = 1;
  std::vector<day_number> days{};
  bool bounded = false;
};
inline constexpr int ics_last_year_read = 2200;

// One occurrence. All-day: the dates `first` to `last`, both included.
// Timed: seconds since 1970-01-01T00:00, an instant (`zoned`) or a wall time
// in the clinic's own zone (`floating`, an event written without a zone);
// `end` excluded.
struct ics_occurrence {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t wall = 0;  // timed: its start on the wall clock of its own zone, for messages
};

struct ics_event {
  std::size_t line = 0;  // its BEGIN:VEVENT
  std::string name;      // SUMMARY, one line of valid UTF-8; "Closed" when it has none
  enum class timing : std::uint8_t { all_day, zoned, floating };
  timing kind = timing::all_day;
  std::string zone;      // the TZID as written, "UTC", or "" when floating or all day
  bool recurring = false;
  std::vector<ics_occurrence> occurrences{};  // those that touch the range asked for, in order
  std::optional<ics_yearly> yearly{};         // all-day, one day long, FREQ=YEARLY of a shape the language has
};

// What is wrong with a file that is no iCalendar or has a malformed part a
// closure depends on, or a note on what was read and left out.
struct ics_message {
  std::size_t line = 0;
  std::string message;
};
using ics_error = ics_message;

struct ics_calendar {
  std::vector<ics_event> events;
  std::vector<ics_message> notes;
};


// `text` as one line of valid UTF-8 at most 100 bytes long (control
// characters become spaces): what is pasted from a file into a policy.
std::string ics_one_line(std::string_view text);

// Reads `text`, keeping the occurrences that touch the dates `first` to
// `last` (all-day events by their dates, timed ones by their UTC or wall
// date, a day either side). Never throws for any input.
std::variant<ics_calendar, ics_error> read_ics(std::string_view text, day_number first, day_number last);

}  // namespace callpolicy
