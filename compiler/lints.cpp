#include "compiler/lints.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "compiler/diagnostic_messages.h"
#include "compiler/exact_lints.h"
#include "model/time_tables.h"

namespace callpolicy {
namespace {

// Minutes a window covers, from its day's midnight, spill included.
std::pair<int, int> span(const window& w) {
  return {w.start, w.crosses_midnight() ? minutes_per_day + w.end : w.end};
}

bool overlap(const window& a, const window& b) {
  const auto [a0, a1] = span(a);
  const auto [b0, b1] = span(b);
  return a0 < b1 && b0 < a1;
}

void lint_overlapping_windows(const std::vector<ast::located<window>>& windows,
                              diagnostic_sink& sink) {
  for (std::size_t i = 1; i < windows.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!overlap(windows[i].value, windows[j].value)) continue;
      report<messages::windows_overlap>(sink, windows[i].where, canonical_window(windows[i].value),
                                        canonical_window(windows[j].value));
      break;
    }
  }
}

// An overnight window of one day that runs into the next day's first window.
void lint_spill_overlaps(const ast::clinic& source, const compiled_clinic& compiled,
                         diagnostic_sink& sink) {
  if (!source.hours) return;
  for (const ast::hours_line& line : source.hours->items) {
    for (const auto& w : line.windows) {
      if (!w.value.crosses_midnight()) continue;
      for (int d = 0; d < 7; ++d) {
        if (!(line.days & day_bit(d))) continue;
        const auto& next = compiled.weekly_hours[static_cast<std::size_t>((d + 1) % 7)];
        const auto hit = std::find_if(next.begin(), next.end(), [&](const window& n) {
          return n.start < w.value.end;
        });
        if (hit == next.end()) continue;
        report<messages::window_spills_into_next_day>(sink, w.where, canonical_window(w.value), weekday_name(d),
                                                    canonical_window(*hit), weekday_name((d + 1) % 7));
        return;
      }
    }
  }
}

void lint_holidays_on_closed_days(const ast::clinic& source, const compiled_clinic& compiled,
                                  diagnostic_sink& sink) {
  if (!source.holidays || !source.hours) return;
  for (const ast::holiday_entry& e : source.holidays->items) {
    if (e.type != ast::holiday_entry::kind::dates) continue;
    bool any_open_day = false;
    for (day_number d = e.rule.dates.first; d <= e.rule.dates.last && !any_open_day; ++d) {
      const bool special = std::any_of(compiled.specials.begin(), compiled.specials.end(),
                                       [d](const special_day& s) { return s.date == d; });
      any_open_day = special || !compiled.weekly_hours[static_cast<std::size_t>(weekday_of(d))].empty();
    }
    if (any_open_day) continue;
    if (e.rule.dates.first == e.rule.dates.last) {
      report<messages::holiday_on_a_closed_day>(sink, e.where, canonical_dates(e.rule.dates));
    } else {
      report<messages::holidays_on_closed_days>(sink, e.where, canonical_dates(e.rule.dates));
    }
  }
}

// Every dated entry of the clinic, with where it is written.
struct dated_entry {
  day_number last;
  location where;
};

void collect_condition_dates(const ast::condition& c, std::vector<dated_entry>& out) {
  if (c.type == ast::condition::kind::on) out.push_back({c.dates.last, c.where});
  for (const auto& o : c.operands) collect_condition_dates(o, out);
}

