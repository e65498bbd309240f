// The compiled decision tree against a deliberately naive evaluator written
// from docs/language.md's time semantics and modes alone: no week maps, no time tables, no tree.
// The reference converts the instant with cctz directly, then walks the
// parsed policy's rules in order, working out each condition from the
// source's own hours, holidays, special days and schedule lines with cctz's
// civil dates. 1,000 generated policies (every mode and condition,
// overnight windows, 24:00 ends, holidays of every kind and calendars,
// special days, schedules, routes with and/or/not) x 100 call contexts each,
// half of them on a window's edge: the action and reason must agree.
#include <boost/test/unit_test.hpp>

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "compiler/compiler.h"
#include "model/zones.h"
#include "runtime/evaluator.h"
#include "runtime/policy_set.h"

using namespace callpolicy;

namespace {

// ---------------------------------------------------------------- reference

cctz::civil_day civil_of(day_number n) {
  return cctz::civil_day(1970, 1, 1) + n;
}
int weekday_index(const cctz::civil_day& d) {
  return static_cast<int>(cctz::get_weekday(d));
}  // Monday = 0
bool in_range(const date_range& r, const cctz::civil_day& d) {
  return civil_of(r.first) <= d && d <= civil_of(r.last);
}

// Western Easter by Knuth's algorithm E (TAOCP 1.3.2, exercise 14), not the
// computus the model uses: March `n`, which cctz carries into April.
cctz::civil_day easter_of(int year) {
  const int golden = year % 19 + 1, century = year / 100 + 1;
  const int skipped = 3 * century / 4 - 12, moon = (8 * century + 5) / 25 - 5;
  const int sunday = 5 * year / 4 - skipped - 10;
  int epact = (11 * golden + 20 + moon - skipped) % 30;
  if (epact < 0) epact += 30;
  if ((epact == 25 && golden > 11) || epact == 24) ++epact;
  int n = 44 - epact;
  if (n < 21) n += 30;
  n = n + 7 - (sunday + n) % 7;
  return cctz::civil_day(year, 3, n);
}

struct reference {
  const ast::clinic& clinic;
  const std::map<std::string, const ast::calendar*>& calendars;
  const cctz::time_zone& zone;

  static std::optional<cctz::civil_day> nth_of_month(int year, int month, int nth, int weekday) {
    std::vector<cctz::civil_day> matching;
    for (cctz::civil_day d(year, month, 1); d.month() == month; d += 1) {
      if (weekday_index(d) == weekday) matching.push_back(d);
    }
    if (nth == -1) return matching.back();
    if (static_cast<std::size_t>(nth) > matching.size()) return std::nullopt;
    return matching[static_cast<std::size_t>(nth - 1)];
  }

  // A yearly or Easter rule's own day in `year`, found without the model's
  // arithmetic: by walking the days.
  static std::optional<cctz::civil_day> own_day(const ast::holiday_entry& e, int year) {
    if ((e.rule.from_year != 0 && year < e.rule.from_year) || (e.rule.until_year != 0 && year > e.rule.until_year)) {
      return std::nullopt;
    }
    for (int y = e.rule.from_year; e.rule.every_years != 0 && y != year; y += e.rule.every_years) {
      if (y > year) return std::nullopt;  // not a year the rule repeats in
    }
    switch (e.type) {
      case ast::holiday_entry::kind::yearly_date: {
        const cctz::civil_day d(year, e.rule.month, e.rule.day);
        if (d.month() != e.rule.month) return std::nullopt;  // 02-29 outside a leap year
        return d;
      }
      case ast::holiday_entry::kind::easter:
        return easter_of(year) + e.rule.offset;
      case ast::holiday_entry::kind::yearly_beside: {
        const int direction = e.rule.type == holiday_rule::kind::yearly_before ? -1 : 1;
        std::optional<cctz::civil_day> anchor;
        if (e.rule.anchor_nth != 0) {
          anchor = nth_of_month(year, e.rule.month, e.rule.anchor_nth, e.rule.anchor_weekday);
        } else if (const cctz::civil_day d(year, e.rule.month, e.rule.day); d.month() == e.rule.month) {
          anchor = d;
        }
        if (!anchor) return std::nullopt;
        // Day by day from the anchor, counting the weekdays met.
        cctz::civil_day found = *anchor;
        for (int met = 0; met < std::max<int>(e.rule.nth, 1);) {
          found += direction;
          if (weekday_index(found) == e.rule.weekday) ++met;
        }
        return found;
      }
      case ast::holiday_entry::kind::yearly_nth:
        return nth_of_month(year, e.rule.month, e.rule.nth, e.rule.weekday);
      default:
        return std::nullopt;
    }
  }

