#include "compiler/exact_lints.h"

#include <algorithm>
#include <climits>
#include <set>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "compiler/diagnostic_messages.h"
#include "model/time_tables.h"
#include "compiler/tree_builder.h"

namespace callpolicy {

namespace {
bool is_wait(const predicate& p) {
  return p.type == predicate::kind::wait_above || p.type == predicate::kind::wait_at_least;
}
}  // namespace

std::vector<std::int32_t> call_classes(const compiled_clinic& c) {
  std::set<std::int32_t> calls{0};
  bool waits = false;
  for (const predicate& p : c.predicates) {
    waits = waits || is_wait(p);
    if (p.type != predicate::kind::calls_at_least) continue;
    calls.insert(std::max(0, p.threshold));
    calls.insert(std::max(0, p.threshold - 1));
  }
  // Below the lines nobody waits; from them on, each call more waits longer.
  if (waits && c.lines > 0) {
    const auto lines = static_cast<std::int32_t>(std::min<std::uint32_t>(c.lines, INT32_MAX - 1));
    calls.insert(lines - 1);
    calls.insert(lines);
    calls.insert(lines + 1);
  }
  return {calls.begin(), calls.end()};
}

std::vector<std::int32_t> mean_call_classes(const compiled_clinic& c, const std::vector<std::int32_t>& calls) {
  std::set<std::int32_t> means{0};
  for (const predicate& p : c.predicates) {
    if (!is_wait(p) || c.lines == 0) continue;
    for (const std::int32_t active : calls) {
      const std::int64_t waiting = std::max<std::int64_t>(0, std::int64_t{active} - c.lines + 1);
      if (waiting == 0) continue;
      // The mean at which waiting x mean meets threshold x lines, and either side of it.
      const std::int64_t at = std::int64_t{p.threshold} * c.lines / waiting;
      for (std::int64_t m = std::max<std::int64_t>(1, at - 1); m <= at + 1; ++m) {
        means.insert(static_cast<std::int32_t>(std::min<std::int64_t>(m, INT32_MAX)));
      }
    }
  }
  return {means.begin(), means.end()};
}

std::vector<std::string> caller_classes(const compiled_clinic& c) {
  std::set<std::string> callers{""};
  for (const predicate& p : c.predicates) {
    if (p.type == predicate::kind::caller_in) callers.insert(p.callers.begin(), p.callers.end());
  }
  return {callers.begin(), callers.end()};
}

namespace {

// A route condition over the clinic's predicates.
struct expr {
  enum class kind : std::uint8_t { atom, negated_atom, not_, and_, or_ };
  kind type = kind::atom;
  std::uint32_t predicate = 0;
  std::vector<expr> operands;
};

class condition_compiler {
 public:
  explicit condition_compiler(compiled_clinic& clinic) : clinic_(clinic) {}

  expr compile(const ast::condition& c) {
    using k = ast::condition::kind;
    switch (c.type) {
      case k::not_: return combine(expr::kind::not_, {compile(c.operands.at(0))});
      case k::and_:
      case k::or_: {
        std::vector<expr> operands;
        operands.reserve(c.operands.size());
        for (const ast::condition& o : c.operands) operands.push_back(compile(o));
        return combine(c.type == k::and_ ? expr::kind::and_ : expr::kind::or_, std::move(operands));
      }
      default: break;
    }
    std::vector<expr> all;
    for (const atom_test& a : atom_tests(c, clinic_.overflow_threshold)) all.push_back(atom(a.test, a.negated));
    return all.size() == 1 ? all.front() : combine(expr::kind::and_, std::move(all));
  }

 private:
  static expr combine(expr::kind type, std::vector<expr> operands) {
    expr e;
    e.type = type;
    e.operands = std::move(operands);
    return e;
  }
  expr atom(const predicate& p, bool negated = false) {
    expr e;
    e.type = negated ? expr::kind::negated_atom : expr::kind::atom;
    e.predicate = predicates_.intern(p);
    return e;
  }

