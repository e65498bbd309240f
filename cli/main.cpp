#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  namespace cli = callpolicy::cli;
  CLI::App app{"callpolicy: compile, check, test and serve clinic call-availability policies"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "callpolicy 0.1.0");
  int exit_code = cli::exit_ok;
  cli::add_check_command(app, exit_code);
  cli::add_compile_command(app, exit_code);
  cli::add_eval_command(app, exit_code);
  cli::add_test_command(app, exit_code);
  cli::add_fmt_command(app, exit_code);
  cli::add_week_command(app, exit_code);
  cli::add_import_command(app, exit_code);
  cli::add_export_command(app, exit_code);
  cli::add_import_ics_command(app, exit_code);
  cli::add_instructions_command(app, exit_code);
  cli::add_serve_command(app, exit_code);
  cli::add_sign_command(app, exit_code);
  cli::add_override_command(app, exit_code);
  cli::add_inbox_command(app, exit_code);
  cli::add_plan_command(app, exit_code);
  cli::add_calendars_command(app, exit_code);
  cli::add_help_commands(app, exit_code);
  if (argc > 1) {
    if (const auto unknown = cli::unknown_command_message(app, argv[1])) {
      std::fputs(unknown->c_str(), stderr);
      return cli::exit_usage;
    }
    if (const auto unknown = cli::unknown_option_message(app, argc, argv)) {
      std::fputs(unknown->c_str(), stderr);
      return cli::exit_usage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::exit_ok : cli::exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callpolicy: %s\n", e.what());
    return cli::exit_usage;
  }
  return exit_code;
}
