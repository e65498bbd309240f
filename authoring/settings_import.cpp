#include "authoring/settings_import.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "authoring/formatter.h"
#include "compiler/canonical.h"
#include "compiler/compiler.h"
#include "compiler/parser.h"
#include "model/phone_numbers.h"

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

namespace {

// A value from the settings as an error shows it: control characters
// escaped, cut short, so that the message stays one readable line.
std::string printable(std::string_view value) {
  std::string out;
  for (const char c : value.substr(0, 80)) {
    if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  if (value.size() > 80) out += "...";
  return out;
}

// Where a JSON syntax error is, as line:column of the text.
std::string json_position(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}", line, column);
}

}  // namespace

import_result import_settings(std::string_view json_text, const std::string& clinic_id,
                              const std::string& clinic_name) {
  import_options options;
  options.clinic_id = clinic_id;
  options.clinic_name = clinic_name;
  return import_settings(json_text, options);
}

import_result import_settings(std::string_view json_text, const import_options& options) {
  import_result result;
  importer in;
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    // nlohmann's byte is one past the offending character.
    const std::string message = e.what();
    const auto reason = message.find("syntax error");
    result.errors.push_back(fmt::format("/: not valid JSON at {}: {}",
                                        json_position(json_text, e.byte > 0 ? e.byte - 1 : 0),
                                        reason == std::string::npos ? message : message.substr(reason)));
    return result;
  }
  if (!root.is_object()) {
    result.errors.push_back("/: expected an object");
    return result;
  }
  in.check_keys(root, "", {"mode", "afterHours", "highVolume", "customSchedule", "fallback"});
  static const std::set<std::string> modes{"always", "after-hours-only", "overflow-only", "scheduled", "disabled"};
  const auto mode_value = in.text(root, "mode", "/mode", true);
  if (mode_value && !modes.count(*mode_value)) {
    in.error("/mode", "expected always, after-hours-only, overflow-only, scheduled or disabled");
  }
  const std::string mode = mode_value && modes.count(*mode_value) ? *mode_value : "always";

  std::vector<std::string> lines;
  auto add = [&](std::string line) { lines.push_back("  " + std::move(line)); };
  // A setting the mode never reads is kept as a comment: the policy says
  // what decides its calls, and the reader still sees what was set.
  auto unread = [&](std::string_view what) {
    add(fmt::format("# {} is not read by mode '{}'; left out", what, mode));
  };
  if (!options.clinic_name.empty()) add("name " + callpolicy::quoted(options.clinic_name));

  // The zone comes from business hours: the only place the settings name one.
  std::optional<std::string> timezone;
  std::vector<std::pair<day_mask, std::string>> hours;  // days -> windows, in weekday order of their first day
  std::vector<day_number> holidays;
  if (const json* after = in.object(root, "afterHours", "/afterHours", {"enabled", "businessHours"})) {
    in.boolean(*after, "enabled", "/afterHours/enabled");
    if (const json* business = in.object(*after, "businessHours", "/afterHours/businessHours",
                                         {"timezone", "schedule", "holidays"})) {
      timezone = in.text(*business, "timezone", "/afterHours/businessHours/timezone", options.timezone.empty());
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
          auto close = in.clock(*day, "close", pointer + "/close", true);
          if (!open || !close) continue;
          // "23:59" is how a form without 24:00 says "until midnight".
          if (*close == minutes_per_day - 1) close = static_cast<std::uint16_t>(minutes_per_day);
          if (*open == *close) {
            in.error(pointer, "open and close are the same time");
            continue;
          }
          // A close before the open crosses midnight (the design's string
          // comparison would have made such a day never open).
          const std::string windows = canonical_window({*open, *close});
          const auto same = std::find_if(hours.begin(), hours.end(), [&](const auto& h) { return h.second == windows; });
          if (same != hours.end()) {
            same->first |= day_bit(d);
          } else {
            hours.emplace_back(day_bit(d), windows);
          }
        }
      }
      const auto list = business->find("holidays");
      if (list != business->end() && !list->is_null()) {
        if (!list->is_array()) {
          in.error("/afterHours/businessHours/holidays", "expected an array of dates");
        } else {
          for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string pointer = fmt::format("/afterHours/businessHours/holidays/{}", i);
            // A date, or a JavaScript timestamp of one ("2026-12-25T00:00:00.000Z"):
            // the date as written is the holiday.
            const std::string value = (*list)[i].is_string() ? (*list)[i].get<std::string>() : std::string();
            const bool timestamp = value.size() > 10 && value[10] == 'T' && parse_date_time(value.substr(0, 16));
            const auto parsed = value.size() >= 10 ? parse_date_time(value.substr(0, 10) + "T00:00") : std::nullopt;
            if (!parsed || (value.size() != 10 && !timestamp)) {
              in.error(pointer, "expected a date like 2026-12-25");
              continue;
            }
            holidays.push_back(parsed->date);
          }
        }
      }
    }
  }
  if (!options.timezone.empty()) timezone = options.timezone;
  if (!timezone && in.errors.empty()) {
    in.error("/afterHours/businessHours/timezone", "required: the policy needs the clinic's time zone");
  }
  if (timezone) add("timezone " + callpolicy::quoted(*timezone));
  if (options.ported.empty() && options.forwarded.empty() && options.sip.empty()) {
    add("# numbers { ported +1...  forwarded +1...  sip " + options.clinic_id + " }");
  } else {
    std::string numbers = "numbers {";
    const auto list = [&](std::string_view kind, const std::vector<std::string>& values) {
      if (values.empty()) return;
      numbers += fmt::format(" {}", kind);
      for (std::size_t i = 0; i < values.size(); ++i) numbers += (i ? ", " : " ") + values[i];
    };
    list("ported", options.ported);
    list("forwarded", options.forwarded);
    list("sip", options.sip);
    add(numbers + " }");
  }
  // Hours and holidays decide after-hours-only calls, and every mode that
  // reaches the AI tells it whether the clinic is open and when it opens.
  const bool reads_hours = mode != "disabled";
  if (!hours.empty() && reads_hours) {
    std::sort(hours.begin(), hours.end(), [](const auto& a, const auto& b) {
      return (a.first & -a.first) < (b.first & -b.first);  // by the first day of each group
    });
    add("hours {");
    for (const auto& [days, windows] : hours) add("  " + canonical_days(days) + " " + windows);
    add("}");
  } else if (!hours.empty()) {
    unread("afterHours.businessHours.schedule");
  }
  std::sort(holidays.begin(), holidays.end());
  holidays.erase(std::unique(holidays.begin(), holidays.end()), holidays.end());
  if (!holidays.empty() && reads_hours) {
    add("holidays {");
    // Consecutive dates (a winter break) as one range.
    for (std::size_t i = 0; i < holidays.size();) {
      std::size_t j = i;
      while (j + 1 < holidays.size() && holidays[j + 1] == holidays[j] + 1) ++j;
      add("  " + canonical_dates({holidays[i], holidays[j]}));
      i = j + 1;
    }
    add("}");
  } else if (!holidays.empty()) {
    unread("afterHours.businessHours.holidays");
  }
  std::optional<long long> threshold;
  std::optional<long long> wait_minutes;
  if (const json* volume = in.object(root, "highVolume", "/highVolume",
                                     {"enabled", "threshold", "estimatedWaitMinutes"})) {
    in.boolean(*volume, "enabled", "/highVolume/enabled");
    wait_minutes = in.integer(*volume, "estimatedWaitMinutes", "/highVolume/estimatedWaitMinutes", 0, 1440);
    threshold = in.integer(*volume, "threshold", "/highVolume/threshold", 1, 10000);
  }
  // 0 offers no callback, as the design's default.
  if (wait_minutes == 0) wait_minutes.reset();
  if (wait_minutes && mode != "overflow-only") unread("highVolume.estimatedWaitMinutes");
  if (mode == "overflow-only") {
    if (threshold) {
      add(fmt::format("overflow {}", *threshold));
    } else {
      in.error("/highVolume/threshold", "required by mode overflow-only: the number of calls at which the AI answers");
    }
  } else if (threshold && mode != "always" && mode != "disabled") {
    unread("highVolume.threshold");
  }
  struct schedule_entry {
    std::string action;
    day_mask days = 0;
    std::string windows;  // " 09:00-17:00", or empty for the whole day
  };
  std::vector<schedule_entry> schedule_lines;
  if (const json* custom = in.object(root, "customSchedule", "/customSchedule", {"enabled", "rules"})) {
    in.boolean(*custom, "enabled", "/customSchedule/enabled");
    const auto rules = custom->find("rules");
    if (rules != custom->end() && !rules->is_array()) in.error("/customSchedule/rules", "expected an array");
    if (rules != custom->end() && rules->is_array()) {
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
        auto end = in.clock(rule, "endTime", pointer + "/endTime", true);
        const auto action = in.text(rule, "action", pointer + "/action", true);
        if (action && *action != "enable" && *action != "disable") {
          in.error(pointer + "/action", "expected enable or disable");
          continue;
        }
        if (!start || !end || !action) continue;
        if (*end == minutes_per_day - 1) end = static_cast<std::uint16_t>(minutes_per_day);
        if (*start == *end) {
          in.error(pointer, "startTime and endTime are the same time");
          continue;
        }
        // dayOfWeek counts from Sunday = 0, as JavaScript's getDay().
        const int weekday = static_cast<int>((*day + 6) % 7);
        // 00:00-24:00 is the whole day, which a schedule line says without a window.
        const bool whole_day = *start == 0 && *end == minutes_per_day;
        const std::string windows = whole_day ? "" : " " + canonical_window({*start, *end});
        // Rules side by side with the same action and window are one line
        // over their days: nothing can come between them.
        if (!schedule_lines.empty() && schedule_lines.back().action == *action &&
            schedule_lines.back().windows == windows) {
          schedule_lines.back().days |= day_bit(weekday);
        } else {
          schedule_lines.push_back({*action, day_bit(weekday), windows});
        }
      }
    }
  }
  std::string mode_line = "mode " + mode;
  if (mode == "scheduled" && schedule_lines.empty()) {
    // The design's check finds no rule and answers "scheduled-off": every
    // call goes to the fallback, which the language says as `disabled`.
    add("# mode scheduled with no customSchedule rules: the AI never answers");
    mode_line = "mode disabled";
  } else if (mode == "scheduled") {
    add("schedule {");
    for (const schedule_entry& l : schedule_lines) add(fmt::format("  {} {}{}", l.action, canonical_days(l.days), l.windows));
    add("}");
  } else if (!schedule_lines.empty()) {
    unread("customSchedule.rules");
  }
  if (mode == "overflow-only" && wait_minutes) {
    // "When to offer callback": the mode's own rules, with a callback offer
    // first when the staff's wait is long (docs/tooling.md, "import").
    add("route {");
    add(fmt::format("  overflow and wait > {}m -> callback", *wait_minutes));
    add("  overflow -> ai as \"overflow\"");
    add("  otherwise -> fallback as \"under-capacity\"");
    add("}");
  } else {
    add(mode_line);
  }
  if (const json* fallback = in.object(root, "fallback", "/fallback", {"type", "forwardNumber", "voicemailGreeting"})) {
    const auto type = in.text(*fallback, "type", "/fallback/type", true);
    static const std::map<std::string, std::string> types{
        {"voicemail", "voicemail"}, {"forward", "forward"}, {"busy-signal", "busy"}};
    if (type && !types.count(*type)) in.error("/fallback/type", "expected voicemail, forward or busy-signal");
    if (type && types.count(*type)) add("fallback " + types.at(*type));
    const auto number = in.text(*fallback, "forwardNumber", "/fallback/forwardNumber");
    if (number && !is_e164(*number)) {
      // Pasted into the policy, a value that is not a number could be policy
      // text of its own: refused, never written.
      in.error("/fallback/forwardNumber", fmt::format("'{}' is not an E.164 number: '+' then 8 to 15 digits, "
                                                      "the first not 0",
                                                      printable(*number)));
    } else if (number) {
      add("forward " + *number);
    } else if (type == "forward") {
      in.error("/fallback/forwardNumber", "required when /fallback/type is forward: the number staff answer on");
    }
    if (const auto greeting = in.text(*fallback, "voicemailGreeting", "/fallback/voicemailGreeting")) {
      add("voicemail { greeting " + callpolicy::quoted(*greeting) + " }");
    }
  }
  if (!in.errors.empty()) {
    result.errors = std::move(in.errors);
    return result;
  }
  std::string text = "# Imported from AvailabilitySettings.\nclinic " + options.clinic_id + " {\n";
  for (const std::string& l : lines) text += l + "\n";
  text += "}\n";
  // What is written must compile: a policy `check` refuses is never handed out.
  source_set sources;
  sources.files.push_back({"imported.policy", text});
  diagnostic_sink sink;
  compile_output compiled = compile_sources(sources, {}, sink);
  for (const diagnostic& d : sink.all()) {
    if (d.level != severity::error) continue;
    result.errors.push_back(
        fmt::format("(the policy it would give, {}:{}): {}", d.where.line, d.where.column, d.message));
  }
  if (!result.errors.empty() || compiled.files.empty()) return result;
  result.policy = format_policy(compiled.files.front(), text);
  return result;
}

}  // namespace callpolicy
