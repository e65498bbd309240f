#include <cstdio>
#include <filesystem>
#include <fstream>

#include "authoring/formatter.h"
#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "cli/unified_diff.h"
#include "compiler/parser.h"

namespace callpolicy::cli {

void add_fmt_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("fmt", "rewrite policies in the canonical layout");
  struct options {
    std::vector<std::string> paths;
    bool check = false;
    bool write = false;
    bool diff = false;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  auto* check = command->add_flag("--check", opts->check, "list unformatted files; exit 1 if any");
  command->add_flag("-w,--write", opts->write, "rewrite the files in place, naming each one changed")->excludes(check);
  command->add_flag("-d,--diff", opts->diff, "show what would change as a unified diff");
  command->callback([opts, &exit_code] {
    const source_set sources = read_sources(opts->paths);
    for (const std::string& e : sources.io_errors) std::fprintf(stderr, "callpolicy fmt: %s\n", e.c_str());
    if (!sources.io_errors.empty()) {
      exit_code = exit_usage;
      return;
    }
    // Files are never written one after another to standard output: that
    // is no policy anyone can use.
    const bool to_stdout = !opts->check && !opts->write && !opts->diff;
    if (to_stdout && sources.files.size() > 1) {
      std::fprintf(stderr,
                   "callpolicy fmt: %zu files: give -w to rewrite them, --check to list those not formatted, or "
                   "--diff to see the changes (without a flag, fmt prints one file)\n",
                   sources.files.size());
      exit_code = exit_usage;
      return;
    }
    int result = exit_ok;
    for (const source_file& file : sources.files) {
      diagnostic_sink sink;
      const ast::policy_file parsed = parse_policy(file.path, file.text, sink);
      if (sink.has_errors()) {
        // Like `opa fmt`: a file that does not parse is not touched.
        loaded_set shown;
        shown.sink = sink;
        shown.texts.emplace(file.path, file.text);
        print_diagnostics(shown, "text", stderr);
        result = exit_findings;
        continue;
      }
      const std::string formatted = format_policy(parsed, file.text);
      diagnostic_sink again;
      parse_policy(file.path, formatted, again);
      if (again.has_errors()) {
        std::fprintf(stderr, "callpolicy fmt: internal error: the formatted '%s' does not parse; left as it is\n",
                     file.path.c_str());
        exit_code = exit_usage;
        return;
      }
      if (opts->diff && formatted != file.text) std::fputs(unified_diff(file.path, file.text, formatted).c_str(), stdout);
      if (opts->check) {
        if (formatted != file.text) {
          if (!opts->diff) std::printf("%s\n", file.path.c_str());
          result = exit_findings;
        }
      } else if (opts->write) {
        if (formatted == file.text) continue;
        if (file.path == stdin_name) {
          std::fputs(formatted.c_str(), stdout);
          continue;
        }
        const std::string temporary = file.path + ".fmt-tmp";
        std::ofstream(temporary, std::ios::binary | std::ios::trunc) << formatted;
        std::error_code ec;
        std::filesystem::rename(temporary, file.path, ec);
        if (ec) {
          std::fprintf(stderr, "callpolicy fmt: cannot write '%s': %s\n", file.path.c_str(), ec.message().c_str());
          std::filesystem::remove(temporary, ec);
          exit_code = exit_usage;
          return;
        }
        if (!opts->diff) std::printf("%s\n", file.path.c_str());
      } else if (to_stdout) {
        std::fputs(formatted.c_str(), stdout);
      }
    }
    exit_code = result;
  });
}

}  // namespace callpolicy::cli