  bool entry_holds(const ast::holiday_entry& e, const cctz::civil_day& d, int depth) const {
    if (e.type == ast::holiday_entry::kind::dates) return in_range(e.rule.dates, d);
    if (e.type == ast::holiday_entry::kind::use) {
      const auto it = calendars.find(e.calendar);
      if (it == calendars.end() || depth > 16) return false;
      for (const auto& inner : it->second->entries) {
        if (entry_holds(inner, d, depth + 1)) return true;
      }
      return false;
    }
    for (int year = static_cast<int>(d.year()) - 1; year <= static_cast<int>(d.year()) + 1; ++year) {
      if (own_day(e, year) == d) return true;
    }
    return false;
  }

  // The clinic's rules in order, calendars expanded where they are used.
  void flatten(const std::vector<ast::holiday_entry>& entries, std::vector<const ast::holiday_entry*>& out,
               int depth) const {
    for (const auto& e : entries) {
      if (e.type != ast::holiday_entry::kind::use) {
        out.push_back(&e);
        continue;
      }
      const auto it = calendars.find(e.calendar);
      if (it != calendars.end() && depth <= 16) flatten(it->second->entries, out, depth + 1);
    }
  }

  // Every rule's kept days of the years around `d`, in rule order, each past
  // the own days of all rules and the kept days found before it
  // (docs/language.md, "Observed days"); no rule left out for being far away.
  bool observed_on(const cctz::civil_day& d) const {
    std::vector<const ast::holiday_entry*> rules;
    if (clinic.holidays) flatten(clinic.holidays->items, rules, 0);
    const auto own_day_of_any = [&](const cctz::civil_day& day) {
      return std::any_of(rules.begin(), rules.end(), [&](const ast::holiday_entry* r) {
        return r->type != ast::holiday_entry::kind::dates && entry_holds(*r, day, 0);
      });
    };
    std::vector<cctz::civil_day> taken;
    for (const ast::holiday_entry* r : rules) {
      for (int year = static_cast<int>(d.year()) - 1; year <= static_cast<int>(d.year()) + 1; ++year) {
        const auto own = own_day(*r, year);
        if (!own) continue;
        const int shift = r->rule.observed[static_cast<std::size_t>(weekday_index(*own))];
        if (shift == 0) continue;
        cctz::civil_day kept = *own + shift;
        while (std::abs(kept - *own) < 7 &&
               (own_day_of_any(kept) || std::find(taken.begin(), taken.end(), kept) != taken.end())) {
          kept += shift > 0 ? 1 : -1;
        }
        taken.push_back(kept);
      }
    }
    return std::find(taken.begin(), taken.end(), d) != taken.end();
  }

  bool is_holiday_date(const cctz::civil_day& d) const {
    if (!clinic.holidays) return false;
    for (const auto& e : clinic.holidays->items) {
      if (entry_holds(e, d, 0)) return true;
    }
    return observed_on(d);
  }

  // A later entry listing the date replaces an earlier one, as in `hours`.
  const ast::special_entry* special_of(const cctz::civil_day& d) const {
    const ast::special_entry* found = nullptr;
    if (!clinic.special) return found;
    for (const auto& s : clinic.special->items) {
      if (in_range(s.dates, d)) found = &s;
    }
    return found;
  }

  std::vector<window> windows_of(const cctz::civil_day& d) const {
    std::vector<window> out;
    if (const auto* s = special_of(d)) {
      for (const auto& w : s->windows) out.push_back(w.value);
      return out;
    }
    if (is_holiday_date(d) || !clinic.hours) return out;
    // A later line naming the day replaces an earlier one.
    for (const auto& line : clinic.hours->items) {
      if (line.days & (1u << weekday_index(d))) {
        out.clear();
        for (const auto& w : line.windows) out.push_back(w.value);
      }
    }
    return out;
  }