void lint_past_dates(const ast::clinic& source, const compile_options& options,
                     diagnostic_sink& sink) {
  std::vector<dated_entry> dated;
  if (source.holidays) {
    for (const auto& e : source.holidays->items) {
      if (e.type == ast::holiday_entry::kind::dates) dated.push_back({e.rule.dates.last, e.where});
    }
  }
  if (source.special) {
    for (const auto& s : source.special->items) dated.push_back({s.dates.last, s.where});
  }
  if (source.schedule) {
    for (const auto& s : source.schedule->items) {
      if (s.dates) dated.push_back({s.dates->last, s.where});
    }
  }
  if (source.route) {
    for (const auto& r : source.route->items) {
      if (r.when) collect_condition_dates(*r.when, dated);
    }
  }
  if (dated.empty()) return;
  const bool all_past = std::all_of(dated.begin(), dated.end(),
                                    [&](const dated_entry& e) { return e.last < options.today; });
  if (!all_past) return;
  const auto first = std::min_element(dated.begin(), dated.end(), [](const auto& a, const auto& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
  report<messages::every_date_past>(sink, first->where, source.id, format_date(options.today));
}

// What decides a clinic's calls reads some of its settings and not others:
// a setting nothing reads is a policy that does not do what it says (an
// overflow-only clinic with hours forwards to an empty desk at night).
struct settings_read {
  bool hours = false;     // open, closed
  bool holidays = false;  // open, closed, holiday
  bool schedule = false;  // scheduled
  bool overflow = false;  // overflow
  bool lines = false;     // wait
};

void collect_reads(const ast::condition& c, settings_read& reads) {
  using k = ast::condition::kind;
  switch (c.type) {
    case k::open:
    case k::closed:
      reads.hours = reads.holidays = true;
      break;
    case k::holiday:
      reads.holidays = true;
      break;
    case k::scheduled:
      reads.schedule = true;
      break;
    case k::overflow:
      reads.overflow = true;
      break;
    case k::wait:
      reads.lines = true;
      break;
    default:
      break;
  }
  for (const ast::condition& o : c.operands) collect_reads(o, reads);
}

void lint_unused_settings(const ast::clinic& source, const compiled_clinic& compiled, diagnostic_sink& sink) {
  settings_read reads;
  std::string decider;  // "mode 'overflow-only'" or "the route"
  std::string_view why;
  if (source.route) {
    for (const ast::route_rule& r : source.route->items) {
      if (r.when) collect_reads(*r.when, reads);
    }
    decider = "the route";
    why = "no rule's condition reads it";
  } else {
    const ast::mode_kind mode = source.mode ? source.mode->value : ast::mode_kind::always;
    decider = fmt::format("mode '{}'", canonical_mode(mode));
    switch (mode) {
      case ast::mode_kind::always:
        why = "the AI answers every call";
        break;
      case ast::mode_kind::disabled:
        why = "the fallback answers every call";
        break;
      case ast::mode_kind::after_hours_only:
        reads.hours = reads.holidays = true;
        why = "it decides by the hours and holidays only";
        break;
      case ast::mode_kind::overflow_only:
        reads.overflow = true;
        why = "it decides by the calls already active only";
        break;
      case ast::mode_kind::scheduled:
        reads.schedule = true;
        why = "it decides by the schedule only";
        break;
    }
  }
  // What the AI is told of the clinic comes from its hours and holidays
  // (docs/operations.md, "The AI").
  if (can_reach_ai(compiled)) reads.hours = reads.holidays = true;
  const auto warn = [&](std::string_view setting, const location& where) {
    report<messages::setting_never_read>(sink, where, decider, setting, why);
  };
  if (source.hours && !reads.hours) warn("hours", source.hours->where);
  if (source.holidays && !reads.holidays) warn("holidays", source.holidays->where);
  if (source.special && !reads.holidays) warn("special", source.special->where);
  if (source.schedule && !reads.schedule) warn("schedule", source.schedule->where);
  // Without `lines`, the estimated wait counts the overflow threshold's lines.
  if (reads.lines && !source.lines) reads.overflow = true;
  if (source.overflow && !reads.overflow) warn("overflow", source.overflow->where);
  if (source.lines && !reads.lines) warn("lines", source.lines->where);
}

void lint_no_numbers(const ast::clinic& source, diagnostic_sink& sink) {
  const bool any = source.numbers && (!source.numbers->ported.empty() || !source.numbers->forwarded.empty() ||
                                      !source.numbers->sip.empty());
  if (any) return;
  report<messages::clinic_without_numbers>(sink, source.where, source.id);
}

}  // namespace

void run_lints(const ast::clinic& source, const compiled_clinic& compiled,
               const compile_options& options, diagnostic_sink& sink) {
  if (source.hours) {
    for (const auto& line : source.hours->items) lint_overlapping_windows(line.windows, sink);
  }
  if (source.special) {
    for (const auto& s : source.special->items) lint_overlapping_windows(s.windows, sink);
  }
  lint_spill_overlaps(source, compiled, sink);
  lint_holidays_on_closed_days(source, compiled, sink);
  lint_past_dates(source, options, sink);
  lint_unused_settings(source, compiled, sink);
  lint_no_numbers(source, sink);
  run_exact_lints(source, compiled, options, sink);
}

}  // namespace callpolicy
