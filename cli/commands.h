// Each subcommand lives in its own file (cli/<name>_command.cpp) and registers
// itself on the application. The CLI stays thin: it parses arguments and calls
// the libraries. Exit codes (docs/tooling.md): 0 success, 1 policy errors or failed
// tests, 2 usage or I/O errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace callpolicy::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_findings = 1;
inline constexpr int exit_usage = 2;

// Each add_* function adds a subcommand whose callback stores its exit code
// in `exit_code`.
void add_check_command(CLI::App& app, int& exit_code);
void add_compile_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_test_command(CLI::App& app, int& exit_code);
void add_fmt_command(CLI::App& app, int& exit_code);
void add_week_command(CLI::App& app, int& exit_code);
void add_import_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_import_ics_command(CLI::App& app, int& exit_code);
void add_instructions_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_sign_command(CLI::App& app, int& exit_code);
void add_override_command(CLI::App& app, int& exit_code);
void add_inbox_command(CLI::App& app, int& exit_code);
void add_plan_command(CLI::App& app, int& exit_code);
void add_calendars_command(CLI::App& app, int& exit_code);
// help COMMAND, completion SHELL, man: read the whole command tree of `app`.
void add_help_commands(CLI::App& app, int& exit_code);
// "unknown command 'chek', did you mean 'check'?" for a first word that is
// no command; nullopt when it is one (or an option).
std::optional<std::string> unknown_command_message(const CLI::App& app, std::string_view word);
// The message for the first long option the command line's command does not
// take, with the nearest one it does take; nullopt when all are known.
std::optional<std::string> unknown_option_message(CLI::App& app, int argc, const char* const* argv);

}  // namespace callpolicy::cli
