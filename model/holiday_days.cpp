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

// Which weekday beside the anchor: 1 the nearest, 2 the one a week on.
int beside_count(const yearly_holiday& y) { return std::max<int>(y.nth, 1); }

bool own_day_of_some_rule(const std::vector<yearly_holiday>& set, day_number date) {
  const civil_date c = civil_from_days(date);
  return std::any_of(set.begin(), set.end(), [&](const yearly_holiday& y) { return yearly_holiday_holds(y, c, date); });
}

// An observed day is at most a few days from its own day; a collision moves
// it on by a day at a time, never a week away.
constexpr int observed_reach = 7;

// Where the rule's day `own` is kept: shifted by its weekday's shift, then on
// in the same direction past every own day of the set and every day an
// earlier rule is kept on (Christmas on a Sunday kept on Monday, Boxing Day,
// moves to Tuesday).
// The kept days found so far, without allocating on the request path. More
// than fit would take dozens of shifted rules within three weeks; past that,
// a kept day no longer pushes a later rule's on.
struct kept_days {
  std::array<day_number, 64> days{};
  std::size_t count = 0;
  void add(day_number d) {
    if (count < days.size()) days[count++] = d;
  }
  bool has(day_number d) const { return std::find(days.begin(), days.begin() + count, d) != days.begin() + count; }
};

day_number kept_day(const std::vector<yearly_holiday>& set, day_number own, int shift, const kept_days& taken) {
  const int step = shift > 0 ? 1 : -1;
  day_number d = own + shift;
  while (std::abs(d - own) < observed_reach && (own_day_of_some_rule(set, d) || taken.has(d))) d += step;
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
      y.orthodox = rule.orthodox;
      y.offset = rule.offset;
      break;
    case holiday_rule::kind::yearly_before:
    case holiday_rule::kind::yearly_after:
      y.month = rule.month;
      y.day = rule.day;
      y.weekday = rule.weekday;
      y.beside = rule.type == holiday_rule::kind::yearly_before ? -1 : 1;
      y.nth = rule.nth;
      y.anchor_nth = rule.anchor_nth;
      y.anchor_weekday = rule.anchor_weekday;
      break;
  }
  y.from_year = rule.from_year;
  y.until_year = rule.until_year;
  y.every_years = rule.every_years;
  y.observed = rule.observed;
  return y;
}

std::optional<day_number> yearly_holiday_day(const yearly_holiday& y, int year) {
  if (!y.in_year(year)) return std::nullopt;
  if (y.easter) return (y.orthodox ? orthodox_easter(year) : western_easter(year)) + y.offset;
  if (y.beside != 0) {
    std::optional<day_number> anchor;
    if (y.anchor_nth != 0) {
      anchor = nth_weekday(year, y.month, y.anchor_nth, y.anchor_weekday);
    } else if (is_valid_civil(year, y.month, y.day)) {  // 02-29 only in leap years
      anchor = days_from_civil(year, y.month, y.day);
    }
    if (!anchor) return std::nullopt;
    return weekday_beside(*anchor, y.weekday, y.beside) + y.beside * 7 * (beside_count(y) - 1);
  }
  if (y.day == 0) return nth_weekday(year, y.month, y.nth, y.weekday);
  if (!is_valid_civil(year, y.month, y.day)) return std::nullopt;  // 02-29 only in leap years
  return days_from_civil(year, y.month, y.day);
}

bool yearly_holiday_holds(const yearly_holiday& y, day_number date) {
  return yearly_holiday_holds(y, civil_from_days(date), date);
}

