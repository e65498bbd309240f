#include "authoring/ics_import.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "authoring/formatter.h"
#include "authoring/ics_reader.h"
#include "compiler/canonical.h"
#include "compiler/compiler.h"
#include "compiler/parser.h"
#include "model/holiday_days.h"
#include "model/holiday_text.h"
#include "model/zones.h"

namespace callpolicy {
namespace {

constexpr int minutes_per_day = 24 * 60;
// More pieces than this and a yearly rule is clearer as its dates.
constexpr std::size_t most_yearly_segments = 4;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

std::string clock(int minutes) { return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60); }

// A yearly event as `yearly` rules: one per run of its years that the
// rule's own day matches, split where an EXDATE (or a moved occurrence)
// leaves a year out. Empty when the rule's day and libical's differ in any
// year, or the runs are too many to read.
std::vector<holiday_rule> yearly_rules(const ics_event& event) {
  const ics_yearly& y = *event.yearly;
  if (y.days.empty() || y.interval > 100) return {};
  holiday_rule rule;
  rule.label = event.name;
  rule.month = y.month;
  if (y.nth != 0) {
    rule.type = holiday_rule::kind::yearly_nth;
    rule.nth = y.nth;
    rule.weekday = y.weekday;
  } else {
    rule.type = holiday_rule::kind::yearly_date;
    rule.day = y.day;
  }
  const yearly_holiday every_year = yearly_holiday_of(rule);
  std::vector<int> years;
  for (const day_number day : y.days) {
    const int year = civil_from_days(day).year;
    if (yearly_holiday_day(every_year, year) != day) return {};
    years.push_back(year);
  }
  std::vector<holiday_rule> out;
  std::size_t start = 0;
  for (std::size_t i = 1; i <= years.size(); ++i) {
    if (i < years.size() && years[i] - years[i - 1] == y.interval) continue;
    holiday_rule run = rule;
    run.from_year = static_cast<std::int16_t>(years[start]);
    const bool open_ended = i == years.size() && !y.bounded;
    if (!open_ended) run.until_year = static_cast<std::int16_t>(years[i - 1]);
    if (y.interval > 1 && (open_ended || years[i - 1] > years[start])) {
      run.every_years = static_cast<std::uint8_t>(y.interval);
    }
    out.push_back(std::move(run));
    start = i;
  }
  if (out.size() > most_yearly_segments) return {};
  return out;
}

// A closure of part of a day, in minutes of the clinic's local date.
struct part_closure {
  int start = 0;
  int end = 0;
  std::string what;  // "Staff training 12:00-17:00 America/Toronto", for the comment
};

class importer {
 public:
  importer(const ics_import_options& options, ics_import_result& result) : options_(options), result_(result) {}

  void add(const ics_event& event) {
    if (event.kind == ics_event::timing::all_day) {
      add_whole_days(event);
    } else {
      add_part_days(event);
    }
  }

  // The calendar block and, for a clinic, its special hours in a comment.
  std::string text() {
    std::string out = fmt::format("# Closures imported from {} by `callpolicy import-ics`, {} to {}.\n",
                                  ics_one_line(options_.source_name), format_date(options_.first),
                                  format_date(options_.last));
    out += fmt::format("calendar {} {{\n", options_.calendar);
    // Dates in order, then the yearly rules as the file has them.
    std::stable_sort(rules_.begin(), rules_.end(), [](const holiday_rule& a, const holiday_rule& b) {
      const bool a_dated = a.type == holiday_rule::kind::dates;
      const bool b_dated = b.type == holiday_rule::kind::dates;
      if (a_dated != b_dated) return a_dated;
      return a_dated && a.dates.first < b.dates.first;
    });
    for (const holiday_rule& rule : rules_) {
      out += fmt::format("  {} {}{}\n", holiday_rule_text(rule), quoted(rule.label), holiday_observed_text(rule));
    }
    out += "}\n";
    const std::vector<std::string> specials = special_lines();
    if (!specials.empty()) {
      out += fmt::format(
          "\n# Closures of part of a day, as {}'s hours less the closure. A calendar\n"
          "# holds whole days, so these belong in the clinic's own `special` block:\n#   special {{\n",
          options_.clinic->id);
      for (const std::string& line : specials) out += "#     " + line + "\n";
      out += "#   }\n";
    }
    return out;
  }

 private:
  void note(std::size_t line, const std::string& text) {
    result_.notes.push_back(fmt::format("{}:{}: note: {}", options_.source_name, line, text));
  }

  void add_whole_days(const ics_event& event) {
    if (event.yearly) {
      if (!event.yearly->days.empty() && event.yearly->days.back() < options_.first) return;  // over before the range
      if (std::vector<holiday_rule> rules = yearly_rules(event); !rules.empty()) {
        for (holiday_rule& r : rules) {
          for (const day_number d : event.yearly->days) {
            if (d >= options_.first && d <= options_.last) whole_days_.insert(d);
          }
          rules_.push_back(std::move(r));
        }
        return;
      }
      note(event.line, fmt::format("'{}' recurs yearly in a way no `yearly` line says; its dates are written", event.name));
    }
    for (const ics_occurrence& o : event.occurrences) {
      add_dates(event.name, static_cast<day_number>(o.first), static_cast<day_number>(o.last));
    }
  }

