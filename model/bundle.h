// A bundle is the JSON of a compiled set (docs/language.md, "Diagnostics"): {"format": 1,
// "compiler_version": ..., "sources": [{file, sha256}], "calendars": [...],
// "clinics": [...]}. Reading refuses any other format with a clear message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/compiled_policy.h"

namespace callpolicy {

std::string write_bundle(const compiled_set& set);  // pretty-printed, ends with a newline

struct bundle_read_result {
  std::optional<compiled_set> set;
  std::string error;  // set when `set` is empty: what is wrong, with the JSON pointer if any
};
bundle_read_result read_bundle(std::string_view json_text);

}  // namespace callpolicy
