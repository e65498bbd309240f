// `callpolicy export`: a compiled clinic back to the AvailabilitySettings
// JSON of original-design.md, where the policy fits that shape: a mode (no
// route), at most one window a day, holidays that are dates, weekly schedule
// lines, a voicemail, forward or busy fallback. What does not fit is named,
// not dropped: an export that loses a rule would change what callers get.
#pragma once

#include <string>
#include <vector>

#include "model/compiled_policy.h"

namespace callpolicy {

struct export_result {
  std::string json;                 // pretty-printed; empty when it does not fit
  std::vector<std::string> errors;  // what does not fit, one line each
};

export_result export_settings(const compiled_clinic& clinic);

}  // namespace callpolicy