  compiled_clinic& clinic_;
  predicate_table predicates_{clinic_.predicates};
};

bool evaluate(const expr& e, const compiled_clinic& c, const clinic_tables& t, const local_call& call) {
  switch (e.type) {
    case expr::kind::atom: return test_predicate(c, t, e.predicate, call);
    case expr::kind::negated_atom: return !test_predicate(c, t, e.predicate, call);
    case expr::kind::not_: return !evaluate(e.operands[0], c, t, call);
    case expr::kind::and_:
      return std::all_of(e.operands.begin(), e.operands.end(),
                         [&](const expr& o) { return evaluate(o, c, t, call); });
    case expr::kind::or_:
      return std::any_of(e.operands.begin(), e.operands.end(),
                         [&](const expr& o) { return evaluate(o, c, t, call); });
  }
  return false;
}

// The input classes of a clinic (see the header).
struct input_classes {
  std::vector<day_number> reference_week;
  std::vector<day_number> dated;  // sorted, unique, outside the reference week
  std::vector<std::uint16_t> minutes;
  std::vector<std::int32_t> calls;
  std::vector<std::string> callers;
  std::vector<std::int32_t> means;
};

void add_range(std::set<day_number>& out, const date_range& r) {
  for (day_number d = r.first; d <= std::min(r.last, r.first + 7); ++d) {
    out.insert(d);
    out.insert(d + 1);
  }
  out.insert(r.last);
  out.insert(r.last + 1);
}

// Adds the runs of `count` sorted days (day_at(i)) to `out` by their
// edges, a run continuing while the next day follows and alike(i) holds.
template <typename DayAt, typename Alike>
void add_runs(std::set<day_number>& out, std::size_t count, DayAt day_at, Alike alike) {
  for (std::size_t first = 0; first < count;) {
    std::size_t last = first;
    while (last + 1 < count && day_at(last + 1) == day_at(last) + 1 && alike(last + 1)) ++last;
    add_range(out, {day_at(first), day_at(last)});
    first = last + 1;
  }
}

input_classes classes_of(const compiled_clinic& c, const clinic_tables& t, day_number today) {
  input_classes in;
  std::set<day_number> dated;
  // A run of consecutive days that are alike (holidays; special days with
  // the same windows: a closure of weeks, or years) counts by its edges, as
  // a dated range does: the days inside differ only by weekday, which its
  // first eight cover. Day by day, a closure of decades made the lints take
  // seconds.
  add_runs(dated, c.specials.size(), [&](std::size_t i) { return c.specials[i].date; },
           [&](std::size_t i) { return c.specials[i].windows == c.specials[i - 1].windows; });
  const int year = civil_from_days(today).year;
  std::vector<day_number> holidays = expand_holidays(c.holidays, year - 1, year + 28);
  std::sort(holidays.begin(), holidays.end());
  holidays.erase(std::unique(holidays.begin(), holidays.end()), holidays.end());
  add_runs(dated, holidays.size(), [&](std::size_t i) { return holidays[i]; }, [](std::size_t) { return true; });
  for (const schedule_rule& r : c.schedule) {
    if (r.dates) add_range(dated, *r.dates);
  }
  for (const predicate& p : c.predicates) {
    if (p.type == predicate::kind::on_dates) {
      add_range(dated, p.dates);
      dated.insert(p.dates.first - 1);
    }
  }
  // A week whose days, and the day before each, carry no dated entry.
  auto ordinary = [&](day_number d) {
    const bool holiday = holiday_rules_hold(t, d);
    return !holiday && !dated.count(d) && !dated.count(d - 1);
  };
  day_number start = today;
  for (int tries = 0; tries < 3 * 366; ++tries, ++start) {
    bool clean = true;
    for (int i = -1; i < 7 && clean; ++i) clean = ordinary(start + i);
    if (clean) break;
  }
  for (int i = 0; i < 7; ++i) in.reference_week.push_back(start + i);
  for (day_number d : dated) {
    if (d < start || d >= start + 7) in.dated.push_back(d);
  }
  in.minutes = minute_classes(c);
  in.calls = call_classes(c);
  in.callers = caller_classes(c);
  in.means = mean_call_classes(c, in.calls);
  return in;
}

// Evaluations of terms the exact lints may spend on one clinic: about half a
// second on the machines of bench/RESULTS.md.
constexpr double exact_lint_budget = 1e8;

std::size_t size_of(const expr& e) {
  std::size_t n = 1;
  for (const expr& o : e.operands) n += size_of(o);
  return n;
}

template <typename Visit>
void for_each_call(const input_classes& in, const clinic_tables& t, const std::vector<day_number>& dates, Visit visit) {
  for (day_number d : dates) {
    const day_context day = context_of(t, d);
    for (std::uint16_t m : in.minutes) {
      for (std::int32_t calls : in.calls) {
        for (const std::string& caller : in.callers) {
          for (const std::int32_t mean : in.means) {
            for (int v = 0; v < 3; ++v) {
              local_call call{d, m, calls, caller, static_cast<via_kind>(v), &day};
              call.mean_call_seconds = mean;
              visit(call);
            }
          }
        }
      }
    }
  }
}

void lint_routes(const ast::clinic& source, compiled_clinic& c, const input_classes& in,
                 const clinic_tables& t, const std::vector<expr>& rules, diagnostic_sink& sink) {
  const auto& items = source.route->items;
  std::vector<bool> decides(rules.size(), false);
  std::vector<bool> holds(rules.size(), false);
  auto visit = [&](const local_call& call) {
    bool decided = false;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const bool match = items[i].when ? evaluate(rules[i], c, t, call) : true;
      if (!match) continue;
      holds[i] = true;
      if (!decided) decides[i] = true;
      decided = true;
    }
  };
  for_each_call(in, t, in.reference_week, visit);
  for_each_call(in, t, in.dated, visit);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (decides[i]) continue;
    const std::string what = items[i].when ? fmt::format("rule '{}'", condition_reason(*items[i].when))
                                           : std::string("'otherwise'");
    if (!holds[i]) {
      report<messages::rule_never_holds>(sink, items[i].where, what);
    } else {
      report<messages::rule_covered_by_earlier>(sink, items[i].where, what);
    }
  }
}

