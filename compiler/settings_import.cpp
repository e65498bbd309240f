#include "compiler/settings_import.h"

#include <array>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/canonical.h"
#include "compiler/formatter.h"
#include "compiler/parser.h"

namespace callpolicy {
namespace {

using json = nlohmann::json;

class importer {
 public:
  std::vector<std::string> errors;

  void error(const std::string& pointer, const std::string& message) {
    errors.push_back(fmt::format("{}: {}", pointer.empty() ? "/" : pointer, message));
  }

  // The object at `pointer`, with every key checked against `known`.
  const json* object(const json& parent, const std::string& key, const std::string& pointer,
                     std::initializer_list<const char*> known, bool required = false) {
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) {
      if (required) error(pointer, "required");
      return nullptr;
    }
    if (!it->is_object()) {
      error(pointer, "expected an object");
      return nullptr;
    }
    check_keys(*it, pointer, known);
    return &*it;
  }

  void check_keys(const json& j, const std::string& pointer, std::initializer_list<const char*> known) {
    for (const auto& item : j.items()) {
      const std::string& k = item.key();
      if (std::find_if(known.begin(), known.end(), [&](const char* n) { return k == n; }) == known.end()) {
        error(pointer + "/" + k, "unknown field");
      }
    }
  }

  std::optional<std::string> text(const json& parent, const char* key, const std::string& pointer,
                                  bool required = false) {
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) {
      if (required) error(pointer, "required");
      return std::nullopt;
    }
    if (!it->is_string()) {
      error(pointer, "expected a string");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::optional<bool> boolean(const json& parent, const char* key, const std::string& pointer) {
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) {
      error(pointer, "expected true or false");
      return std::nullopt;
    }
    return it->get<bool>();
  }

  std::optional<long long> integer(const json& parent, const char* key, const std::string& pointer,
                                   long long min, long long max) {
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max) {
      error(pointer, fmt::format("expected a whole number from {} to {}", min, max));
      return std::nullopt;
    }
    return it->get<long long>();
  }

  std::optional<std::uint16_t> clock(const json& parent, const char* key, const std::string& pointer,
                                     bool may_be_24) {
    const auto t = text(parent, key, pointer, true);
    if (!t) return std::nullopt;
    const auto parsed = parse_date_time("2000-01-01T" + *t);
    if (t->size() == 5 && *t == "24:00" && may_be_24) return static_cast<std::uint16_t>(minutes_per_day);
    if (t->size() != 5 || !parsed) {
      error(pointer, "expected a time like 09:00");
      return std::nullopt;
    }
    return static_cast<std::uint16_t>(parsed->seconds / 60);
  }
};

}  // namespace