bool yearly_holiday_holds(const yearly_holiday& y, const civil_date& c, day_number date) {
  if (y.easter) {
    // Easter falls from March 22 to April 25: only a day that far from one
    // can be its offset, and only that year's Easter is worth computing.
    // Orthodox Easter, on the Julian calendar, is as many days later as
    // that century's gap: no season to rule out cheaply, but no year's
    // Easter but its own.
    const civil_date e = civil_from_days(date - y.offset);
    if (!y.orthodox && (e.month < 3 || e.month > 4 || (e.month == 3 && e.day < 22) || (e.month == 4 && e.day > 25))) {
      return false;
    }
    return yearly_holiday_day(y, e.year) == date;
  }
  if (y.beside != 0) {
    // The day is within `count` weeks of its anchor, so only a date that
    // near the year's start or end can belong to an anchor of the year
    // before or after.
    const int reach = 7 * beside_count(y);
    const bool near_start = date - days_from_civil(c.year, 1, 1) < reach;
    const bool near_end = days_from_civil(c.year, 12, 31) - date < reach;
    for (int year = c.year - near_start; year <= c.year + near_end; ++year) {
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

bool observed_on(const std::vector<yearly_holiday>& set, day_number date, std::size_t only) {
  // Rules in order, each kept day taken before the next rule's is found. Only
  // rules whose own day is near enough to `date` to reach it, or to push a
  // rule that reaches it, are looked at.
  kept_days taken;
  const civil_date c = civil_from_days(date);
  for (std::size_t i = 0; i < set.size() && i <= only; ++i) {
    const yearly_holiday& y = set[i];
    if (!y.has_observed()) continue;
    // The request path asks this of every day that is no holiday: a rule's
    // month, or Easter's season, rules it out before any date arithmetic.
    int first_year = c.year, last_year = c.year;
    if (y.easter) {
      // Western Easter is March 22 to April 25; Orthodox, by 9999, as late as July.
      const civil_date before_offset = civil_from_days(date - y.offset);
      if (before_offset.month < 3 || before_offset.month > (y.orthodox ? 7 : 5)) continue;
      first_year = last_year = before_offset.year;
    } else {
      const int apart = std::abs(static_cast<int>(c.month) - static_cast<int>(y.month));
      if (std::min(apart, 12 - apart) > (y.beside != 0 ? 2 : 1)) continue;
      if (c.month <= 2 && y.month >= 11) first_year = last_year = c.year - 1;
      if (c.month >= 11 && y.month <= 2) first_year = last_year = c.year + 1;
    }
    for (int own_year = first_year; own_year <= last_year; ++own_year) {
      const std::optional<day_number> own = yearly_holiday_day(y, own_year);
      if (!own || std::abs(*own - date) > 3 * observed_reach) continue;
      const int shift = y.observed[static_cast<std::size_t>(weekday_of(*own))];
      if (shift == 0) continue;
      const day_number kept = kept_day(set, *own, shift, taken);
      taken.add(kept);
      if (kept == date && (only == all_rules || only == i)) return true;
    }
  }
  return false;
}

std::int8_t observed_shift_days(int from_weekday, int to_weekday) {
  const int later = (to_weekday - from_weekday + 7) % 7;
  return static_cast<std::int8_t>(later > 3 ? later - 7 : later);
}

bool holiday_rule_holds(const holiday_rule& rule, day_number date) {
  if (rule.type == holiday_rule::kind::dates) return rule.dates.contains(date);
  return yearly_holiday_holds(yearly_holiday_of(rule), date);
}

std::vector<yearly_holiday> yearly_holidays_of(const std::vector<holiday_rule>& rules) {
  std::vector<yearly_holiday> set;
  for (const holiday_rule& r : rules) {
    if (r.type != holiday_rule::kind::dates) set.push_back(yearly_holiday_of(r));
  }
  return set;
}

template <typename Visit>
void visit_holidays_on(const std::vector<holiday_rule>& rules, const std::vector<yearly_holiday>& set, day_number date,
                       const Visit& visit) {
  for (const holiday_rule& r : rules) {
    if (holiday_rule_holds(r, date)) visit(r, false);
  }
  std::size_t i = 0;
  for (const holiday_rule& r : rules) {
    if (r.type == holiday_rule::kind::dates) continue;
    if (set[i].has_observed() && observed_on(set, date, i)) visit(r, true);
    ++i;
  }
}

std::vector<holiday_on_day> holidays_on(const std::vector<holiday_rule>& rules, day_number date) {
  std::vector<holiday_on_day> out;
  visit_holidays_on(rules, yearly_holidays_of(rules), date,
                    [&](const holiday_rule& r, bool observed) { out.push_back({&r, observed}); });
  return out;
}

namespace {
bool lists_name(std::string_view names, std::string_view label, std::string_view suffix) {
  while (!names.empty()) {
    const std::size_t comma = names.find(", ");
    const std::string_view name = names.substr(0, comma);
    if (name.size() == label.size() + suffix.size() && name.starts_with(label) && name.ends_with(suffix)) return true;
    if (comma == std::string_view::npos) break;
    names.remove_prefix(comma + 2);
  }
  return false;
}
}  // namespace

void append_holiday_names(const std::vector<holiday_rule>& rules, const std::vector<yearly_holiday>& set,
                          day_number date, std::string& out) {
  const std::size_t start = out.size();
  visit_holidays_on(rules, set, date, [&](const holiday_rule& r, bool observed) {
    const std::string_view suffix = observed ? observed_suffix : "";
    if (r.label.empty() || lists_name(std::string_view(out).substr(start), r.label, suffix)) return;
    if (out.size() > start) out += ", ";
    out += r.label;
    out += suffix;
  });
}

std::string holiday_day_name(const holiday_on_day& h) {
  if (h.rule->label.empty()) return {};
  return h.observed ? h.rule->label + std::string(observed_suffix) : h.rule->label;
}

std::string holiday_names_on(const std::vector<holiday_rule>& rules, day_number date) {
  std::string out;
  append_holiday_names(rules, yearly_holidays_of(rules), date, out);
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
