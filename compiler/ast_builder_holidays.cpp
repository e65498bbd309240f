// A `holidays` block's or a calendar's entries: dates, yearly and Easter
// rules, their years and observed shifts (docs/language.md, "Holidays").
#include "compiler/ast_builder.h"

#include <algorithm>
#include <array>
#include <string>

#include <fmt/format.h>

#include "grammar/policy_grammar.h"
#include "model/holiday_days.h"

namespace callpolicy::detail {

namespace g = callpolicy::grammar;

std::optional<std::pair<std::uint8_t, std::uint8_t>> ast_builder::day_of_year(const node& month_day) {
  const std::string t = month_day.string();
  const unsigned month = static_cast<unsigned>(std::stoi(t.substr(0, 2)));
  const unsigned day = static_cast<unsigned>(std::stoi(t.substr(3, 2)));
  if (!is_valid_civil(2000, month, day)) {  // a leap year, so 02-29 passes
    report<messages::not_a_day_of_the_year>(sink_, where(month_day), t);
    return std::nullopt;
  }
  return std::pair{static_cast<std::uint8_t>(month), static_cast<std::uint8_t>(day)};
}

std::vector<ast::holiday_entry> ast_builder::build_holiday_entries(const node& n) {
  std::vector<ast::holiday_entry> out;
  for (const auto& e : n.children) {
    ast::holiday_entry h;
    h.where = where(*e);
    h.rule.source.text = fmt::format("{}:{}", h.where.file, h.where.line);
    const node* rule = e.get();
    if (e->is_type<g::holiday_years>()) {
      rule = child_of<g::holiday_yearly>(*e);
      if (!rule) rule = child_of<g::holiday_easter>(*e);
      if (!rule || !build_holiday_years(*e, h.rule)) continue;
    }
    if (build_holiday_rule(*rule, h)) out.push_back(std::move(h));
  }
  return out;
}

bool ast_builder::build_holiday_years(const node& n, holiday_rule& rule) {
  const node* from = child_of<g::holiday_from_year>(n);
  const node* until = child_of<g::holiday_until_year>(n);
  // Year 0 would read as "unbounded" (holiday_rule's 0), and before 1583
  // the calendar these rules count in did not exist.
  for (const node* year : {from, until}) {
    if (year && std::stoi(year->string()) < 1583) {
      report<messages::year_before_gregorian>(sink_, where(*year), year->string());
      return false;
    }
  }
  if (from) rule.from_year = static_cast<std::int16_t>(std::stoi(from->string()));
  if (until) rule.until_year = static_cast<std::int16_t>(std::stoi(until->string()));
  if (from && until && rule.until_year < rule.from_year) {
    report<messages::years_end_before_start>(sink_, where(*until), from->string(), until->string());
    return false;
  }
  if (const node* every = child_of<g::holiday_every_count>(n)) {
    const std::string count = every->string();
    if (count.size() > 3 || std::stoi(count) < 2 || std::stoi(count) > 100) {
      report<messages::every_years_out_of_range>(sink_, where(*every), count);
      return false;
    }
    if (!from) {
      report<messages::every_years_without_start>(sink_, where(*every), count);
      return false;
    }
    rule.every_years = static_cast<std::uint8_t>(std::stoi(count));
  }
  return true;
}

bool ast_builder::build_holiday_observed(const node& n, holiday_rule& rule) {
  std::array<bool, 7> given{};
  for (const auto& shift : n.children) {
    const node* day = child_of<g::observed_day>(*shift);
    const node* target = child_of<g::observed_target>(*shift);
    if (!day || !target) return false;
    const int from = day_index(*day);
    const int to = day_index(*target);
    if (given[static_cast<std::size_t>(from)]) {
      report<messages::observed_day_twice>(sink_, where(*day), day->string());
      return false;
    }
    if (from == to) {
      report<messages::observed_moves_nothing>(sink_, where(*shift), day->string(), target->string());
      return false;
    }
    given[static_cast<std::size_t>(from)] = true;
    rule.observed[static_cast<std::size_t>(from)] = observed_shift_days(from, to);
  }
  return true;
}

bool ast_builder::build_holiday_rule(const node& e, ast::holiday_entry& h) {
  if (const node* label = child_of<g::holiday_label>(e)) h.rule.label = string_value(*label);
  if (const node* observed = child_of<g::holiday_observed>(e)) {
    if (!build_holiday_observed(*observed, h.rule)) return false;
  }
  if (e.is_type<g::holiday_use>()) {
    h.type = ast::holiday_entry::kind::use;
    if (const node* s = child_of<g::slug>(e)) h.calendar = s->string();
  } else if (e.is_type<g::holiday_dated>()) {
    h.type = ast::holiday_entry::kind::dates;
    h.rule.type = holiday_rule::kind::dates;
    const auto dates = dates_of(e);
    if (!dates) return false;
    h.rule.dates = *dates;
  } else if (e.is_type<g::holiday_easter>()) {
    h.type = ast::holiday_entry::kind::easter;
    h.rule.type = holiday_rule::kind::easter;
    h.rule.orthodox = child_of<g::easter_orthodox>(e) != nullptr;
    if (const node* o = child_of<g::easter_offset>(e)) {
      const std::string text = o->string();
      const std::string digits = text.substr(1);
      const long long days = digits.size() > 4 ? 100000 : std::stoll(digits);
      if (days > max_easter_offset) {
        report<messages::easter_offset_too_far>(sink_, where(*o), text, max_easter_offset);
        return false;
      }
      h.rule.offset = static_cast<std::int16_t>(text[0] == '-' ? -days : days);
    }
  } else if (e.is_type<g::holiday_yearly>()) {
    // `1st mon of sep`, a rule's day or a counted weekday's anchor.
    const auto read_nth_weekday = [](const node& nth, std::int8_t& ordinal_out, std::uint8_t& weekday,
                                     std::uint8_t& month_out) {
      const std::string ordinal = child_of<g::ordinal>(nth)->string();
      ordinal_out = ordinal == "last" ? -1 : static_cast<std::int8_t>(ordinal[0] - '0');
      weekday = static_cast<std::uint8_t>(day_index(*child_of<g::nth_weekday_day>(nth)));
      static constexpr std::array<std::string_view, 12> months{
          "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
      const std::string month = child_of<g::month_name>(nth)->string();
      month_out = static_cast<std::uint8_t>(std::find(months.begin(), months.end(), month) - months.begin() + 1);
    };
    if (const node* beside = child_of<g::weekday_beside>(e)) {
      const node& anchor = *child_of<g::beside_anchor>(*beside);
      h.type = ast::holiday_entry::kind::yearly_beside;
      h.rule.type = child_of<g::beside_before>(*beside) ? holiday_rule::kind::yearly_before
                                                          : holiday_rule::kind::yearly_after;
      h.rule.weekday = static_cast<std::uint8_t>(day_index(*child_of<g::beside_day>(*beside)));
      if (const node* count = child_of<g::beside_ordinal>(e)) h.rule.nth = static_cast<std::int8_t>(count->string()[0] - '0');
      if (const node* nth = child_of<g::nth_weekday>(anchor)) {
        read_nth_weekday(*nth, h.rule.anchor_nth, h.rule.anchor_weekday, h.rule.month);
      } else {
        const auto date = day_of_year(anchor);
        if (!date) return false;
        std::tie(h.rule.month, h.rule.day) = *date;
      }
    } else if (const node* md = child_of<g::month_day>(e)) {
      const auto date = day_of_year(*md);
      if (!date) return false;
      h.type = ast::holiday_entry::kind::yearly_date;
      h.rule.type = holiday_rule::kind::yearly_date;
      std::tie(h.rule.month, h.rule.day) = *date;
    } else if (const node* nth = child_of<g::nth_weekday>(e)) {
      h.type = ast::holiday_entry::kind::yearly_nth;
      h.rule.type = holiday_rule::kind::yearly_nth;
      read_nth_weekday(*nth, h.rule.nth, h.rule.weekday, h.rule.month);
    } else {
      return false;
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace callpolicy::detail