  // Half-open windows; one that crosses midnight holds from its start on its
  // own day and until its end on the next.
  static bool holds_today(const window& w, int seconds) {
    const bool crosses = w.end <= w.start;
    return crosses ? seconds >= w.start * 60 : seconds >= w.start * 60 && seconds < w.end * 60;
  }
  static bool spills_into_today(const window& w, int seconds) {
    return w.end <= w.start && seconds < w.end * 60;
  }

  // A weekly or dated line with optional windows (schedule lines, `during`).
  template <class DayMatches>
  static bool line_holds(DayMatches day_matches, const std::vector<window>& windows,
                         const cctz::civil_day& d, int seconds) {
    if (windows.empty()) return day_matches(d);
    for (const window& w : windows) {
      if (day_matches(d) && holds_today(w, seconds)) return true;
      if (day_matches(d - 1) && spills_into_today(w, seconds)) return true;
    }
    return false;
  }

  struct moment {
    cctz::civil_day day;
    int seconds = 0;
    std::int32_t calls = 0;
    std::string caller;
    via_kind via = via_kind::ported;
    int mean_call = 0;  // seconds; 0: unknown
  };

  bool is_open(const moment& m) const {
    for (const window& w : windows_of(m.day)) {
      if (holds_today(w, m.seconds)) return true;
    }
    for (const window& w : windows_of(m.day - 1)) {
      if (spills_into_today(w, m.seconds)) return true;
    }
    return false;
  }

  bool is_scheduled(const moment& m) const {
    bool on = false;
    if (!clinic.schedule) return false;
    for (const auto& line : clinic.schedule->items) {
      std::vector<window> windows;
      for (const auto& w : line.windows) windows.push_back(w.value);
      const bool matches =
          line.days ? line_holds(
                          [&](const cctz::civil_day& d) {
                            return (*line.days & (1u << weekday_index(d))) != 0;
                          },
                          windows, m.day, m.seconds)
                    : line_holds([&](const cctz::civil_day& d) { return in_range(*line.dates, d); },
                                 windows, m.day, m.seconds);
      if (matches) on = line.enable;  // the last matching line decides
    }
    return on;
  }

  bool holds(const ast::condition& c, const moment& m) const {
    using k = ast::condition::kind;
    switch (c.type) {
      case k::holiday:
        return is_holiday_date(m.day) && !special_of(m.day);
      case k::open:
        return is_open(m);
      case k::closed:
        return !is_open(m);
      case k::scheduled:
        return is_scheduled(m);
      case k::overflow:
        return clinic.overflow && m.calls >= static_cast<std::int32_t>(clinic.overflow->value);
      case k::calls:
        switch (c.op) {
          case ast::compare_op::ge:
            return m.calls >= c.count;
          case ast::compare_op::gt:
            return m.calls > c.count;
          case ast::compare_op::le:
            return m.calls <= c.count;
          case ast::compare_op::lt:
            return m.calls < c.count;
          case ast::compare_op::eq:
            return m.calls == c.count;
        }
        return false;
      case k::wait: {
        // docs/language.md, "Estimated wait", in floating point: the
        // compiler's whole-number comparison must agree with it.
        const double lines = clinic.lines ? clinic.lines->value : clinic.overflow ? clinic.overflow->value : 0;
        if (lines <= 0 || m.mean_call <= 0) return false;
        const double estimate = std::max(0.0, m.calls - lines + 1) * m.mean_call / lines;
        const double limit = c.count;
        switch (c.op) {
          case ast::compare_op::ge: return estimate >= limit;
          case ast::compare_op::gt: return estimate > limit;
          case ast::compare_op::le: return estimate <= limit;
          case ast::compare_op::lt: return estimate < limit;
          case ast::compare_op::eq: return estimate == limit;
        }
        return false;
      }
      case k::caller:
        return std::find(c.callers.begin(), c.callers.end(), m.caller) != c.callers.end();
      case k::via:
        return (c.vias & (1u << static_cast<int>(m.via))) != 0;
      case k::to:
        // Only a transfer block may test its target, and this reference decides the route.
        return false;
      case k::during:
        return line_holds(
            [&](const cctz::civil_day& d) { return (c.days & (1u << weekday_index(d))) != 0; },
            c.windows, m.day, m.seconds);
      case k::on:
        return in_range(c.dates, m.day);
      case k::not_:
        return !holds(c.operands.at(0), m);
      case k::and_:
        for (const auto& o : c.operands) {
          if (!holds(o, m)) return false;
        }
        return true;
      case k::or_:
        for (const auto& o : c.operands) {
          if (holds(o, m)) return true;
        }
        return false;
    }
    return false;
  }

