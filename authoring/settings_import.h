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

struct import_options {
  std::string clinic_id;
  std::string clinic_name;
  // Fills a zone the settings lack (the design's own default has no
  // businessHours) or replaces theirs.
  std::string timezone;
  // The settings carry no numbers; without these the policy has a comment
  // where its `numbers` block belongs.
  std::vector<std::string> ported, forwarded, sip;
};

// The policy is compiled before it is returned: settings that would give a
// policy with errors are refused (a JSON pointer and why), or, where the
// settings have a meaning the language says otherwise, written that way with
// a comment (a `scheduled` mode without rules never answers: `disabled`).
import_result import_settings(std::string_view json_text, const import_options& options);
import_result import_settings(std::string_view json_text, const std::string& clinic_id,
                              const std::string& clinic_name);

}  // namespace callpolicy
