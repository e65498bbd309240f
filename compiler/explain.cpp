#include "compiler/explain.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "model/holiday_text.h"

namespace callpolicy {
namespace {

struct day_windows {
  std::vector<window> windows;
  std::string source;  // "wed", "special day 2026-12-31", "holiday"
};

// The windows a date has (docs/language.md, "Time semantics": special, else holiday, else weekly).
day_windows windows_of(const compiled_clinic& c, const clinic_tables& t, day_number date) {
  const auto special = std::find_if(c.specials.begin(), c.specials.end(),
                                    [&](const special_day& s) { return s.date == date; });
  if (special != c.specials.end()) return {special->windows, "special day " + format_date(date)};
  if (holiday_rules_hold(t, date)) return {{}, "holiday " + format_date(date)};
  return {c.weekly_hours[static_cast<std::size_t>(weekday_of(date))], std::string(weekday_name(weekday_of(date)))};
}

std::string open_detail(const compiled_clinic& c, const clinic_tables& t, const local_call& call) {
  const day_windows today = windows_of(c, t, call.date);
  for (const window& w : today.windows) {
    const std::uint16_t end = w.crosses_midnight() ? minutes_per_day : w.end;
    if (w.start <= call.minute && call.minute < end) return fmt::format("{} {}", today.source, canonical_window(w));
  }
  const day_windows yesterday = windows_of(c, t, call.date - 1);
  for (const window& w : yesterday.windows) {
    if (w.crosses_midnight() && call.minute < w.end) {
      return fmt::format("{} {}, past midnight", yesterday.source, canonical_window(w));
    }
  }
  if (today.windows.empty()) return fmt::format("{}: closed all day", today.source);
  return fmt::format("{} {}; not now", today.source, canonical_windows(today.windows));
}

std::string holiday_detail(const compiled_clinic& c, const clinic_tables& t, const local_call& call) {
  std::string out = describe_holidays_on(c.holidays, call.date);
  if (out.empty()) return format_date(call.date) + " is no holiday";
  if (!is_holiday(t, call.date)) out += "; a special day overrides it";
  return out;
}

std::string schedule_detail(const ast::clinic& source, const compiled_clinic& c, const local_call& call) {
  std::optional<std::size_t> last;
  for (std::size_t i = 0; i < c.schedule.size(); ++i) {
    if (schedule_rule_matches(c.schedule[i], call.date, call.minute)) last = i;
  }
  if (!last) return "no schedule line covers this time";
  const schedule_rule& r = c.schedule[*last];
  std::string line = r.enable ? "enable " : "disable ";
  line += r.days ? canonical_days(*r.days) : canonical_dates(*r.dates);
  if (!r.windows.empty()) line += " " + canonical_windows(r.windows);
  const bool located = source.schedule && *last < source.schedule->items.size();
  return located ? fmt::format("line {} decides: {}", source.schedule->items[*last].where.line, line)
                 : "decided by: " + line;
}

struct evaluator {
  const compiled_clinic& c;
  const clinic_tables& t;
  const local_call& call;

  bool overflow() const { return c.overflow_threshold && call.active_calls >= static_cast<std::int32_t>(*c.overflow_threshold); }

