#include "model/time_tables.h"

#include <algorithm>
#include <set>

namespace callpolicy {
namespace {

void set_range(day_plan& plan, std::size_t from, std::size_t to) {
  for (std::size_t m = from; m < to; ++m) plan.set(m);
}

day_plan plan_of(const std::vector<window>& windows) {
  day_plan plan;
  for (const window& w : windows) {
    if (w.crosses_midnight()) {
      set_range(plan, w.start, minutes_per_day + static_cast<std::size_t>(w.end));
    } else {
      set_range(plan, w.start, w.end);
    }
  }
  return plan;
}

// Windows on `days` over the week; a window that crosses midnight spills into
// the next weekday (Sunday into Monday). No windows: the whole of each day.
week_bits weekly_coverage(day_mask days, const std::vector<window>& windows) {
  week_bits bits;
  constexpr std::size_t week = 7 * minutes_per_day;
  for (int d = 0; d < 7; ++d) {
    if (!(days & day_bit(d))) continue;
    const std::size_t base = static_cast<std::size_t>(d) * minutes_per_day;
    if (windows.empty()) {
      for (std::size_t m = 0; m < minutes_per_day; ++m) bits.set(base + m);
      continue;
    }
    const day_plan plan = plan_of(windows);
    for (std::size_t m = 0; m < 2 * minutes_per_day; ++m) {
      if (plan.test(m)) bits.set((base + m) % week);
    }
  }
  return bits;
}

bool window_covers(const std::vector<window>& windows, bool on_day, bool on_previous_day,
                   std::uint16_t minute) {
  if (windows.empty()) return on_day;
  for (const window& w : windows) {
    if (on_day) {
      const std::uint16_t end = w.crosses_midnight() ? minutes_per_day : w.end;
      if (w.start <= minute && minute < end) return true;
    }
    if (on_previous_day && w.crosses_midnight() && minute < w.end) return true;
  }
  return false;
}

}  // namespace

bool schedule_rule_matches(const schedule_rule& rule, day_number date, std::uint16_t minute) {
  bool on_day = false;
  bool on_previous_day = false;
  if (rule.days) {
    on_day = (*rule.days & day_bit(weekday_of(date))) != 0;
    on_previous_day = (*rule.days & day_bit(weekday_of(date - 1))) != 0;
  } else if (rule.dates) {
    on_day = rule.dates->contains(date);
    on_previous_day = rule.dates->contains(date - 1);
  }
  return window_covers(rule.windows, on_day, on_previous_day, minute);
}

namespace {

const day_plan& plan_for(const clinic_tables& tables, day_number date) {
  static const day_plan closed;
  const auto it = std::lower_bound(tables.special_dates.begin(), tables.special_dates.end(), date);
  if (it != tables.special_dates.end() && *it == date) {
    return tables.special_plans[static_cast<std::size_t>(it - tables.special_dates.begin())];
  }
  if (holiday_rules_hold(tables, date)) return closed;
  return tables.weekly[static_cast<std::size_t>(weekday_of(date))];
}

bool is_special(const clinic_tables& tables, day_number date) {
  return std::binary_search(tables.special_dates.begin(), tables.special_dates.end(), date);
}

}  // namespace

clinic_tables build_tables(const compiled_clinic& clinic) {
  clinic_tables t;
  for (std::size_t d = 0; d < 7; ++d) t.weekly[d] = plan_of(clinic.weekly_hours[d]);
  for (const special_day& s : clinic.specials) {
    t.special_dates.push_back(s.date);
    t.special_plans.push_back(plan_of(s.windows));
  }
  for (const holiday_rule& rule : clinic.holidays) {
    if (rule.type == holiday_rule::kind::dates) {
      t.holiday_ranges.push_back(rule.dates);
    } else {
      t.yearly_holidays.push_back(yearly_holiday_of(rule));
      t.any_observed = t.any_observed || t.yearly_holidays.back().has_observed();
    }
  }
  std::sort(t.holiday_ranges.begin(), t.holiday_ranges.end(),
            [](const date_range& a, const date_range& b) { return a.first < b.first; });
  std::vector<date_range> merged;
  for (const date_range& r : t.holiday_ranges) {
    if (!merged.empty() && r.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  t.holiday_ranges = std::move(merged);

  // The last matching line decides, so applying the weekly lines in order,
  // each setting or clearing what it covers, gives the weekly answer.
  for (const schedule_rule& rule : clinic.schedule) {
    if (rule.days) {
      const week_bits covered = weekly_coverage(*rule.days, rule.windows);
      t.scheduled_weekly = rule.enable ? (t.scheduled_weekly | covered) : (t.scheduled_weekly & ~covered);
    } else if (rule.dates) {
      // The day after too, for windows that cross midnight.
      t.scheduled_dated_spans.push_back({rule.dates->first, rule.dates->last + 1});
    }
  }
  t.during_index.assign(clinic.predicates.size(), -1);
  for (std::size_t i = 0; i < clinic.predicates.size(); ++i) {
    const predicate& p = clinic.predicates[i];
    if (p.type != predicate::kind::during) continue;
    t.during_index[i] = static_cast<std::int32_t>(t.during.size());
    t.during.push_back(weekly_coverage(p.days, p.windows));
  }
  t.ever_open = std::any_of(t.weekly.begin(), t.weekly.end(), [](const day_plan& p) { return p.any(); }) ||
                std::any_of(t.special_plans.begin(), t.special_plans.end(), [](const day_plan& p) { return p.any(); });
  return t;
}

bool is_open(const clinic_tables& tables, day_number date, std::uint16_t minute) {
  return plan_for(tables, date).test(minute) ||
         plan_for(tables, date - 1).test(minutes_per_day + minute);
}

// Each date's open minutes as one bitset, its plan and the spill of the day
// before, and its openings as `open & ~(open << 1)`: a day costs a few word
// operations rather than 1,440 minute tests, and a clinic never open costs
// nothing. No allocation.
std::optional<local_minute> next_opening(const clinic_tables& tables, day_number date, std::uint16_t minute, int days) {
  if (!tables.ever_open) return std::nullopt;
  static const day_plan one_day = [] {
    day_plan minutes;
    set_range(minutes, 0, minutes_per_day);
    return minutes;
  }();
  const day_plan* yesterday = &plan_for(tables, date - 1);
  bool was_open = false;  // at the last minute of the day before
  for (day_number d = date; d <= date + days; ++d) {
    const day_plan* today = &plan_for(tables, d);
    const day_plan open = (*today | (*yesterday >> minutes_per_day)) & one_day;
    day_plan openings = open & ~(open << 1);
    if (d != date && was_open) openings.reset(0);  // open since the day before
    // libstdc++'s word-at-a-time scan; the bits past the day are clear.
    const std::size_t m = d == date ? openings._Find_next(minute) : openings._Find_first();
    if (m < minutes_per_day) return local_minute{d, static_cast<std::uint16_t>(m)};
    was_open = open.test(minutes_per_day - 1);
    yesterday = today;
  }
  return std::nullopt;
}

bool is_open(const day_context& day, std::uint16_t minute) {
  return day.today->test(minute) || day.yesterday->test(minutes_per_day + minute);
}

day_context context_of(const clinic_tables& tables, day_number date) {
  return {&plan_for(tables, date), &plan_for(tables, date - 1), is_holiday(tables, date)};
}

bool holiday_rules_hold(const clinic_tables& tables, day_number date) {
  const auto after = std::upper_bound(tables.holiday_ranges.begin(), tables.holiday_ranges.end(), date,
                                      [](day_number d, const date_range& r) { return d < r.first; });
  if (after != tables.holiday_ranges.begin() && std::prev(after)->contains(date)) return true;
  if (tables.yearly_holidays.empty()) return false;
  const civil_date c = civil_from_days(date);
  if (std::any_of(tables.yearly_holidays.begin(), tables.yearly_holidays.end(),
                  [&](const yearly_holiday& y) { return yearly_holiday_holds(y, c, date); })) {
    return true;
  }
  return tables.any_observed && observed_on(tables.yearly_holidays, date);
}

bool is_holiday(const clinic_tables& tables, day_number date) {
  return holiday_rules_hold(tables, date) && !is_special(tables, date);
}

bool is_scheduled(const compiled_clinic& clinic, const clinic_tables& tables, day_number date,
                  std::uint16_t minute) {
  const bool dated = std::any_of(tables.scheduled_dated_spans.begin(),
                                 tables.scheduled_dated_spans.end(),
                                 [date](const date_range& r) { return r.contains(date); });
  if (!dated) {
    return tables.scheduled_weekly.test(static_cast<std::size_t>(weekday_of(date)) * minutes_per_day +
                                        minute);
  }
  bool on = false;
  for (const schedule_rule& rule : clinic.schedule) {
    if (schedule_rule_matches(rule, date, minute)) on = rule.enable;
  }
  return on;
}

bool test_predicate(const compiled_clinic& clinic, const clinic_tables& tables,
                    std::uint32_t predicate_index, const local_call& call) {
  const predicate& p = clinic.predicates[predicate_index];
  switch (p.type) {
    case predicate::kind::open:
      return call.day ? is_open(*call.day, call.minute) : is_open(tables, call.date, call.minute);
    case predicate::kind::holiday:
      return call.day ? call.day->holiday : is_holiday(tables, call.date);
    case predicate::kind::scheduled:
      return is_scheduled(clinic, tables, call.date, call.minute);
    case predicate::kind::calls_at_least:
      return call.active_calls >= p.threshold;
    case predicate::kind::caller_in:
      return !call.caller.empty() &&
             std::binary_search(p.callers.begin(), p.callers.end(), call.caller);
    case predicate::kind::via_in:
      return (p.vias & via_bit(call.via)) != 0;
    case predicate::kind::during: {
      const std::int32_t index = tables.during_index[predicate_index];
      return tables.during[static_cast<std::size_t>(index)].test(
          static_cast<std::size_t>(weekday_of(call.date)) * minutes_per_day + call.minute);
    }
    case predicate::kind::on_dates:
      return p.dates.contains(call.date);
    case predicate::kind::transfer_to:
      return !call.transfer_target.empty() &&
             std::binary_search(p.callers.begin(), p.callers.end(), call.transfer_target);
    case predicate::kind::wait_known:
      return compare_wait(clinic.lines, call.active_calls, call.mean_call_seconds, 0).has_value();
    case predicate::kind::wait_above:
    case predicate::kind::wait_at_least: {
      const auto order = compare_wait(clinic.lines, call.active_calls, call.mean_call_seconds, p.threshold);
      return order && (p.type == predicate::kind::wait_above ? *order > 0 : *order >= 0);
    }
  }
  return false;
}

namespace {

std::int32_t walk(const compiled_clinic& clinic, const clinic_tables& tables, const local_call& given,
                  const std::vector<tree_node>& nodes, tree_target root) {
  local_call call = given;
  day_context day;
  if (!call.day) {
    day = context_of(tables, call.date);
    call.day = &day;
  }
  tree_target t = root;
  while (!is_leaf(t)) {
    const tree_node& n = nodes[static_cast<std::size_t>(t)];
    t = test_predicate(clinic, tables, n.predicate, call) ? n.if_true : n.if_false;
  }
  return leaf_index(t);
}

}  // namespace

std::int32_t decide_leaf(const compiled_clinic& clinic, const clinic_tables& tables,
                         const local_call& call) {
  return walk(clinic, tables, call, clinic.nodes, clinic.root);
}

std::int32_t decide_transfer_leaf(const compiled_clinic& clinic, const clinic_tables& tables, const local_call& call) {
  return walk(clinic, tables, call, clinic.transfer.nodes, clinic.transfer.root);
}

std::vector<std::uint16_t> minute_classes(const compiled_clinic& c) {
  std::set<std::uint16_t> minutes{0};
  auto add_windows = [&](const std::vector<window>& windows) {
    for (const window& w : windows) {
      minutes.insert(w.start);
      if (w.end < minutes_per_day) minutes.insert(w.end);
    }
  };
  for (const auto& day : c.weekly_hours) add_windows(day);
  for (const special_day& s : c.specials) add_windows(s.windows);
  for (const schedule_rule& r : c.schedule) add_windows(r.windows);
  for (const predicate& p : c.predicates) {
    if (p.type == predicate::kind::during) add_windows(p.windows);
  }
  return {minutes.begin(), minutes.end()};
}

}  // namespace callpolicy
