// The calendars shipped inside the binary (calendars/, docs/language.md,
// "Built-in calendars"): each jurisdiction's public holidays, usable from any
// policy by name (`use ca-bc`) and listed by `callpolicy calendars`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast.h"
#include "model/diagnostic.h"
#include "model/time_types.h"

namespace callpolicy {

struct builtin_calendar {
  std::string_view name;   // `ca-bc`: the file's name, and the calendar's
  std::string_view title;  // the file's first comment line: "British Columbia: statutory holidays"
  const ast::calendar* source;
};

// Every built-in calendar, in name order; parsed once, on first use.
const std::vector<builtin_calendar>& builtin_calendars();
const builtin_calendar* find_builtin_calendar(std::string_view name);
// What parsing and resolving the built-in calendars reported: empty, or the
// binary was built from a broken calendars/ folder (a test holds it empty).
const std::vector<diagnostic>& builtin_calendar_problems();
// A built-in calendar's rules with `use` resolved; nullopt for no such calendar.
std::optional<std::vector<holiday_rule>> builtin_calendar_rules(std::string_view name);

}  // namespace callpolicy