import_result import_settings(std::string_view json_text, const std::string& clinic_id,
                              const std::string& clinic_name) {
  import_result result;
  importer in;
  const json root = json::parse(json_text, nullptr, false);
  if (root.is_discarded()) {
    result.errors.push_back("/: not valid JSON");
    return result;
  }
  if (!root.is_object()) {
    result.errors.push_back("/: expected an object");
    return result;
  }
  in.check_keys(root, "", {"mode", "afterHours", "highVolume", "customSchedule", "fallback"});

  std::vector<std::string> lines;
  auto add = [&](std::string line) { lines.push_back("  " + std::move(line)); };
  if (!clinic_name.empty()) add("name " + callpolicy::quoted(clinic_name));

  // The zone comes from business hours: the only place the settings name one.
  std::optional<std::string> timezone;
  std::map<std::string, day_mask> hours;  // windows text -> days
  std::vector<day_number> holidays;
  if (const json* after = in.object(root, "afterHours", "/afterHours", {"enabled", "businessHours"})) {
    in.boolean(*after, "enabled", "/afterHours/enabled");
    if (const json* business = in.object(*after, "businessHours", "/afterHours/businessHours",
                                         {"timezone", "schedule", "holidays"})) {
      timezone = in.text(*business, "timezone", "/afterHours/businessHours/timezone", true);
      static constexpr std::array<const char*, 7> days{"monday", "tuesday", "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};
      if (const json* schedule = in.object(*business, "schedule", "/afterHours/businessHours/schedule",
                                           {"monday", "tuesday", "wednesday", "thursday", "friday",
                                            "saturday", "sunday"})) {
        for (int d = 0; d < 7; ++d) {
          const std::string pointer = std::string("/afterHours/businessHours/schedule/") + days[d];
          const json* day = in.object(*schedule, days[d], pointer, {"open", "close"});
          if (!day) continue;  // null: closed
          const auto open = in.clock(*day, "open", pointer + "/open", false);
          const auto close = in.clock(*day, "close", pointer + "/close", true);
          if (!open || !close) continue;
          if (*open == *close) {
            in.error(pointer, "open and close are the same time");
            continue;
          }
          // A close before the open crosses midnight (the design's string
          // comparison would have made such a day never open).
          hours[canonical_window({*open, *close})] |= day_bit(d);
        }
      }
      const auto list = business->find("holidays");
      if (list != business->end() && !list->is_null()) {
        if (!list->is_array()) {
          in.error("/afterHours/businessHours/holidays", "expected an array of dates");
        } else {
          for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string pointer = fmt::format("/afterHours/businessHours/holidays/{}", i);
            const auto parsed = (*list)[i].is_string()
                                    ? parse_date_time((*list)[i].get<std::string>() + "T00:00")
                                    : std::nullopt;
            if (!parsed || (*list)[i].get<std::string>().size() != 10) {
              in.error(pointer, "expected a date like 2026-12-25");
              continue;
            }
            holidays.push_back(parsed->date);
          }
        }
      }
    }
  }
  if (!timezone && in.errors.empty()) {
    in.error("/afterHours/businessHours/timezone", "required: the policy needs the clinic's time zone");
  }
  if (timezone) add("timezone " + callpolicy::quoted(*timezone));
  add("# numbers { ported +1...  forwarded +1...  sip " + clinic_id + " }");
  if (!hours.empty()) {
    add("hours {");
    for (const auto& [windows, days] : hours) add("  " + canonical_days(days) + " " + windows);
    add("}");
  }
  if (!holidays.empty()) {
    add("holidays {");
    for (day_number d : holidays) add("  " + format_date(d));
    add("}");
  }
  if (const json* volume = in.object(root, "highVolume", "/highVolume",
                                     {"enabled", "threshold", "estimatedWaitMinutes"})) {
    in.boolean(*volume, "enabled", "/highVolume/enabled");
    in.integer(*volume, "estimatedWaitMinutes", "/highVolume/estimatedWaitMinutes", 0, 1440);
    if (const auto threshold = in.integer(*volume, "threshold", "/highVolume/threshold", 1, 10000)) {
      add(fmt::format("overflow {}", *threshold));
    }
  }
  if (const json* custom = in.object(root, "customSchedule", "/customSchedule", {"enabled", "rules"})) {
    in.boolean(*custom, "enabled", "/customSchedule/enabled");
    const auto rules = custom->find("rules");
    if (rules != custom->end() && !rules->is_array()) in.error("/customSchedule/rules", "expected an array");
    if (rules != custom->end() && rules->is_array() && !rules->empty()) {
      add("schedule {");
      for (std::size_t i = 0; i < rules->size(); ++i) {
        const std::string pointer = fmt::format("/customSchedule/rules/{}", i);
        const json& rule = (*rules)[i];
        if (!rule.is_object()) {
          in.error(pointer, "expected an object");
          continue;
        }
        in.check_keys(rule, pointer, {"dayOfWeek", "startTime", "endTime", "action"});
        const auto day = in.integer(rule, "dayOfWeek", pointer + "/dayOfWeek", 0, 6);
        if (!day) {
          if (!rule.contains("dayOfWeek")) in.error(pointer + "/dayOfWeek", "required");
          continue;
        }
        const auto start = in.clock(rule, "startTime", pointer + "/startTime", false);
        const auto end = in.clock(rule, "endTime", pointer + "/endTime", true);
        const auto action = in.text(rule, "action", pointer + "/action", true);
        if (action && *action != "enable" && *action != "disable") {
          in.error(pointer + "/action", "expected enable or disable");
          continue;
        }
        if (!start || !end || !action) continue;
        if (*start == *end) {
          in.error(pointer, "startTime and endTime are the same time");
          continue;
        }
        // dayOfWeek counts from Sunday = 0, as JavaScript's getDay().
        const int weekday = static_cast<int>((*day + 6) % 7);
        add(fmt::format("  {} {} {}", *action, weekday_name(weekday), canonical_window({*start, *end})));
      }
      add("}");
    }
  }
  const auto mode = in.text(root, "mode", "/mode", true);
  static const std::set<std::string> modes{"always", "after-hours-only", "overflow-only", "scheduled", "disabled"};
  if (mode && !modes.count(*mode)) in.error("/mode", "expected always, after-hours-only, overflow-only, scheduled or disabled");
  if (mode && modes.count(*mode)) add("mode " + *mode);
  if (const json* fallback = in.object(root, "fallback", "/fallback", {"type", "forwardNumber", "voicemailGreeting"})) {
    const auto type = in.text(*fallback, "type", "/fallback/type", true);
    static const std::map<std::string, std::string> types{
        {"voicemail", "voicemail"}, {"forward", "forward"}, {"busy-signal", "busy"}};
    if (type && !types.count(*type)) in.error("/fallback/type", "expected voicemail, forward or busy-signal");
    if (type && types.count(*type)) add("fallback " + types.at(*type));
    if (const auto number = in.text(*fallback, "forwardNumber", "/fallback/forwardNumber")) {
      add("forward " + *number);
    }
    if (const auto greeting = in.text(*fallback, "voicemailGreeting", "/fallback/voicemailGreeting")) {
      add("voicemail { greeting " + callpolicy::quoted(*greeting) + " }");
    }
  }
  if (!in.errors.empty()) {
    result.errors = std::move(in.errors);
    return result;
  }
  std::string text = "# Imported from AvailabilitySettings.\nclinic " + clinic_id + " {\n";
  for (const std::string& l : lines) text += l + "\n";
  text += "}\n";
  diagnostic_sink sink;
  const ast::policy_file parsed = parse_policy("imported.policy", text, sink);
  for (const diagnostic& d : sink.all()) {
    if (d.level == severity::error) result.errors.push_back(fmt::format("{}: {}", "(generated policy)", d.message));
  }
  if (!result.errors.empty()) return result;
  result.policy = format_policy(parsed, text);
  return result;
}

}  // namespace callpolicy
