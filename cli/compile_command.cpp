#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "model/bundle.h"
#include "compiler/canonical.h"

namespace callpolicy::cli {
namespace {

std::string describe(const predicate& p) {
  switch (p.type) {
    case predicate::kind::open: return "open";
    case predicate::kind::holiday: return "holiday";
    case predicate::kind::scheduled: return "scheduled";
    case predicate::kind::calls_at_least: return fmt::format("calls >= {}", p.threshold);
    case predicate::kind::caller_in: return fmt::format("caller {}", fmt::join(p.callers, ", "));
    case predicate::kind::via_in: return "via " + canonical_vias(p.vias);
    case predicate::kind::during:
      return "during " + canonical_days(p.days) + " " + canonical_windows(p.windows);
    case predicate::kind::on_dates: return "on " + canonical_dates(p.dates);
  }
  return {};
}

void explain(const compiled_clinic& c, tree_target t, int depth, std::string& out) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  if (is_leaf(t)) {
    const tree_leaf& l = c.leaves[static_cast<std::size_t>(leaf_index(t))];
    out += fmt::format("{}-> {} ({})\n", indent, action_name(l.action), l.reason);
    return;
  }
  const tree_node& n = c.nodes[static_cast<std::size_t>(t)];
  out += fmt::format("{}{}?\n", indent, describe(c.predicates[n.predicate]));
  out += fmt::format("{}  yes:\n", indent);
  explain(c, n.if_true, depth + 2, out);
  out += fmt::format("{}  no:\n", indent);
  explain(c, n.if_false, depth + 2, out);
}

}  // namespace

void add_compile_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("compile", "compile policies into a bundle");
  struct options {
    std::vector<std::string> paths;
    std::string output;
    bool explain = false;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("-o,--output", opts->output, "the bundle to write ('-' for stdout)");
  command->add_flag("--explain", opts->explain, "print each clinic's decision tree");
  command->callback([opts, &exit_code] {
    if (opts->output.empty() && !opts->explain) {
      std::fputs("callpolicy compile: give -o BUNDLE and/or --explain\n", stderr);
      exit_code = exit_usage;
      return;
    }
    loaded_set loaded;
    if (!load_usable(opts->paths, loaded, exit_code)) {
      if (exit_code == exit_findings) {
        std::fprintf(stderr, "callpolicy compile: %zu error(s); no bundle written\n", loaded.sink.error_count());
      }
      return;
    }
    const compiled_set& set = loaded.output.set;
    if (opts->explain) {
      std::string out;
      for (const compiled_clinic& c : set.clinics) {
        out += fmt::format("clinic {} ({}, {})\n", c.id, c.mode, c.timezone);
        explain(c, c.root, 1, out);
      }
      std::fputs(out.c_str(), stdout);
    }
    if (!opts->output.empty()) {
      const std::string bundle = write_bundle(set);
      if (opts->output == "-") {
        std::fputs(bundle.c_str(), stdout);
      } else {
        // Written beside the target and renamed, so a server watching the
        // bundle never reads half of one.
        const std::string temporary = opts->output + ".tmp";
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << bundle;
        out.close();
        if (!out || std::rename(temporary.c_str(), opts->output.c_str()) != 0) {
          std::fprintf(stderr, "callpolicy compile: cannot write '%s'\n", opts->output.c_str());
          std::remove(temporary.c_str());
          exit_code = exit_usage;
          return;
        }
      }
    }
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
