// `callpolicy import`: the AvailabilitySettings JSON of original-design.md to
// a policy in canonical layout. See docs/tooling.md for the mapping.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace callpolicy {

struct import_result {
  std::string policy;               // empty when there are errors
  std::vector<std::string> errors;  // "/json/pointer: message"
};

import_result import_settings(std::string_view json_text, const std::string& clinic_id,
                              const std::string& clinic_name);

}  // namespace callpolicy
