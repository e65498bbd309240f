#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/policy_loading.h"

namespace callpolicy::cli {

void add_check_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("check", "parse, compile and lint policies");
  struct options {
    std::vector<std::string> paths;
    std::string format = "text";
    bool strict = false;
    std::string today;
    std::string clinic;
    std::vector<std::string> context;
    bool quiet = false;
    bool allow_empty = false;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--format", opts->format, "text, json, sarif or github")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  command->add_flag("--strict", opts->strict, "warnings fail too");
  command->add_option("--today", opts->today, "the date past-dates lints compare with (YYYY-MM-DD)");
  command->add_option("--clinic", opts->clinic, "report on this clinic only (its file and the calendars it uses)");
  command->add_option("--context", opts->context,
                      "files or directories read for their calendars and clinics but not reported on "
                      "(a pre-commit hook checking only the changed files)");
  command->add_flag("-q,--quiet", opts->quiet, "no summary line");
  command->add_flag("--allow-empty", opts->allow_empty, "a set without clinics is no error");
  command->callback([opts, &exit_code] {
    compile_options options;
    if (!opts->today.empty()) {
      const auto today = parse_date(opts->today);
      if (!today) {
        std::fprintf(stderr, "callpolicy check: --today '%s' is not a date like 2026-12-24\n",
                     opts->today.c_str());
        exit_code = exit_usage;
        return;
      }
      options.today = *today;
    }
    options.require_clinic = !opts->allow_empty;
    options.set_name = opts->paths.front();
    load_scope scope;
    if (opts->clinic.empty()) {
      scope.given_paths = true;
    } else {
      scope.clinics.push_back(opts->clinic);
    }
    scoped_set scoped;
    int load_exit = exit_ok;
    load_scoped(opts->paths, opts->context, scope, options, "check", scoped, load_exit);
    if (load_exit == exit_usage) {
      exit_code = exit_usage;
      return;
    }
    if (!opts->clinic.empty() && scoped.files.empty()) {
      report_unknown_clinic("check", opts->clinic, scoped.loaded.output.files);
      exit_code = exit_findings;
      return;
    }
    // Machine formats go to stdout: they are the command's result.
    const bool machine = opts->format != "text";
    print_scoped_diagnostics(scoped.loaded, scoped.files, opts->format, machine ? stdout : stderr);
    std::size_t errors = 0;
    std::size_t warnings = 0;
    for (const diagnostic& d : scoped.loaded.sink.all()) {
      if (!scoped.files.count(d.where.file)) continue;
      (d.level == severity::error ? errors : warnings) += 1;
    }
    std::size_t files = 0;
    for (const auto& [path, text] : scoped.loaded.texts) files += scoped.files.count(path);
    if (!machine && !opts->quiet) {
      std::fputs(fmt::format("{} file{}: {} error{}, {} warning{}\n", files, files == 1 ? "" : "s", errors,
                             errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s")
                     .c_str(),
                 stderr);
    }
    exit_code = errors > 0 || (opts->strict && warnings > 0) ? exit_findings : exit_ok;
  });
}

}  // namespace callpolicy::cli
