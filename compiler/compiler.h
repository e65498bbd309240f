// The whole front end over a set of files: read, parse, check, compile.
// A set is every `*.policy` file under the given paths, treated as one
// (docs/tooling.md): calendars, clinic ids, numbers and SIP users are checked across it.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast.h"
#include "model/compiled_policy.h"
#include "model/diagnostic.h"
#include "model/time_types.h"

namespace callpolicy {

inline constexpr std::string_view compiler_version = "callpolicy 0.1.0";

struct source_file {
  std::string path;  // as given or found, used in diagnostics
  std::string text;
};

// Files and directories (recursively, `*.policy`, sorted by path). An
// unreadable or missing path is an I/O error: it goes into `io_errors` and the
// CLI exits 2.
struct source_set {
  std::vector<source_file> files;
  std::vector<std::string> io_errors;
};
// `-` reads standard input, as a file named `stdin_name`.
source_set read_sources(const std::vector<std::string>& paths);
inline constexpr std::string_view stdin_name = "<stdin>";

struct compile_options {
  day_number today = 0;  // for W-past-dates; 0 means the system clock's UTC date
  // Off: no lints, only what makes a set usable or not (errors). What a
  // plan compares has no use for warnings, and the exact lints are most of
  // the time a set of 10,000 clinics takes to compile.
  bool lints = true;
  // A set that will answer calls: one without a clinic is an error (E024),
  // since every call to it would hear "not in service". `set_name` names
  // the set where no file does (an empty directory).
  bool require_clinic = false;
  std::string set_name{};
};

struct compile_output {
  std::vector<ast::policy_file> files;  // parsed, for `test`, `fmt`, `instructions`
  compiled_set set;                     // complete only when the sink has no errors
};

// The clinic a test runs against: the one it names; else the only clinic of
// its own file; else the only clinic of the set. Empty when none applies.
std::string test_clinic_id(const ast::test_case& test, const ast::policy_file& file,
                           const std::vector<ast::policy_file>& set);

compile_output compile_sources(const source_set& sources, const compile_options& options,
                               diagnostic_sink& sink);

}  // namespace callpolicy
