#include "model/holiday_text.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/holiday_days.h"

namespace callpolicy {

namespace {

std::string_view ordinal_word(int nth) {
  static constexpr std::array<std::string_view, 5> ordinals{"1st", "2nd", "3rd", "4th", "5th"};
  return nth == -1 ? std::string_view("last") : ordinals.at(static_cast<std::size_t>(nth - 1));
}

}  // namespace

std::string holiday_rule_text(const holiday_rule& rule) {
  static constexpr std::array<std::string_view, 12> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                           "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string head;
  switch (rule.type) {
    case holiday_rule::kind::dates: head = format_date_range(rule.dates); break;
    case holiday_rule::kind::yearly_date:
      head = fmt::format("yearly {:02}-{:02}", rule.month, rule.day);
      break;
    case holiday_rule::kind::yearly_before:
    case holiday_rule::kind::yearly_after: {
      const std::string anchor =
          rule.anchor_nth != 0
              ? fmt::format("{} {} of {}", ordinal_word(rule.anchor_nth), weekday_name(rule.anchor_weekday),
                            months.at(rule.month - 1u))
              : fmt::format("{:02}-{:02}", rule.month, rule.day);
      // `1st` and none both mean the nearest; each is written as it was.
      head = fmt::format("yearly {}{} {} {}", rule.nth >= 1 ? std::string(ordinal_word(rule.nth)) + " " : "",
                         weekday_name(rule.weekday), rule.type == holiday_rule::kind::yearly_before ? "before" : "after",
                         anchor);
      break;
    }
    case holiday_rule::kind::easter:
      head = rule.orthodox ? "orthodox-easter" : "easter";
      if (rule.offset != 0) head += fmt::format(" {:+}", rule.offset);
      break;
    case holiday_rule::kind::yearly_nth:
      head = fmt::format("yearly {} {} of {}", ordinal_word(rule.nth), weekday_name(rule.weekday),
                         months.at(rule.month - 1u));
      break;
  }
  std::string years;
  if (rule.from_year != 0) years += fmt::format("from {} ", rule.from_year);
  if (rule.until_year != 0) years += fmt::format("until {} ", rule.until_year);
  if (rule.every_years != 0) years += fmt::format("every {} years ", rule.every_years);
  return years + head;
}

std::string holiday_observed_text(const holiday_rule& rule) {
  std::string out;
  for (int d = 0; d < 7; ++d) {
    const int shift = rule.observed[static_cast<std::size_t>(d)];
    if (shift == 0) continue;
    out += fmt::format("{}{} -> {}", out.empty() ? " observed " : ", ", weekday_name(d), weekday_name((d + shift + 7) % 7));
  }
  return out;
}

std::string describe_holidays_on(const std::vector<holiday_rule>& rules, day_number date) {
  std::vector<std::string> described;  // each once: a calendar used twice lists its days twice
  for (const holiday_on_day& h : holidays_on(rules, date)) {
    std::string name = holiday_day_name(h);
    if (name.empty()) name = format_date(date);
    std::string rule = holiday_rule_text(*h.rule);
    if (h.observed) rule += holiday_observed_text(*h.rule);
    std::string text =
        fmt::format("{} ({}{}{})", name, rule, h.rule->source.text.empty() ? "" : ", ", h.rule->source.text);
    if (std::find(described.begin(), described.end(), text) == described.end()) described.push_back(std::move(text));
  }
  return fmt::format("{}", fmt::join(described, ", "));
}

}  // namespace callpolicy
