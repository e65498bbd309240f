#include "authoring/settings_export.h"

#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/canonical.h"

namespace callpolicy {

namespace {

// The minutes N of the route `import` writes for highVolume.estimatedWaitMinutes:
//   overflow and wait > Nm -> callback
//   overflow               -> ai       as "overflow"
//   otherwise              -> fallback as "under-capacity"
// judged by what the tree does, not how it is written: its two predicates
// (the overflow threshold, a wait of whole minutes) and its leaf for each
// of their four combinations.
std::optional<std::uint32_t> callback_wait_minutes(const compiled_clinic& c) {
  if (c.mode != "route" || !c.overflow_threshold || c.predicates.size() != 2 || c.transfer.configured) return {};
  const auto find = [&](predicate::kind kind) -> std::optional<std::uint32_t> {
    for (std::uint32_t i = 0; i < c.predicates.size(); ++i) {
      if (c.predicates[i].type == kind) return i;
    }
    return std::nullopt;
  };
  const auto overflow = find(predicate::kind::calls_at_least);
  const auto wait = find(predicate::kind::wait_above);
  if (!overflow || !wait || c.predicates[*overflow].threshold != static_cast<std::int32_t>(*c.overflow_threshold)) {
    return {};
  }
  const std::int32_t seconds = c.predicates[*wait].threshold;
  if (seconds <= 0 || seconds % 60 != 0) return {};
  const auto leaf_at = [&](bool over, bool long_wait) -> const tree_leaf* {
    tree_target t = c.root;
    for (std::size_t steps = 0; !is_leaf(t); ++steps) {
      if (t < 0 || static_cast<std::size_t>(t) >= c.nodes.size() || steps > c.nodes.size()) return nullptr;
      const tree_node& n = c.nodes[static_cast<std::size_t>(t)];
      t = (n.predicate == *overflow ? over : long_wait) ? n.if_true : n.if_false;
    }
    const auto leaf = static_cast<std::size_t>(leaf_index(t));
    return leaf < c.leaves.size() ? &c.leaves[leaf] : nullptr;
  };
  const auto is = [](const tree_leaf* l, action_kind action, std::string_view reason) {
    return l && l->action == action && l->reason == reason;
  };
  const std::string offer = fmt::format("overflow and wait > {}m", seconds / 60);
  const bool matches = is(leaf_at(true, true), action_kind::callback, offer) &&
                       is(leaf_at(true, false), action_kind::ai, "overflow") &&
                       is(leaf_at(false, true), c.fallback, "under-capacity") &&
                       is(leaf_at(false, false), c.fallback, "under-capacity");
  if (!matches) return {};
  return static_cast<std::uint32_t>(seconds / 60);
}

}  // namespace

export_result export_settings(const compiled_clinic& c) {
  using json = nlohmann::ordered_json;
  export_result out;
  const auto no_fit = [&](std::string why) { out.errors.push_back(std::move(why)); };
  const std::optional<std::uint32_t> wait_minutes = callback_wait_minutes(c);
  const std::string mode = wait_minutes ? "overflow-only" : c.mode;
  if (mode == "route") no_fit("a 'route' does not fit AvailabilitySettings, which know only the five modes");

  static constexpr std::array<const char*, 7> days{"monday", "tuesday", "wednesday", "thursday",
                                                   "friday", "saturday", "sunday"};
  json schedule = json::object();
  for (std::size_t d = 0; d < 7; ++d) {
    const std::vector<window>& windows = c.weekly_hours[d];
    if (windows.empty()) {
      schedule[days[d]] = nullptr;
    } else if (windows.size() > 1) {
      no_fit(fmt::format("{} has {} windows ({}); the settings hold one open-close pair a day", days[d], windows.size(),
                         canonical_windows(windows)));
    } else {
      schedule[days[d]] = {{"open", format_clock(windows[0].start)}, {"close", format_clock(windows[0].end)}};
    }
  }
  json holidays = json::array();
  for (const holiday_rule& h : c.holidays) {
    if (h.type != holiday_rule::kind::dates) {
      no_fit(fmt::format("the yearly holiday{} is no date; the settings list dates",
                         h.label.empty() ? std::string() : " '" + h.label + "'"));
      continue;
    }
    for (day_number d = h.dates.first; d <= h.dates.last; ++d) holidays.push_back(format_date(d));
  }
  if (!c.specials.empty()) no_fit("special days do not fit: the settings have no dated hours");

  json rules = json::array();
  for (const schedule_rule& r : c.schedule) {
    if (!r.days) {
      no_fit(fmt::format("the schedule line for {} is dated; the settings' rules are weekly", canonical_dates(*r.dates)));
      continue;
    }
    const std::vector<window> windows = r.windows.empty() ? std::vector<window>{{0, minutes_per_day}} : r.windows;
    for (int d = 0; d < 7; ++d) {
      if (!(*r.days & day_bit(d))) continue;
      for (const window& w : windows) {
        // dayOfWeek counts from Sunday = 0, as JavaScript's getDay().
        rules.push_back({{"dayOfWeek", (d + 1) % 7},
                         {"startTime", format_clock(w.start)},
                         {"endTime", format_clock(w.end)},
                         {"action", r.enable ? "enable" : "disable"}});
      }
    }
  }

  json fallback = json::object();
  switch (c.fallback) {
    case action_kind::voicemail:
      fallback["type"] = "voicemail";
      break;
    case action_kind::forward:
      fallback["type"] = "forward";
      fallback["forwardNumber"] = c.forward.number;
      break;
    case action_kind::busy:
      fallback["type"] = "busy-signal";
      break;
    default:
      no_fit(fmt::format("the fallback '{}' does not fit: the settings know voicemail, forward and busy-signal",
                         action_name(c.fallback)));
  }
  // The default greeting is the importer's too: written only when changed.
  if (c.voicemail.greeting != fmt::format("Thank you for calling {}. Please leave a message.", c.name)) {
    fallback["voicemailGreeting"] = c.voicemail.greeting;
  }
  // What the settings cannot say changes what callers hear: not exported.
  const compiled_clinic defaults;
  if (c.forward.say != defaults.forward.say || c.forward.timeout_seconds != defaults.forward.timeout_seconds ||
      c.forward.unanswered != defaults.forward.unanswered || !c.forward.caller_id.empty() ||
      !c.forward.screen.empty()) {
    no_fit("the forward's say, timeout, unanswered, caller-id or screen do not fit: the settings hold its number only");
  }
  if (c.menu.configured) no_fit("a 'menu' does not fit: the settings have no keypad menus");
  if (c.callback != defaults.callback) no_fit("the 'callback' block does not fit: the settings have none");
  if (wait_minutes && c.lines != *c.overflow_threshold) {
    no_fit("'lines' does not fit: the settings' estimated wait counts the overflow threshold's lines");
  }
  if (c.transfer.configured) no_fit("a 'transfer' block does not fit: the settings say nothing of the AI's transfers");
  if (c.unreachable != (c.forward.number.empty() ? action_kind::voicemail : action_kind::forward)) {
    no_fit("'unreachable' does not fit: the settings say nothing of calls when no server answers");
  }
  if (c.busy.reject || c.busy.say != defaults.busy.say) no_fit("the 'busy' block does not fit: the settings have none");
  if (c.ai.type != ai_config::kind::server_default) no_fit("the 'ai' block does not fit: the settings name no AI target");
  if (c.ai.timeout_seconds != ai_config{}.timeout_seconds || c.ai.unavailable != ai_config{}.unavailable ||
      c.ai.capacity != 0) {
    no_fit("the 'ai' block's timeout, unavailable or capacity does not fit: the settings have no AI leg");
  }
  if (!c.language.empty() || !c.voice.empty()) no_fit("'language' and 'voice' do not fit: the settings have neither");
  if (c.voicemail.max_seconds != defaults.voicemail.max_seconds) {
    no_fit("the voicemail's 'max' does not fit: the settings record 300 seconds");
  }
  if (!out.errors.empty()) return out;

  json settings{{"mode", mode},
                {"afterHours",
                 {{"enabled", mode == "after-hours-only"},
                  {"businessHours", {{"timezone", c.timezone}, {"schedule", schedule}, {"holidays", holidays}}}}},
                {"highVolume", {{"enabled", mode == "overflow-only"}}},
                {"customSchedule", {{"enabled", mode == "scheduled"}, {"rules", rules}}},
                {"fallback", fallback}};
  if (c.overflow_threshold) settings["highVolume"]["threshold"] = *c.overflow_threshold;
  if (wait_minutes) settings["highVolume"]["estimatedWaitMinutes"] = *wait_minutes;
  out.json = settings.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  return out;
}

}  // namespace callpolicy
