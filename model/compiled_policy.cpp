#include "model/compiled_policy.h"

#include <algorithm>

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
}  // namespace

std::vector<day_number> expand_holidays(const std::vector<holiday_rule>& rules, int first_year,
                                        int last_year) {
  std::vector<day_number> dates;
  for (const holiday_rule& rule : rules) {
    switch (rule.type) {
      case holiday_rule::kind::dates:
        for (day_number d = rule.dates.first; d <= rule.dates.last; ++d) dates.push_back(d);
        break;
      case holiday_rule::kind::yearly_date:
        for (int y = first_year; y <= last_year; ++y) {
          if (is_valid_civil(y, rule.month, rule.day)) {
            dates.push_back(days_from_civil(y, rule.month, rule.day));
          }
        }
        break;
      case holiday_rule::kind::yearly_nth:
        for (int y = first_year; y <= last_year; ++y) {
          if (auto d = nth_weekday(y, rule.month, rule.nth, rule.weekday)) dates.push_back(*d);
        }
        break;
    }
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  return dates;
}

bool reaches_someone(const compiled_clinic& clinic, action_kind action) {
  if (action == action_kind::ai || action == action_kind::forward) return true;
  if (action != action_kind::menu) return false;
  // A menu's own actions are never a menu, so this goes one level deep.
  const menu_config& m = clinic.menu;
  const auto direct = [](action_kind a) { return a == action_kind::ai || a == action_kind::forward; };
  return direct(m.on_timeout) ||
         std::any_of(m.keys.begin(), m.keys.end(), [&](const auto& k) { return k && direct(*k); });
}

bool can_reach_ai(const compiled_clinic& clinic) {
  // A flow is at most a decision, then a menu key, then an unanswered forward.
  const auto after_forward = [&](action_kind a) {
    return a == action_kind::ai || (a == action_kind::forward && clinic.forward.unanswered == action_kind::ai);
  };
  const auto leads_to_ai = [&](action_kind a) {
    if (after_forward(a)) return true;
    if (a != action_kind::menu) return false;
    const menu_config& m = clinic.menu;
    return after_forward(m.on_timeout) ||
           std::any_of(m.keys.begin(), m.keys.end(), [&](const auto& k) { return k && after_forward(*k); });
  };
  return std::any_of(clinic.leaves.begin(), clinic.leaves.end(),
                     [&](const tree_leaf& leaf) { return leads_to_ai(leaf.action); });
}

std::string_view forward_caller_id(const compiled_clinic& clinic, bool caller_is_e164) {
  if (!clinic.forward.caller_id.empty()) return clinic.forward.caller_id;
  if (caller_is_e164) return {};
  if (!clinic.ported.empty()) return clinic.ported.front();
  if (!clinic.forwarded.empty()) return clinic.forwarded.front();
  return {};
}

via_kind default_via(const compiled_clinic& clinic) {
  if (clinic.ported.empty() && clinic.forwarded.empty() && !clinic.sip_users.empty()) return via_kind::sip;
  if (clinic.ported.empty() && !clinic.forwarded.empty()) return via_kind::forwarded;
  return via_kind::ported;
}

}  // namespace callpolicy
