// What every policy-reading command does first: read the paths, compile the
// set, and print diagnostics in the chosen format on stderr.
#pragma once

#include <chrono>
#include <memory>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "model/zones.h"
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
bool load_usable(const std::vector<std::string>& paths, loaded_set& loaded, int& exit_code,
                 const compile_options& options = {});

// What a command acts on, so that it reports on that and nothing else:
// the files defining these clinics, the calendars they use,
// and with `tests` the files of its own paths holding tests and the clinics
// those name (a --context file's tests are not the command's). With
// neither, the command acts on the clinic it finds after loading (eval
// --to), and only errors that stop it are printed until then.
struct load_scope {
  std::vector<std::string> clinics;
  bool tests = false;
  // Files reported on as given (check PATH... --context DIR): every file
  // read from the command's own paths.
  bool given_paths = false;
};

struct scoped_set {
  loaded_set loaded;
  std::vector<std::string> left_out;  // files with errors that concern no clinic in scope
  std::set<std::string> files;        // the files in scope
  std::set<std::string> given;        // the files read from the command's own paths, not its --context
};

// Loads `paths` (and `context`, read for its calendars and clinics but never
// reported on) for a command acting on `scope`. A file with errors outside
// the scope is left out of the set with a warning naming it, unless the set
// cannot be formed without it. Prints the I/O errors and the files left
// out; the diagnostics of the files in scope are the caller's to print
// (print_scoped_diagnostics), once its scope is final. False, with
// `exit_code` set, when the command cannot go on.
bool load_scoped(const std::vector<std::string>& paths, const std::vector<std::string>& context,
                 const load_scope& scope, const compile_options& options, std::string_view command,
                 scoped_set& out, int& exit_code);
// load_scoped for a command whose scope is known before loading, then its
// diagnostics in text on stderr.
bool load_scoped_and_report(const std::vector<std::string>& paths, const load_scope& scope, std::string_view command,
                            scoped_set& out, int& exit_code, const std::vector<std::string>& context = {});
// The diagnostics of `loaded` in the files of `files` only.
void print_scoped_diagnostics(const loaded_set& loaded, const std::set<std::string>& files, std::string_view format,
                              std::FILE* stream);
// "callpolicy COMMAND: unknown clinic 'ID'", with the nearest clinic id of
// the set as a suggestion when one is close.
void report_unknown_clinic(std::string_view command, std::string_view id, const std::vector<ast::policy_file>& parsed);
// Adds the files of `clinic` (and the calendars it uses) to `files`.
void add_clinic_files(const std::vector<ast::policy_file>& parsed, std::string_view clinic,
                      std::set<std::string>& files);

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
