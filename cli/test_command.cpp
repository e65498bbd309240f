// Placeholder until the 'test' command is written; it refuses to pretend.
#include <cstdio>

#include "cli/commands.h"

namespace callpolicy::cli {

void add_test_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("test", "not built yet");
  command->allow_extras();
  command->callback([&exit_code] {
    std::fputs("callpolicy test: not built yet\n", stderr);
    exit_code = exit_usage;
  });
}

}  // namespace callpolicy::cli