  // A closure that starts in the range is kept whole; one that began
  // before it, from its first day on.
  void add_dates(const std::string& name, day_number first, day_number last) {
    first = std::max(first, options_.first);
    if (first > last || first > options_.last) return;
    holiday_rule rule;
    rule.type = holiday_rule::kind::dates;
    rule.dates = {first, last};
    rule.label = name;
    if (std::find(rules_.begin(), rules_.end(), rule) != rules_.end()) return;
    for (day_number d = first; d <= std::min(last, options_.last); ++d) whole_days_.insert(d);
    rules_.push_back(std::move(rule));
  }

  void add_part_days(const ics_event& event) {
    const cctz::time_zone* zone = options_.clinic ? find_zone(options_.clinic->timezone) : nullptr;
    for (const ics_occurrence& o : event.occurrences) {
      // Seconds since 1970-01-01T00:00 on the clinic's wall clock, or
      // without a clinic on the event's own.
      std::int64_t start = o.wall;
      std::int64_t end = o.wall + (o.last - o.first);
      if (event.kind == ics_event::timing::zoned && zone != nullptr) {
        const auto local = [&](std::int64_t instant) {
          const local_parts p = to_local(zone, std::chrono::sys_seconds(std::chrono::seconds(instant)));
          return static_cast<std::int64_t>(p.date) * 86'400 + p.seconds;
        };
        start = local(o.first);
        end = local(o.last);
      }
      // Midnight to midnight is whole days, as older Outlook writes an
      // all-day event.
      if (end > start && start % 86'400 == 0 && end % 86'400 == 0) {
        add_dates(event.name, static_cast<day_number>(floor_div(start, 86'400)),
                  static_cast<day_number>(floor_div(end, 86'400) - 1));
        continue;
      }
      const day_number wall_day = static_cast<day_number>(floor_div(o.wall, 86'400));
      const std::string when = fmt::format("{} {}", format_date(wall_day),
                                           clock(static_cast<int>((o.wall - wall_day * std::int64_t{86'400}) / 60)));
      if (end <= start) {
        note(event.line, fmt::format("'{}' at {} has no length; left out", event.name, when));
        continue;
      }
      if (zone == nullptr) {
        if (wall_day < options_.first || wall_day > options_.last) continue;
        note(event.line, fmt::format("'{}' at {}{} closes part of a day, which a calendar cannot hold; with "
                                     "--clinic ID it is written as that clinic's special hours",
                                     event.name, when, event.zone.empty() ? "" : " " + event.zone));
        continue;
      }
      // Whole minutes that cover the closure, split at local midnights, from
      // the day before the range (whose window may run into it) to its end.
      const std::int64_t first_minute =
          std::max(floor_div(start, 60), (static_cast<std::int64_t>(options_.first) - 1) * minutes_per_day);
      const std::int64_t last_minute =
          std::min(floor_div(end + 59, 60), (static_cast<std::int64_t>(options_.last) + 1) * minutes_per_day);
      const std::string zone_text = event.zone.empty() || event.zone == options_.clinic->timezone ? "" : " (" + event.zone + ")";
      for (std::int64_t m = first_minute; m < last_minute;) {
        const day_number day = static_cast<day_number>(floor_div(m, minutes_per_day));
        const std::int64_t day_end = (static_cast<std::int64_t>(day) + 1) * minutes_per_day;
        const std::int64_t piece_end = std::min(last_minute, day_end);
        const int from = static_cast<int>(m - static_cast<std::int64_t>(day) * minutes_per_day);
        const int to = static_cast<int>(piece_end - static_cast<std::int64_t>(day) * minutes_per_day);
        part_days_[day].push_back({from, to, fmt::format("{} {}-{}{}", event.name, clock(from), clock(to), zone_text)});
        lines_[day] = event.line;
        m = piece_end;
      }
    }
  }

  // The clinic's windows on `day` as minutes from that day's midnight, a
  // window past midnight running on past 24:00.
  std::vector<std::pair<int, int>> open_minutes(day_number day, bool& from_special) const {
    const compiled_clinic& clinic = *options_.clinic;
    const auto special = std::find_if(clinic.specials.begin(), clinic.specials.end(),
                                      [&](const special_day& s) { return s.date == day; });
    from_special = special != clinic.specials.end();
    const std::vector<window>& windows =
        from_special ? special->windows : clinic.weekly_hours[static_cast<std::size_t>(weekday_of(day))];
    std::vector<std::pair<int, int>> out;
    for (const window& w : windows) {
      out.emplace_back(w.start, w.crosses_midnight() ? w.end + minutes_per_day : w.end);
    }
    return out;
  }

  bool closed_all_day(day_number day) const {
    return whole_days_.count(day) != 0 || !holidays_on(options_.clinic->holidays, day).empty();
  }

  std::vector<std::string> special_lines() {
    std::vector<std::string> out;
    if (options_.clinic == nullptr) return out;
    std::set<day_number> days;
    for (const auto& [day, closures] : part_days_) {
      days.insert(day);
      days.insert(day - 1);  // the day before, whose window may run past midnight into this one
    }
    for (const day_number day : days) {
      if (day < options_.first || day > options_.last) continue;
      const auto own = part_days_.find(day);
      const auto next = part_days_.find(day + 1);
      const std::size_t line = own != part_days_.end() ? lines_[day] : lines_[day + 1];
      if (closed_all_day(day)) {
        if (own != part_days_.end()) note(line, fmt::format("{} is closed all day already; its closure of part of it adds nothing", format_date(day)));
        continue;
      }
      bool from_special = false;
      std::vector<std::pair<int, int>> open = open_minutes(day, from_special);
      const std::vector<std::pair<int, int>> before = open;
      std::vector<std::string> what;
      const auto subtract = [&](const std::vector<part_closure>& closures, int shift) {
        for (const part_closure& c : closures) {
          std::vector<std::pair<int, int>> left;
          for (const auto& [a, b] : open) {
            const int s = c.start + shift;
            const int e = c.end + shift;
            if (e <= a || s >= b) {
              left.emplace_back(a, b);
              continue;
            }
            if (shift == 0) what.push_back(c.what);
            if (a < s) left.emplace_back(a, s);
            if (e < b) left.emplace_back(e, b);
          }
          open = std::move(left);
        }
      };
      if (own != part_days_.end()) subtract(own->second, 0);
      if (next != part_days_.end()) subtract(next->second, minutes_per_day);
      if (open == before) {
        if (own != part_days_.end()) {
          note(line, fmt::format("{} is closed then anyway on {} (its hours that day: {}); nothing to write",
                                 options_.clinic->id, format_date(day), before.empty() ? "closed" : windows_text(before)));
        }
        continue;
      }
      std::vector<std::pair<int, int>> sayable;
      for (const auto& piece : open) {
        if (piece.first < minutes_per_day) {
          sayable.push_back(piece);
        } else {
          note(line, fmt::format("{} stays open {}-{} on {} from a window that starts the day before; a special "
                                 "line cannot say that, so it is left closed",
                                 options_.clinic->id, clock(piece.first - minutes_per_day),
                                 clock(piece.second - minutes_per_day), format_date(day + 1)));
        }
      }
      if (from_special) {
        note(line, fmt::format("{} has special hours on {} already; the line written replaces them",
                               options_.clinic->id, format_date(day)));
      }
      std::string comment;
      for (const std::string& w : what) comment += (comment.empty() ? "" : "; ") + w;
      if (comment.empty()) comment = "a closure the next morning";
      out.push_back(fmt::format("{}  {}  # {}", format_date(day), sayable.empty() ? "closed" : windows_text(sayable), comment));
    }
    return out;
  }

  static std::string windows_text(const std::vector<std::pair<int, int>>& minutes) {
    std::vector<window> windows;
    for (const auto& [a, b] : minutes) {
      windows.push_back({static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b > minutes_per_day ? b - minutes_per_day : b)});
    }
    return canonical_windows(windows);
  }

  const ics_import_options& options_;
  ics_import_result& result_;
  std::vector<holiday_rule> rules_;
  std::set<day_number> whole_days_;
  std::map<day_number, std::vector<part_closure>> part_days_;
  std::map<day_number, std::size_t> lines_;
};

}  // namespace

ics_import_result import_ics(std::string_view text, const ics_import_options& options) {
  ics_import_result result;
  auto read = read_ics(text, options.first, options.last);
  if (const auto* e = std::get_if<ics_error>(&read)) {
    result.error = fmt::format("{}:{}: error: {}", options.source_name, e->line, e->message);
    return result;
  }
  const ics_calendar& calendar = std::get<ics_calendar>(read);
  for (const ics_message& n : calendar.notes) {
    result.notes.push_back(fmt::format("{}:{}: note: {}", options.source_name, n.line, n.message));
  }
  importer in(options, result);
  // Whole days first: a closure of part of a day that is closed all day adds nothing.
  for (const ics_event& event : calendar.events) {
    if (event.kind == ics_event::timing::all_day) in.add(event);
  }
  for (const ics_event& event : calendar.events) {
    if (event.kind != ics_event::timing::all_day) in.add(event);
  }
  const std::string written = in.text();
  // What is printed must compile: parse, format and compile it here.
  diagnostic_sink sink;
  const ast::policy_file parsed = parse_policy(options.calendar + ".policy", written, sink);
  source_set sources;
  sources.files.push_back({options.calendar + ".policy", written});
  compile_options compile;
  compile.lints = false;
  (void)compile_sources(sources, compile, sink);
  if (sink.has_errors()) {
    const auto first_error = std::find_if(sink.all().begin(), sink.all().end(),
                                          [](const diagnostic& d) { return d.level == severity::error; });
    result.error = fmt::format("{}: error: internal error: the calendar written does not compile: {}", options.source_name,
                               first_error->message);
    return result;
  }
  result.policy = format_policy(parsed, written);
  return result;
}

}  // namespace callpolicy
