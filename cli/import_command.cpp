// Placeholder until the 'import' command is written; it refuses to pretend.
#include <cstdio>

#include "cli/commands.h"

namespace callpolicy::cli {

void add_import_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("import", "not built yet");
  command->allow_extras();
  command->callback([&exit_code] {
    std::fputs("callpolicy import: not built yet\n", stderr);
    exit_code = exit_usage;
  });
}

}  // namespace callpolicy::cli
