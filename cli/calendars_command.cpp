// `callpolicy calendars` lists the built-in calendars; `calendars show ID`
// prints the days of one, built in or a set's own (--context), with their
// names (docs/tooling.md, "calendars").
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "compiler/builtin_calendars.h"
#include "model/edit_distance.h"
#include "model/holiday_days.h"

namespace callpolicy::cli {
namespace {

// The years a calendar is listed for. Beyond them a year no longer fits the
// rules' `from`/`until` and Easter's tables are only arithmetic.
constexpr int first_listed_year = 1583;  // the first full Gregorian year
constexpr int last_listed_year = 9999;
constexpr int most_years_listed = 1000;

// A year (2026) or a date (2026-04-03) for --from and --to: the first or the
// last day it covers.
std::optional<day_number> range_end(std::string_view text, bool last) {
  if (text.size() == 4) {
    int year = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + 4, year);
    if (ec != std::errc() || end != text.data() + 4) return std::nullopt;
    return last ? days_from_civil(year, 12, 31) : days_from_civil(year, 1, 1);
  }
  return parse_date(text);
}

struct listed_day {
  day_number date;
  std::string name;
};

std::vector<listed_day> days_of(const std::vector<holiday_rule>& rules, day_number from, day_number to) {
  std::vector<listed_day> out;
  const int first_year = civil_from_days(from).year;
  const int last_year = civil_from_days(to).year;
  for (const day_number date : expand_holidays(rules, first_year, last_year)) {
    if (date < from || date > to) continue;
    std::vector<std::string> names;  // each once, as holiday_names_on gives them
    for (const holiday_on_day& h : holidays_on(rules, date)) {
      std::string name = h.rule->label.empty() ? std::string("holiday") : holiday_day_name(h);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
    }
    for (std::string& name : names) out.push_back({date, std::move(name)});
  }
  return out;
}

void list_calendars(std::string_view format) {
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const builtin_calendar& c : builtin_calendars()) {
      out.push_back({{"id", c.name}, {"title", c.title}, {"holidays", c.source->entries.size()}});
    }
    std::fputs((out.dump(2) + "\n").c_str(), stdout);
    return;
  }
  std::size_t width = 0;
  for (const builtin_calendar& c : builtin_calendars()) width = std::max(width, c.name.size());
  for (const builtin_calendar& c : builtin_calendars()) {
    std::fputs(fmt::format("{:<{}}  {}\n", c.name, width, c.title).c_str(), stdout);
  }
}

}  // namespace

void add_calendars_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("calendars", "list the built-in holiday calendars, or show one's days");
  struct options {
    std::string format = "text";
    std::string id;
    std::string from;
    std::string to;
    std::string show_format = "text";
    std::vector<std::string> context;
  };
  auto opts = std::make_shared<options>();
  command->add_option("--format", opts->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  auto* show = command->add_subcommand("show", "print every day of a calendar in a range of years, with its name");
  show->add_option("id", opts->id, "the calendar: built in (ca-bc) or, with --context, a set's own")->required();
  show->add_option("--from", opts->from, "the first year or date (default: this year)");
  show->add_option("--to", opts->to, "the last year or date (default: --from's year)");
  show->add_option("--format", opts->show_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  show->add_option("--context", opts->context, "policy files and directories whose calendars may be shown");
  command->callback([opts, show, &exit_code] {
    if (!show->parsed()) {
      list_calendars(opts->format);
      exit_code = exit_ok;
    }
  });
  show->callback([opts, &exit_code] {
    const auto this_year = civil_from_days(static_cast<day_number>(
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count()));
    const std::string from_text = opts->from.empty() ? std::to_string(this_year.year) : opts->from;
    const auto from = range_end(from_text, false);
    const std::string to_text = opts->to.empty() ? from_text.substr(0, 4) : opts->to;
    const auto to = range_end(to_text, true);
    for (const auto& [given, value, flag] : {std::tuple{&from_text, &from, "--from"}, std::tuple{&to_text, &to, "--to"}}) {
      if (!*value) {
        std::fprintf(stderr, "callpolicy calendars show: %s '%s' is not a year (2027) or a date (2027-04-02)\n", flag,
                     given->c_str());
        exit_code = exit_usage;
        return;
      }
    }
    const int first_year = civil_from_days(*from).year;
    const int last_year = civil_from_days(*to).year;
    if (*to < *from || first_year < first_listed_year || last_year > last_listed_year ||
        last_year - first_year >= most_years_listed) {
      std::fprintf(stderr,
                   "callpolicy calendars show: the range must run forwards, within the years %d to %d, "
                   "over at most %d years\n",
                   first_listed_year, last_listed_year, most_years_listed);
      exit_code = exit_usage;
      return;
    }
    std::optional<std::vector<holiday_rule>> rules;
    std::vector<std::string_view> known;
    loaded_set loaded;
    if (!opts->context.empty()) {
      if (!load_usable(opts->context, loaded, exit_code)) return;
      for (const compiled_calendar& c : loaded.output.set.calendars) {
        known.push_back(c.name);
        if (c.name == opts->id) rules = c.holidays;
      }
    }
    if (!rules) rules = builtin_calendar_rules(opts->id);
    if (!rules) {
      for (const builtin_calendar& c : builtin_calendars()) known.push_back(c.name);
      std::string message = fmt::format("callpolicy calendars show: unknown calendar '{}'", opts->id);
      if (const std::string_view meant = closest_word(opts->id, known); !meant.empty()) {
        message += fmt::format(", did you mean '{}'?", meant);
      }
      std::fprintf(stderr, "%s\n", message.c_str());
      exit_code = exit_usage;
      return;
    }
    const std::vector<listed_day> days = days_of(*rules, *from, *to);
    if (opts->show_format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const listed_day& d : days) out.push_back({{"date", format_date(d.date)}, {"name", d.name}, {"calendar", opts->id}});
      std::fputs((out.dump(2) + "\n").c_str(), stdout);
    } else {
      for (const listed_day& d : days) {
        std::string weekday(weekday_name(weekday_of(d.date)));
        weekday[0] = static_cast<char>(weekday[0] - 'a' + 'A');
        std::fputs(fmt::format("{}  {}  {}\n", format_date(d.date), weekday, d.name).c_str(), stdout);
      }
    }
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