  std::string fallback() const {
    return std::string(clinic.fallback ? canonical_action(clinic.fallback->value) : "voicemail");
  }
  std::string action(ast::action_ref a) const {
    return a == ast::action_ref::fallback ? fallback() : std::string(canonical_action(a));
  }

  // (action, reason)
  std::pair<std::string, std::string> decide(std::chrono::sys_seconds at, std::int32_t calls,
                                             std::string caller, via_kind via, int mean_call) const {
    const cctz::time_zone::absolute_lookup local = zone.lookup(at);
    moment m{cctz::civil_day(local.cs),
             static_cast<int>(local.cs.hour() * 3600 + local.cs.minute() * 60 + local.cs.second()),
             calls, std::move(caller), via, mean_call};
    if (clinic.route) {
      for (const auto& rule : clinic.route->items) {
        if (rule.when && !holds(*rule.when, m)) continue;
        const std::string reason = rule.label  ? rule.label->value
                                   : rule.when ? canonical_condition(*rule.when)
                                               : "otherwise";
        return {action(rule.action.value), reason};
      }
      return {"?", "no rule"};
    }
    const auto mode = clinic.mode ? clinic.mode->value : ast::mode_kind::always;
    ast::condition open;
    open.type = ast::condition::kind::open;
    ast::condition holiday;
    holiday.type = ast::condition::kind::holiday;
    switch (mode) {
      case ast::mode_kind::always:
        return {"ai", "always-on"};
      case ast::mode_kind::disabled:
        return {fallback(), "disabled"};
      case ast::mode_kind::after_hours_only:
        if (holds(open, m)) return {fallback(), "business-hours"};
        if (holds(holiday, m)) return {"ai", "holiday"};
        return {"ai", "after-hours"};
      case ast::mode_kind::overflow_only:
        if (clinic.overflow && calls >= static_cast<std::int32_t>(clinic.overflow->value))
          return {"ai", "overflow"};
        return {fallback(), "under-capacity"};
      case ast::mode_kind::scheduled:
        if (is_scheduled(m)) return {"ai", "scheduled-on"};
        return {fallback(), "scheduled-off"};
    }
    return {"?", "no mode"};
  }
};

// ---------------------------------------------------------------- generator

const std::vector<std::string> generated_zones{"America/Toronto",
                                               "America/Vancouver",
                                               "America/St_Johns",
                                               "Europe/London",
                                               "Europe/Paris",
                                               "Australia/Sydney",
                                               "Australia/Lord_Howe",
                                               "Asia/Kathmandu",
                                               "Asia/Kolkata",
                                               "Pacific/Auckland",
                                               "America/Sao_Paulo",
                                               "Africa/Casablanca",
                                               "UTC",
                                               "America/Santiago"};
const std::vector<std::string> callers{"+14165550100", "+14165550101", "+16475550199",
                                       "+442071234567"};
constexpr const char* day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr const char* month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};

