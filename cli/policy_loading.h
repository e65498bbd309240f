// What every policy-reading command does first: read the paths, compile the
// set, and print diagnostics in the chosen format on stderr.
#pragma once

#include <chrono>
#include <memory>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "compiler/zones.h"
#include "runtime/policy_set.h"

namespace callpolicy::cli {

struct loaded_set {
  compile_output output;
  diagnostic_sink sink;
  source_texts texts;
  std::vector<std::string> io_errors;
};

loaded_set load_policies(const std::vector<std::string>& paths, const compile_options& options);

// "text" (with colour on a terminal unless NO_COLOR), "json", "sarif" or "github".
void print_diagnostics(const loaded_set& loaded, std::string_view format, std::FILE* out);
bool colour_for(std::FILE* stream);
// Prints I/O errors and returns true when there were any (the command exits 2).
bool report_io_errors(const loaded_set& loaded);

// What most commands do first: load the set, print its diagnostics as text on
// stderr, and stop when it cannot be used. Returns false after setting
// `exit_code` (2 for I/O errors, 1 for policy errors).
bool load_usable(const std::vector<std::string>& paths, loaded_set& loaded, int& exit_code);

// The runtime set of a usable compiled set (moved out of `loaded`); null
// after printing why and setting `exit_code` to 1.
std::shared_ptr<const policy_set> load_runtime(loaded_set& loaded, std::string_view command, int& exit_code);

// YYYY-MM-DD, for --today and --from.
std::optional<day_number> parse_date(std::string_view text);

// An `at` read in a zone: local times are resolved, Z/offset times are exact.
struct resolved_instant {
  std::chrono::sys_seconds instant{};
  local_resolution::kind type = local_resolution::kind::unique;
};
resolved_instant resolve_instant(const ast::date_time& at, const cctz::time_zone* zone);

}  // namespace callpolicy::cli
