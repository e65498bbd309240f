// Placeholder until the 'sign' command is written; it refuses to pretend.
#include <cstdio>

#include "cli/commands.h"

namespace callpolicy::cli {

void add_sign_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("sign", "not built yet");
  command->allow_extras();
  command->callback([&exit_code] {
    std::fputs("callpolicy sign: not built yet\n", stderr);
    exit_code = exit_usage;
  });
}

}  // namespace callpolicy::cli