struct generator {
  std::mt19937 rng;
  explicit generator(unsigned seed) : rng(seed) {}

  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); }
  bool chance(int percent) { return pick(1, 100) <= percent; }
  template <class T>
  const T& one_of(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(pick(0, static_cast<int>(items.size()) - 1))];
  }

  std::string clock(int minutes) { return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60); }
  int minute() { return chance(60) ? pick(0, 95) * 15 : pick(0, 1439); }
  std::string window_text() {
    const int start = minute();
    int end = minute();
    if (chance(10)) return clock(start) + "-24:00";
    if (end == start) end = (start + 60) % 1440;
    return clock(start) + "-" + clock(end);  // an end before the start crosses midnight
  }
  std::string windows_text() {
    std::string out = window_text();
    if (chance(30)) out += ", " + window_text();
    return out;
  }
  std::string days_text() {
    switch (pick(0, 5)) {
      case 0:
        return "daily";
      case 1:
        return "weekdays";
      case 2:
        return "weekends";
      case 3:
        return fmt::format("{}-{}", day_names[pick(0, 6)], day_names[pick(0, 6)]);  // fri-mon wraps
      case 4:
        return fmt::format("{},{}", day_names[pick(0, 3)], day_names[pick(4, 6)]);
      default:
        return day_names[pick(0, 6)];
    }
  }
  std::string date_text(int year_low = 2026, int year_high = 2028) {
    const int year = pick(year_low, year_high);
    const int month = pick(1, 12);
    const int day = pick(1, 28);
    return fmt::format("{:04}-{:02}-{:02}", year, month, day);
  }
  std::string range_text() {
    const int year = pick(2026, 2028), month = pick(1, 12), day = pick(1, 20);
    return fmt::format("{:04}-{:02}-{:02}..{:04}-{:02}-{:02}", year, month, day, year, month,
                       day + pick(1, 8));
  }
  // `from 2026 `, `until 2027 `, both, `from 2025 every 2 years `, or
  // nothing, before a yearly or Easter rule.
  std::string years_text() {
    if (!chance(25)) return "";
    const int from = pick(2025, 2028);
    switch (pick(0, 3)) {
      case 0: return fmt::format("from {} ", from);
      case 1: return fmt::format("until {} ", from);
      case 2: return fmt::format("from {} every {} years ", pick(2018, 2027), pick(2, 3));
      default: return fmt::format("from {} until {} ", from, from + pick(0, 2));
    }
  }
  // ` observed sat -> fri, sun -> mon`, or nothing.
  std::string observed_text() {
    if (!chance(40)) return "";
    std::string out;
    const int first = pick(0, 6);
    for (int k = 0, shifts = pick(1, 2); k < shifts; ++k) {
      const int day = (first + k * pick(1, 6)) % 7;
      if (k == 1 && day == first) break;
      out += fmt::format("{}{} -> {}", out.empty() ? " observed " : ", ", day_names[day], day_names[(day + pick(1, 6)) % 7]);
    }
    return out;
  }
  std::string holiday_text(const std::string& calendar) {
    const int kind = pick(0, 6);
    if (kind >= 2 && kind <= 5) return years_text() + yearly_text(kind) + observed_text();
    switch (kind) {
      case 0:
        return date_text() + " \"day off\"";
      case 1:
        return range_text() + " \"break\"";
      default:
        return calendar.empty() ? date_text() : "use " + calendar;
    }
  }
  std::string yearly_text(int kind) {
    switch (kind) {
      case 2:
        return fmt::format("yearly {:02}-{:02} \"yearly\"", pick(1, 12),
                           chance(10) ? 29 : pick(1, 28));
      case 3: {
        constexpr const char* nth[] = {"1st", "2nd", "3rd", "4th", "5th", "last"};
        return fmt::format("yearly {} {} of {}", nth[pick(0, 5)], day_names[pick(0, 6)],
                           month_names[pick(0, 11)]);
      }
      case 4: {
        constexpr const char* offsets[] = {"", " -2 \"Good Friday\"", " +1 \"Easter Monday\"", " -48", " +39",
                                           " -200", " +200"};
        return std::string("easter") + offsets[pick(0, 6)];
      }
      case 5: {
        // Anchors at the year's edges reach into the year before or after;
        // a counted weekday reaches weeks away.
        constexpr const char* counts[] = {"", "1st ", "2nd ", "3rd ", "4th ", "5th "};
        constexpr const char* nth[] = {"1st", "2nd", "3rd", "4th", "5th", "last"};
        const std::string anchor =
            chance(40) ? fmt::format("{} {} of {}", nth[pick(0, 5)], day_names[pick(0, 6)], month_names[pick(0, 11)])
                       : fmt::format("{:02}-{:02}", pick(1, 12), chance(25) ? (chance(50) ? 1 : 28) : pick(1, 28));
        return fmt::format("yearly {}{} {} {} \"beside\"", chance(30) ? counts[pick(0, 5)] : "", day_names[pick(0, 6)],
                           chance(50) ? "before" : "after", anchor);
      }
      default:
        return "";
    }
  }
  std::string calls_text() {
    constexpr const char* ops[] = {">=", ">", "<=", "<", "=="};
    return fmt::format("calls {} {}", ops[pick(0, 4)], pick(0, 6));
  }
  std::string atom(bool has_schedule, bool has_overflow) {
    switch (pick(0, 10)) {
      case 0:
        return "holiday";
      case 1:
        return "open";
      case 2:
        return "closed";
      case 3:
        return has_schedule ? "scheduled" : "open";
      case 4:
        return has_overflow ? "overflow" : "closed";
      case 5:
        if (has_overflow && chance(40)) {
          constexpr const char* ops[] = {">=", ">", "<=", "<", "=="};
          constexpr const char* waits[] = {"30s", "1m", "2m", "4m", "5m", "10m"};
          return fmt::format("wait {} {}", ops[pick(0, 4)], waits[pick(0, 5)]);
        }
        return calls_text();
      case 6:
        return "caller " + one_of(callers) + (chance(30) ? ", " + one_of(callers) : "");
      case 7: {
        const std::vector<std::string> vias{"ported", "forwarded", "sip", "ported, sip",
                                            "forwarded, sip"};
        return "via " + one_of(vias);
      }
      case 8:
        return "during " + days_text() + " " + windows_text();
      case 9:
        return "on " + (chance(50) ? date_text() : range_text());
      default:
        return "holiday";
    }
  }
  std::string condition(int depth, bool has_schedule, bool has_overflow) {
    if (depth == 0 || chance(40)) return atom(has_schedule, has_overflow);
    return compound(depth, has_schedule, has_overflow);
  }
  // An operand of not/and/or: a compound one in parentheses.
  std::string operand(int depth, bool has_schedule, bool has_overflow) {
    if (depth == 0 || chance(40)) return atom(has_schedule, has_overflow);
    return "(" + compound(depth, has_schedule, has_overflow) + ")";
  }
  std::string compound(int depth, bool has_schedule, bool has_overflow) {
    const auto next = [&] { return operand(depth - 1, has_schedule, has_overflow); };
    switch (pick(0, 2)) {
      case 0:
        return "not " + next();
      case 1:
        return next() + " and " + next();
      default:
        return next() + " or " + next();
    }
  }
  std::string action() {
    const std::vector<std::string> actions{"ai", "voicemail", "forward", "busy", "fallback"};
    return one_of(actions);
  }

  std::string policy(int index) {
    const std::string id = fmt::format("g{:04}", index);
    const std::string calendar = chance(40) ? fmt::format("cal{:04}", index) : "";
    std::string out;
    if (!calendar.empty()) {
      out += "calendar " + calendar + " {\n";
      for (int i = pick(1, 3); i > 0; --i) out += "  " + holiday_text("") + "\n";
      out += "}\n\n";
    }
    out += "clinic " + id + " {\n";
    out += "  timezone \"" + one_of(generated_zones) + "\"\n";
    out += fmt::format("  numbers {{ ported +1416555{:04} }}\n", index);
    out += "  forward +14165559999\n";
    if (chance(85)) {
      out += "  hours {\n";
      for (int i = pick(1, 4); i > 0; --i)
        out += "    " + days_text() + " " + windows_text() + "\n";
      out += "  }\n";
    }
    if (chance(70)) {
      out += "  holidays {\n";
      for (int i = pick(1, 4); i > 0; --i) out += "    " + holiday_text(calendar) + "\n";
      out += "  }\n";
    }
    if (chance(50)) {
      // Mostly distinct months; sometimes a second entry overlapping the first.
      out += "  special {\n";
      const int year = pick(2026, 2028), first_month = pick(1, 6), first_day = pick(3, 26);
      out += fmt::format("    {:04}-{:02}-{:02} {}\n", year, first_month, first_day,
                         chance(40) ? "closed" : windows_text());
      if (chance(50)) {
        // Usually months later; sometimes over the first entry's date.
        const bool overlap = chance(25);
        const int month = overlap ? first_month : pick(7, 12), day = overlap ? first_day - 2 : pick(1, 20);
        out += fmt::format("    {:04}-{:02}-{:02}..{:04}-{:02}-{:02} {}\n", year, month, day, year, month,
                           std::min(28, day + pick(2, 8)), chance(40) ? "closed" : windows_text());
      }
      out += "  }\n";
    }
    const bool has_overflow = chance(50);
    if (has_overflow) out += fmt::format("  overflow {}\n", pick(1, 5));
    if (has_overflow && chance(50)) out += fmt::format("  lines {}\n", pick(1, 4));
    const bool has_schedule = chance(50);
    if (has_schedule) {
      out += "  schedule {\n";
      for (int i = pick(1, 4); i > 0; --i) {
        out += chance(60) ? "    enable " : "    disable ";
        out += chance(60) ? days_text() : chance(50) ? date_text() : range_text();
        if (chance(70)) out += " " + windows_text();
        out += "\n";
      }
      out += "  }\n";
    }
    if (chance(80)) {
      const std::vector<std::string> fallbacks{"ai", "voicemail", "forward", "busy"};
      out += "  fallback " + one_of(fallbacks) + "\n";
    }
    if (chance(35)) {
      std::vector<std::string> modes{"always", "disabled", "after-hours-only"};
      if (has_overflow) modes.push_back("overflow-only");
      if (has_schedule) modes.push_back("scheduled");
      out += "  mode " + one_of(modes) + "\n";
    } else {
      out += "  route {\n";
      for (int i = pick(1, 5); i > 0; --i) {
        out += "    " + condition(3, has_schedule, has_overflow) + " -> " + action();
        if (chance(25)) out += fmt::format(" as \"rule {}\"", i);
        out += "\n";
      }
      out += "    otherwise -> " + action() + "\n  }\n";
    }
    out += "}\n";
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_compiled_tree_agrees_with_a_naive_reading_of_the_spec) {
  generator gen(20261125);
  constexpr int policies = 1000;
  constexpr int contexts = 100;
  std::size_t compared = 0, differences = 0, refused = 0;
  for (int index = 0; index < policies; ++index) {
    const std::string text = gen.policy(index);
    source_set sources;
    sources.files.push_back({fmt::format("g{:04}.policy", index), text});
    diagnostic_sink sink;
    compile_output output = compile_sources(sources, {days_from_civil(2026, 11, 25)}, sink);
    if (sink.has_errors()) {
      ++refused;
      for (const diagnostic& d : sink.all()) {
        if (d.level == severity::error)
          BOOST_ERROR(fmt::format("policy {}: {} {}\n{}", index, d.code, d.message, text));
      }
      continue;
    }
    const ast::policy_file& file = output.files.at(0);
    std::map<std::string, const ast::calendar*> calendars;
    for (const auto& c : file.calendars) calendars[c.name] = &c;
    const ast::clinic& source = file.clinics.at(0);
    const cctz::time_zone* zone = find_zone(source.timezone->value);
    BOOST_REQUIRE(zone != nullptr);
    const reference naive{source, calendars, *zone};
    const auto loaded = policy_set::load(std::move(output.set));
    BOOST_REQUIRE(loaded.set);
    const runtime_clinic& compiled = loaded.set->clinics().front();

    // Edges worth trying: each window's start and end (hours, schedule, special
    // days), a minute and a second either side.
    std::vector<int> edges;
    const auto add_edges = [&](const window& w) {
      for (int m : {static_cast<int>(w.start), static_cast<int>(w.end) % 1440}) {
        for (int delta : {-60, -1, 0, 1, 60}) edges.push_back(m * 60 + delta);
      }
    };
    if (source.hours) {
      for (const auto& line : source.hours->items) {
        for (const auto& w : line.windows) add_edges(w.value);
      }
    }
    if (source.schedule) {
      for (const auto& line : source.schedule->items) {
        for (const auto& w : line.windows) add_edges(w.value);
      }
    }
    if (source.special) {
      for (const auto& entry : source.special->items) {
        for (const auto& w : entry.windows) add_edges(w.value);
      }
    }
    // Days worth trying: the first and last of every dated entry (special
    // days, holidays, schedule lines, `on`), a day either side; yearly
    // holidays in 2027.
    std::vector<day_number> days;
    const auto add_days = [&](const date_range& r) {
      for (day_number d : {r.first - 1, r.first, r.last, r.last + 1}) days.push_back(d);
    };
    if (source.special) {
      for (const auto& entry : source.special->items) add_days(entry.dates);
    }
    const auto add_holidays = [&](const std::vector<ast::holiday_entry>& entries) {
      for (const auto& e : entries) {
        if (e.type == ast::holiday_entry::kind::dates) add_days(e.rule.dates);
        if (e.type == ast::holiday_entry::kind::yearly_date && e.rule.day <= 28) {
          const day_number d = days_from_civil(2027, e.rule.month, e.rule.day);
          add_days({d, d});
        }
        if (e.type == ast::holiday_entry::kind::easter) {
          for (int year = 2026; year <= 2028; ++year) {
            const auto d = static_cast<day_number>(easter_of(year) + e.rule.offset - cctz::civil_day(1970, 1, 1));
            add_days({d, d});
          }
        }
        if (e.type == ast::holiday_entry::kind::yearly_beside) {
          // The weeks on the rule's side of its anchor in 2027, and the anchor itself.
          const day_number anchor = days_from_civil(2027, e.rule.month, std::max<unsigned>(1, std::min<unsigned>(e.rule.day, 28)));
          const int reach = 8 + 7 * std::max<int>(e.rule.nth, 1) + (e.rule.anchor_nth != 0 ? 31 : 0);
          for (int k = -reach; k <= reach; ++k) days.push_back(anchor + k);
        }
        if (std::any_of(e.rule.observed.begin(), e.rule.observed.end(), [](std::int8_t x) { return x != 0; })) {
          // The days around each own day, where kept days and their collisions fall.
          for (int year = 2026; year <= 2028; ++year) {
            if (const auto own = reference::own_day(e, year)) {
              const auto at = static_cast<day_number>(*own - cctz::civil_day(1970, 1, 1));
              for (int k = -6; k <= 6; ++k) days.push_back(at + k);
            }
          }
        }
        if (e.type == ast::holiday_entry::kind::yearly_nth) {
          // Every such weekday of that month in 2027: the one meant and its neighbours.
          for (cctz::civil_day d(2027, e.rule.month, 1); d.month() == e.rule.month; d += 1) {
            if (weekday_index(d) == e.rule.weekday)
              days.push_back(static_cast<day_number>(d - cctz::civil_day(1970, 1, 1)));
          }
        }
      }
    };
    if (source.holidays) add_holidays(source.holidays->items);
    for (const auto& [name, calendar] : calendars) add_holidays(calendar->entries);
    if (source.schedule) {
      for (const auto& line : source.schedule->items) {
        if (line.dates) add_days(*line.dates);
      }
    }
    std::function<void(const ast::condition&)> add_condition_days = [&](const ast::condition& c) {
      if (c.type == ast::condition::kind::on) add_days(c.dates);
      for (const auto& o : c.operands) add_condition_days(o);
    };
    if (source.route) {
      for (const auto& rule : source.route->items) {
        if (rule.when) add_condition_days(*rule.when);
      }
    }
    for (int i = 0; i < contexts; ++i) {
      // A local date 2026-2028 or a dated entry's, at a random second or on an edge.
      cctz::civil_day day = cctz::civil_day(2026, 1, 1) + gen.pick(0, 3 * 365);
      if (!days.empty() && gen.chance(40))
        day = civil_of(
            days[static_cast<std::size_t>(gen.pick(0, static_cast<int>(days.size()) - 1))]);
      int seconds = gen.pick(0, 86399);
      if (!edges.empty() && gen.chance(50))
        seconds =
            (edges[static_cast<std::size_t>(gen.pick(0, static_cast<int>(edges.size()) - 1))] +
             86400) %
            86400;
      const auto at = zone->lookup(cctz::civil_second(day) + seconds).pre;
      const std::int32_t calls = gen.pick(0, 7);
      const std::string caller = gen.chance(70) ? gen.one_of(callers) : "";
      const via_kind via = static_cast<via_kind>(gen.pick(0, 2));
      // Mean call lengths that make a wait land on, and either side of, the thresholds.
      constexpr int means[] = {0, 0, 30, 60, 90, 120, 150, 240, 300, 360, 400, 600};
      const int mean_call = means[gen.pick(0, 11)];
      const auto expected = naive.decide(at, calls, caller, via, mean_call);
      call_context call{at, calls, caller, via};
      call.mean_call_seconds = mean_call;
      const decision got = decide(compiled, call);
      ++compared;
      if (action_name(got.action) != expected.first || got.reason != expected.second) {
        ++differences;
        if (differences <= 20) {
          BOOST_ERROR(fmt::format(
              "policy {} at {} (calls {}, caller '{}', via {}): tree {} \"{}\", reference {} "
              "\"{}\"\n{}",
              index, format_local_time(compiled, at), calls, caller, static_cast<int>(via),
              action_name(got.action), got.reason, expected.first, expected.second, text));
        }
      }
    }
  }
  std::printf(
      "reference evaluator: %d policies generated, %zu refused by the compiler, %zu call contexts "
      "compared, "
      "%zu differences\n",
      policies, refused, compared, differences);
  BOOST_TEST(refused == 0u);
  BOOST_TEST(compared >= 100000u);
  BOOST_TEST(differences == 0u);
}
