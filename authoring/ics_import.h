// `callpolicy import-ics`: a clinic's exported closures as a `calendar`
// block (docs/tooling.md, "import-ics"). Whole-day closures become dated
// holidays and ranges, a yearly one a `yearly` rule where libical's own
// expansion of it matches the rule day for day; closures of part of a day
// become the clinic's special hours (its hours less the closure), which a
// calendar cannot hold, so they are written as a `special` block in a
// comment for the clinic's file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/compiled_policy.h"

namespace callpolicy {

struct ics_import_options {
  std::string calendar;     // the calendar's name, a slug
  std::string source_name;  // the file as given, for messages and the header
  day_number first = 0;     // the dates imported, both included
  day_number last = 0;
  // The clinic whose hours and zone a closure of part of a day is read
  // against; without one such closures are only reported.
  const compiled_clinic* clinic = nullptr;
};

struct ics_import_result {
  std::string policy;                // formatted; empty after an error
  std::vector<std::string> notes;    // "closures.ics:12: note: ..."
  std::optional<std::string> error;  // "closures.ics:12: error: ..."
};

ics_import_result import_ics(std::string_view text, const ics_import_options& options);

}  // namespace callpolicy
