#include <algorithm>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "compiler/settings_import.h"

namespace callpolicy::cli {

void add_import_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("import", "turn AvailabilitySettings JSON into a policy");
  struct options {
    std::string settings;
    std::string clinic;
    std::string name;
  };
  auto opts = std::make_shared<options>();
  command->add_option("settings", opts->settings, "the AvailabilitySettings JSON file")->required();
  command->add_option("--clinic", opts->clinic, "the clinic's id (a slug like smile-dental)")->required();
  command->add_option("--name", opts->name, "the clinic's name");
  command->callback([opts, &exit_code] {
    const bool slug = !opts->clinic.empty() &&
                      std::all_of(opts->clinic.begin(), opts->clinic.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                      }) &&
                      opts->clinic.front() != '-';
    if (!slug) {
      std::fprintf(stderr, "callpolicy import: --clinic '%s' is not an id like smile-dental\n", opts->clinic.c_str());
      exit_code = exit_usage;
      return;
    }
    std::ifstream in(opts->settings, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "callpolicy import: cannot read '%s'\n", opts->settings.c_str());
      exit_code = exit_usage;
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    const import_result result = import_settings(text.str(), opts->clinic, opts->name);
    for (const std::string& e : result.errors) std::fprintf(stderr, "%s: %s\n", opts->settings.c_str(), e.c_str());
    if (!result.errors.empty()) {
      exit_code = exit_findings;
      return;
    }
    std::fputs(result.policy.c_str(), stdout);
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
