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
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--format", opts->format, "text, json, sarif or github")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  command->add_flag("--strict", opts->strict, "warnings fail too");
  command->add_option("--today", opts->today, "the date past-dates lints compare with (YYYY-MM-DD)");
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
    loaded_set loaded = load_policies(opts->paths, options);
    if (report_io_errors(loaded)) {
      exit_code = exit_usage;
      return;
    }
    // Machine formats go to stdout: they are the command's result.
    const bool machine = opts->format != "text";
    print_diagnostics(loaded, opts->format, machine ? stdout : stderr);
    const std::size_t errors = loaded.sink.error_count();
    const std::size_t warnings = loaded.sink.warning_count();
    if (!machine) {
      std::fputs(fmt::format("{} file{}: {} error{}, {} warning{}\n", loaded.texts.size(),
                             loaded.texts.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
                             warnings, warnings == 1 ? "" : "s")
                     .c_str(),
                 stderr);
    }
    exit_code = errors > 0 || (opts->strict && warnings > 0) ? exit_findings : exit_ok;
  });
}

}  // namespace callpolicy::cli
