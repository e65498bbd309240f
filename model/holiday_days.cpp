#include "model/holiday_days.h"

#include <algorithm>
#include <cstdlib>

namespace callpolicy {

namespace {

unsigned month_length(int year, unsigned month) {
  for (unsigned d = 31; d >= 28; --d) {
    if (is_valid_civil(year, month, d)) return d;
  }
  return 28;
}

// The nth (1..5, or -1 for the last) `weekday` of a month, if the month has it.
std::optional<day_number> nth_weekday(int year, unsigned month, int nth, int weekday) {
  if (nth == -1) {
    const day_number last = days_from_civil(year, month, month_length(year, month));
    return last - ((weekday_of(last) - weekday + 7) % 7);
  }
  const day_number first = days_from_civil(year, month, 1);
  const day_number found = first + (weekday - weekday_of(first) + 7) % 7 + 7 * (nth - 1);
  if (civil_from_days(found).month != month) return std::nullopt;
  return found;
}

bool own_day_of_some_rule(const std::vector<yearly_holiday>& set, day_number date) {
  return std::any_of(set.begin(), set.end(), [&](const yearly_holiday& y) { return yearly_holiday_holds(y, date); });
}

// An observed day is at most a few days from its own day; a collision moves
// it on by a day at a time, never a week away.
constexpr int observed_reach = 7;

// Where the rule's day `own` is kept: shifted by its weekday's shift, then on
// in the same direction past every own day of the set and every day an
// earlier rule is kept on (Christmas on a Sunday kept on Monday, Boxing Day,
// moves to Tuesday).
day_number kept_day(const std::vector<yearly_holiday>& set, day_number own, int shift,
                    const std::vector<day_number>& taken) {
  const int step = shift > 0 ? 1 : -1;
  day_number d = own + shift;
  while (std::abs(d - own) < observed_reach &&
         (own_day_of_some_rule(set, d) || std::find(taken.begin(), taken.end(), d) != taken.end())) {
    d += step;
  }
  return d;
}

}  // namespace

bool yearly_holiday::has_observed() const {
  return std::any_of(observed.begin(), observed.end(), [](std::int8_t s) { return s != 0; });
}

yearly_holiday yearly_holiday_of(const holiday_rule& rule) {
  yearly_holiday y;
  switch (rule.type) {
    case holiday_rule::kind::dates: break;
    case holiday_rule::kind::yearly_date:
      y.month = rule.month;
      y.day = rule.day;
      break;
    case holiday_rule::kind::yearly_nth:
      y.month = rule.month;
      y.nth = rule.nth;
      y.weekday = rule.weekday;
      break;
    case holiday_rule::kind::easter:
      y.easter = true;
      y.offset = rule.offset;
      break;
    case holiday_rule::kind::yearly_before:
    case holiday_rule::kind::yearly_after:
      y.month = rule.month;
      y.day = rule.day;
      y.weekday = rule.weekday;
      y.beside = rule.type == holiday_rule::kind::yearly_before ? -1 : 1;
      break;
  }
  y.from_year = rule.from_year;
  y.until_year = rule.until_year;
  y.observed = rule.observed;
  return y;
}

std::optional<day_number> yearly_holiday_day(const yearly_holiday& y, int year) {
  if (!y.in_year(year)) return std::nullopt;
  if (y.easter) return western_easter(year) + y.offset;
  if (y.day == 0) return nth_weekday(year, y.month, y.nth, y.weekday);
  if (!is_valid_civil(year, y.month, y.day)) return std::nullopt;  // 02-29 only in leap years
  const day_number anchor = days_from_civil(year, y.month, y.day);
  return y.beside == 0 ? anchor : weekday_beside(anchor, y.weekday, y.beside);
}

bool yearly_holiday_holds(const yearly_holiday& y, day_number date) {
  const civil_date c = civil_from_days(date);
  if (y.easter) {
    // An offset of up to 200 days can reach into the year before or after.
    for (int year = c.year - 1; year <= c.year + 1; ++year) {
      if (yearly_holiday_day(y, year) == date) return true;
    }
    return false;
  }
  if (y.beside != 0) {
    // The day is within a week of its anchor, so only a date in January or
    // December can belong to an anchor of the year before or after.
    for (int year = c.year - (c.month == 1); year <= c.year + (c.month == 12); ++year) {
      if (yearly_holiday_day(y, year) == date) return true;
    }
    return false;
  }
  if (y.month != c.month || !y.in_year(c.year)) return false;
  if (y.day != 0) return y.day == c.day;
  if (weekday_of(date) != y.weekday) return false;
  // The nth such weekday is in days 7(n-1)+1 .. 7n; the last is within a
  // week of the month's end.
  return y.nth > 0 ? (c.day - 1) / 7 + 1 == static_cast<unsigned>(y.nth) : civil_from_days(date + 7).month != c.month;
}

bool observed_on(const std::vector<yearly_holiday>& set, day_number date, std::vector<std::size_t>* which) {
  // Rules in order, each kept day taken before the next rule's is found. Only
  // rules whose own day is near enough to `date` to reach it, or to push a
  // rule that reaches it, are looked at.
  std::vector<day_number> taken;
  bool found = false;
  const int year = civil_from_days(date).year;
  for (std::size_t i = 0; i < set.size(); ++i) {
    const yearly_holiday& y = set[i];
    if (!y.has_observed()) continue;
    for (int own_year = year - 1; own_year <= year + 1; ++own_year) {
      const std::optional<day_number> own = yearly_holiday_day(y, own_year);
      if (!own || std::abs(*own - date) > 3 * observed_reach) continue;
      const int shift = y.observed[static_cast<std::size_t>(weekday_of(*own))];
      if (shift == 0) continue;
      const day_number kept = kept_day(set, *own, shift, taken);
      taken.push_back(kept);
      if (kept != date) continue;
      found = true;
      if (!which) return true;
      which->push_back(i);
    }
  }
  return found;
}

std::int8_t observed_shift_days(int from_weekday, int to_weekday) {
  const int later = (to_weekday - from_weekday + 7) % 7;
  return static_cast<std::int8_t>(later > 3 ? later - 7 : later);
}

bool holiday_rule_holds(const holiday_rule& rule, day_number date) {
  if (rule.type == holiday_rule::kind::dates) return rule.dates.contains(date);
  return yearly_holiday_holds(yearly_holiday_of(rule), date);
}

std::vector<holiday_on_day> holidays_on(const std::vector<holiday_rule>& rules, day_number date) {
  std::vector<holiday_on_day> out;
  std::vector<yearly_holiday> set;
  std::vector<const holiday_rule*> rule_of;
  for (const holiday_rule& r : rules) {
    if (holiday_rule_holds(r, date)) out.push_back({&r, false});
    if (r.type == holiday_rule::kind::dates) continue;
    set.push_back(yearly_holiday_of(r));
    rule_of.push_back(&r);
  }
  std::vector<std::size_t> kept;
  if (observed_on(set, date, &kept)) {
    for (std::size_t i : kept) out.push_back({rule_of[i], true});
  }
  return out;
}

std::string holiday_names_on(const std::vector<holiday_rule>& rules, day_number date) {
  std::string out;
  for (const holiday_on_day& h : holidays_on(rules, date)) {
    if (h.rule->label.empty()) continue;
    const std::string name = h.observed ? h.rule->label + " (observed)" : h.rule->label;
    // "Canada Day" must not hide "Canada Day (observed)", nor the reverse.
    const std::string joined = ", " + out + ", ";
    if (joined.find(", " + name + ", ") != std::string::npos) continue;
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

std::vector<day_number> expand_holidays(const std::vector<holiday_rule>& rules, int first_year, int last_year) {
  std::vector<day_number> dates;
  std::vector<yearly_holiday> set;
  for (const holiday_rule& rule : rules) {
    if (rule.type == holiday_rule::kind::dates) {
      for (day_number d = rule.dates.first; d <= rule.dates.last; ++d) dates.push_back(d);
      continue;
    }
    set.push_back(yearly_holiday_of(rule));
    for (int y = first_year; y <= last_year; ++y) {
      if (auto d = yearly_holiday_day(set.back(), y)) dates.push_back(*d);
    }
  }
  // A kept day is near its own day: test the days around each own day of a
  // rule that has shifts, through the same walk the request path takes.
  if (std::any_of(set.begin(), set.end(), [](const yearly_holiday& y) { return y.has_observed(); })) {
    std::vector<day_number> near;
    for (const yearly_holiday& y : set) {
      if (!y.has_observed()) continue;
      for (int year = first_year; year <= last_year; ++year) {
        const auto own = yearly_holiday_day(y, year);
        if (!own) continue;
        for (day_number d = *own - observed_reach; d <= *own + observed_reach; ++d) near.push_back(d);
      }
    }
    std::sort(near.begin(), near.end());
    near.erase(std::unique(near.begin(), near.end()), near.end());
    for (day_number d : near) {
      const int year = civil_from_days(d).year;
      if (year >= first_year && year <= last_year && observed_on(set, d)) dates.push_back(d);
    }
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  return dates;
}

}  // namespace callpolicy