  bool holds(const ast::condition& cond) const {
    using k = ast::condition::kind;
    switch (cond.type) {
      case k::holiday:
        return is_holiday(t, call.date);
      case k::open:
        return is_open(t, call.date, call.minute);
      case k::closed:
        return !is_open(t, call.date, call.minute);
      case k::scheduled:
        return is_scheduled(c, t, call.date, call.minute);
      case k::overflow:
        return overflow();
      case k::calls:
        switch (cond.op) {
          case ast::compare_op::ge: return call.active_calls >= cond.count;
          case ast::compare_op::gt: return call.active_calls > cond.count;
          case ast::compare_op::le: return call.active_calls <= cond.count;
          case ast::compare_op::lt: return call.active_calls < cond.count;
          case ast::compare_op::eq: return call.active_calls == cond.count;
        }
        return false;
      case k::wait: {
        // Unknown: every comparison is false (docs/language.md, "Estimated wait").
        const auto order = compare_wait(c.lines, call.active_calls, call.mean_call_seconds, cond.count);
        if (!order) return false;
        switch (cond.op) {
          case ast::compare_op::ge: return *order >= 0;
          case ast::compare_op::gt: return *order > 0;
          case ast::compare_op::le: return *order <= 0;
          case ast::compare_op::lt: return *order < 0;
          case ast::compare_op::eq: return *order == 0;
        }
        return false;
      }
      case k::caller:
        return !call.caller.empty() &&
               std::find(cond.callers.begin(), cond.callers.end(), call.caller) != cond.callers.end();
      case k::via:
        return (cond.vias & via_bit(call.via)) != 0;
      case k::during: {
        schedule_rule r;
        r.days = cond.days;
        r.windows = cond.windows;
        return schedule_rule_matches(r, call.date, call.minute);
      }
      case k::on:
        return cond.dates.contains(call.date);
      case k::to:
        return !call.transfer_target.empty() &&
               std::find(cond.callers.begin(), cond.callers.end(), call.transfer_target) != cond.callers.end();
      case k::not_:
        return !holds(cond.operands.at(0));
      case k::and_:
        return std::all_of(cond.operands.begin(), cond.operands.end(),
                           [this](const ast::condition& o) { return holds(o); });
      case k::or_:
        return std::any_of(cond.operands.begin(), cond.operands.end(),
                           [this](const ast::condition& o) { return holds(o); });
    }
    return false;
  }
};

void collect_kinds(const ast::condition& cond, std::vector<ast::condition::kind>& kinds) {
  kinds.push_back(cond.type);
  for (const ast::condition& o : cond.operands) collect_kinds(o, kinds);
}

}  // namespace

explanation explain_call(const ast::clinic& source, const compiled_clinic& c, const clinic_tables& t,
                         const local_call& call) {
  explanation out;
  const evaluator e{c, t, call};
  using k = ast::condition::kind;
  std::vector<k> read;
  const std::string fallback(action_name(c.fallback));

  const auto add_rule = [&](std::string condition, bool holds, std::string action, std::string reason,
                            const location& where) {
    const bool decided = holds && std::none_of(out.rules.begin(), out.rules.end(), [](const auto& r) { return r.decided; });
    out.rules.push_back({std::move(condition), std::move(action), std::move(reason), holds, decided, where});
  };
  if (source.route) {
    out.decided_by = "route";
    for (const ast::route_rule& r : source.route->items) {
      if (r.when) collect_kinds(*r.when, read);
      const std::string condition = r.when ? canonical_condition(*r.when) : "otherwise";
      const std::string action = r.action.value == ast::action_ref::fallback
                                     ? fallback
                                     : std::string(canonical_action(r.action.value));
      const std::string reason = r.label ? r.label->value : r.when ? condition_reason(*r.when) : condition;
      add_rule(condition, !r.when || e.holds(*r.when), action, reason, r.where);
    }
  } else {
    const ast::mode_kind mode = source.mode ? source.mode->value : ast::mode_kind::always;
    const location where = source.mode ? source.mode->where : source.where;
    out.decided_by = fmt::format("mode '{}'", canonical_mode(mode));
    switch (mode) {
      case ast::mode_kind::always:
        add_rule("otherwise", true, "ai", "always-on", where);
        break;
      case ast::mode_kind::disabled:
        add_rule("otherwise", true, fallback, "disabled", where);
        break;
      case ast::mode_kind::after_hours_only:
        read = {k::open, k::holiday};
        add_rule("open", is_open(t, call.date, call.minute), fallback, "business-hours", where);
        add_rule("holiday", is_holiday(t, call.date), "ai", "holiday", where);
        add_rule("otherwise", true, "ai", "after-hours", where);
        break;
      case ast::mode_kind::overflow_only:
        read = {k::overflow};
        add_rule("overflow", e.overflow(), "ai", "overflow", where);
        add_rule("otherwise", true, fallback, "under-capacity", where);
        break;
      case ast::mode_kind::scheduled:
        read = {k::scheduled};
        add_rule("scheduled", is_scheduled(c, t, call.date, call.minute), "ai", "scheduled-on", where);
        add_rule("otherwise", true, fallback, "scheduled-off", where);
        break;
    }
  }
  const auto reads = [&](std::initializer_list<k> any) {
    return std::any_of(read.begin(), read.end(),
                       [&](k x) { return std::find(any.begin(), any.end(), x) != any.end(); });
  };
  if (reads({k::open, k::closed})) {
    out.facts.push_back({"open", is_open(t, call.date, call.minute), open_detail(c, t, call)});
  }
  if (reads({k::holiday, k::open, k::closed}) && !c.holidays.empty()) {
    out.facts.push_back({"holiday", is_holiday(t, call.date), holiday_detail(c, t, call)});
  }
  if (reads({k::scheduled})) {
    out.facts.push_back({"scheduled", is_scheduled(c, t, call.date, call.minute), schedule_detail(source, c, call)});
  }
  if (reads({k::overflow})) {
    out.facts.push_back({"overflow", e.overflow(),
                         c.overflow_threshold
                             ? fmt::format("{} calls active, overflow at {}", call.active_calls, *c.overflow_threshold)
                             : "no threshold"});
  }
  if (reads({k::calls})) {
    out.facts.push_back({"calls", call.active_calls > 0, fmt::format("{} calls active", call.active_calls)});
  }
  if (reads({k::wait})) {
    std::string detail;
    if (c.lines == 0) {
      detail = "unknown: the clinic has no lines";
    } else if (call.mean_call_seconds <= 0) {
      detail = fmt::format("unknown: fewer than {} calls completed in the last hour, so every 'wait' is false",
                           min_calls_for_mean);
    } else {
      const std::int64_t waiting = std::max<std::int64_t>(0, std::int64_t{call.active_calls} - c.lines + 1);
      detail = fmt::format("{}s: {} calls active on {} lines, {} waiting, mean call {}s",
                           waiting * call.mean_call_seconds / c.lines, call.active_calls, c.lines, waiting,
                           call.mean_call_seconds);
    }
    out.facts.push_back({"wait", c.lines > 0 && call.mean_call_seconds > 0, detail});
  }
  if (reads({k::caller})) {
    out.facts.push_back({"caller", !call.caller.empty(),
                         call.caller.empty() ? "no caller number" : std::string(call.caller)});
  }
  if (reads({k::via})) out.facts.push_back({"via", true, std::string(via_name(call.via))});
  return out;
}

std::string explanation_text(const explanation& why) {
  std::string out = "\nwhy\n";
  std::size_t width = 0;
  for (const auto& f : why.facts) width = std::max(width, f.name.size());
  for (const auto& f : why.facts) {
    const std::string value =
        f.name == "calls" || f.name == "caller" || f.name == "via" || f.name == "wait" ? "" : (f.value ? "yes" : "no");
    out += fmt::format("  {:<{}}  {}{}{}\n", f.name, width, value, value.empty() ? "" : ": ", f.detail);
  }
  out += fmt::format("rules ({}), the first that holds decides\n", why.decided_by);
  std::size_t condition_width = 0;
  std::size_t outcome_width = 0;
  const auto outcome = [](const explanation::rule& r) { return fmt::format("{} \"{}\"", r.action, r.reason); };
  for (const auto& r : why.rules) {
    condition_width = std::max(condition_width, r.condition.size());
    outcome_width = std::max(outcome_width, outcome(r).size());
  }
  for (const auto& r : why.rules) {
    out += fmt::format("  {} {:<{}}  -> {:<{}}  {:<5}  {}\n", r.decided ? "=>" : "  ", r.condition, condition_width,
                       outcome(r), outcome_width, r.holds ? "holds" : "no", where_text(r.where));
  }
  return out;
}

}  // namespace callpolicy
