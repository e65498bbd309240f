// Which days a clinic's holiday rules fall on, the days they are observed on
// included (docs/language.md, "Holidays"). The one owner of what a holiday
// rule means: the request path's tables, expansion for lints and `calendars`,
// and the names in TwiML, `week` and `explain` all ask here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/time_types.h"

namespace callpolicy {

// A yearly or Easter rule in the compact form a date is tested against.
struct yearly_holiday {
  std::uint8_t month = 0;   // 1..12
  std::uint8_t day = 0;     // 1..31 for a yearly date; 0 for an nth weekday
  std::int8_t nth = 0;      // 1..5, or -1 for `last`; beside an anchor, which such day (0: the nearest)
  std::uint8_t weekday = 0; // Monday = 0
  bool easter = false;      // `offset` days from Western Easter; month and day unused
  bool orthodox = false;    // from Orthodox Easter instead
  std::int16_t offset = 0;
  std::int8_t beside = 0;   // -1 `weekday before ANCHOR`, +1 `after`; 0 neither
  std::int8_t anchor_nth = 0;       // as holiday_rule's: the anchor is an nth weekday of `month`
  std::uint8_t anchor_weekday = 0;
  std::int16_t from_year = 0;  // 0: unbounded
  std::int16_t until_year = 0;
  std::uint8_t every_years = 0;  // as holiday_rule's
  std::array<std::int8_t, 7> observed{};  // as holiday_rule::observed
  bool in_year(int year) const {
    return (from_year == 0 || year >= from_year) && (until_year == 0 || year <= until_year) &&
           (every_years == 0 || (year - from_year) % every_years == 0);
  }
  bool has_observed() const;
};

// For any rule but a dated one.
yearly_holiday yearly_holiday_of(const holiday_rule& rule);
// The rule's own day in `year`, if it has one that year.
std::optional<day_number> yearly_holiday_day(const yearly_holiday& y, int year);
// Whether a rule's own day (or range) is `date`, observed days aside.
bool holiday_rule_holds(const holiday_rule& rule, day_number date);
// Whether the rule's own day is `date` (whose civil date is `c`).
bool yearly_holiday_holds(const yearly_holiday& y, day_number date);
bool yearly_holiday_holds(const yearly_holiday& y, const civil_date& c, day_number date);
// Whether some rule of the set (or the set's rule number `only`) is kept on
// `date` away from its own day. Allocates nothing.
inline constexpr std::size_t all_rules = static_cast<std::size_t>(-1);
bool observed_on(const std::vector<yearly_holiday>& set, day_number date, std::size_t only = all_rules);
// The compact set of a clinic's yearly and Easter rules, in order.
std::vector<yearly_holiday> yearly_holidays_of(const std::vector<holiday_rule>& rules);

// The days a shift `observed FROM -> TO` moves a holiday: the nearest TO,
// 1 to 3 days later or earlier.
std::int8_t observed_shift_days(int from_weekday, int to_weekday);

struct holiday_on_day {
  const holiday_rule* rule;
  bool observed;  // kept on this day, away from its own
};
// How a kept day is named: its holiday's name and this, "Canada Day (observed)".
inline constexpr std::string_view observed_suffix = " (observed)";
// The name a holiday gives a day it is on; "" when the rule has no label.
std::string holiday_day_name(const holiday_on_day& h);
// The set's rules that make `date` a holiday, in rule order.
std::vector<holiday_on_day> holidays_on(const std::vector<holiday_rule>& rules, day_number date);
// Their labels joined with ", ", each once, "Canada Day (observed)" for a
// kept day; "" when none is labelled.
std::string holiday_names_on(const std::vector<holiday_rule>& rules, day_number date);
// The same appended to `out`, with the rules' compact set (clinic_tables'
// yearly_holidays), allocating nothing once `out` has room: the request path's.
void append_holiday_names(const std::vector<holiday_rule>& rules, const std::vector<yearly_holiday>& set,
                          day_number date, std::string& out);

// The dates on which `rules` hold within [first_year, last_year], observed
// days included, sorted and unique.
std::vector<day_number> expand_holidays(const std::vector<holiday_rule>& rules, int first_year, int last_year);

}  // namespace callpolicy