void lint_schedule(const ast::clinic& source, const compiled_clinic& c, const input_classes& in,
                   diagnostic_sink& sink) {
  const auto& lines = c.schedule;
  std::vector<bool> effective(lines.size(), false);
  std::vector<bool> matches(lines.size(), false);
  auto visit_date = [&](day_number d) {
    for (std::uint16_t m : in.minutes) {
      std::optional<std::size_t> last;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (schedule_rule_matches(lines[i], d, m)) {
          matches[i] = true;
          last = i;
        }
      }
      if (last) effective[*last] = true;
    }
  };
  for (day_number d : in.reference_week) visit_date(d);
  for (day_number d : in.dated) visit_date(d);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (effective[i] || !matches[i]) continue;
    report<messages::schedule_line_overridden>(sink, source.schedule->items[i].where);
  }
}

void lint_never_answered(const ast::clinic& source, const compiled_clinic& c, const input_classes& in,
                         const clinic_tables& t, diagnostic_sink& sink) {
  bool answered = false;
  for_each_call(in, t, in.reference_week, [&](const local_call& call) {
    if (answered) return;
    answered = reaches_someone(c, c.leaves[static_cast<std::size_t>(decide_leaf(c, t, call))].action);
  });
  if (answered) return;
  const location where = source.mode ? source.mode->where : source.route ? source.route->where : source.where;
  report<messages::clinic_never_answered>(sink, where, source.id);
}

}  // namespace

void run_exact_lints(const ast::clinic& source, const compiled_clinic& compiled,
                     const compile_options& options, diagnostic_sink& sink) {
  compiled_clinic c = compiled;  // route conditions add their own predicates
  std::vector<expr> rules;
  if (source.route) {
    condition_compiler conditions(c);
    for (const ast::route_rule& r : source.route->items) {
      rules.push_back(r.when ? conditions.compile(*r.when) : expr{});
    }
  }
  const clinic_tables tables = build_tables(c);
  const input_classes in = classes_of(c, tables, options.today);
  // The lints visit every class of call and evaluate every rule for it: a
  // route of thousands of rules over thousands of callers or call counts
  // would take minutes, and a policy must not be able to stall a reload.
  // Past the budget the exact lints are skipped, and say so.
  const double classes = static_cast<double>(in.reference_week.size() + in.dated.size()) *
                         static_cast<double>(in.minutes.size()) * static_cast<double>(in.calls.size()) *
                         static_cast<double>(in.callers.size()) * static_cast<double>(in.means.size()) * 3.0;
  double terms = 0;
  for (const expr& e : rules) terms += static_cast<double>(size_of(e));
  const double work = classes * std::max({terms, static_cast<double>(c.nodes.size()), 1.0});
  if (work > exact_lint_budget) {
    report<messages::clinic_too_large_to_lint>(sink, source.route ? source.route->where : source.where, source.id,
                                               classes, terms);
  } else {
    if (source.route && rules.size() == source.route->items.size()) lint_routes(source, c, in, tables, rules, sink);
    // `c` only appends predicates to `compiled`, so its tables serve the
    // compiled tree unchanged.
    lint_never_answered(source, c, in, tables, sink);
  }
  if (source.schedule && c.schedule.size() == source.schedule->items.size()) lint_schedule(source, c, in, sink);
}

}  // namespace callpolicy
