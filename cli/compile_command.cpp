#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "model/bundle.h"
#include "runtime/twiml.h"
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
    case predicate::kind::transfer_to: return fmt::format("to {}", fmt::join(p.callers, ", "));
    case predicate::kind::wait_known: return "wait known";
    case predicate::kind::wait_above:
      return fmt::format("wait > {}", canonical_duration(static_cast<std::uint32_t>(p.threshold)));
    case predicate::kind::wait_at_least:
      return fmt::format("wait >= {}", canonical_duration(static_cast<std::uint32_t>(p.threshold)));
  }
  return {};
}

// Depth-first with a stack of its own: a long chain of rules makes a tree as
// deep as it is long. Past max_indent levels the indentation stops growing and
// each line names its level instead. The tree shares subtrees (`calls == N`
// tests two predicates whose branches meet again), so a node reached twice is
// printed once, named [nN], and referred to after that: the text stays linear
// in the tree's size instead of doubling with each shared test.
void explain(const compiled_clinic& c, tree_target root, std::string& out) {
  constexpr std::size_t max_indent = 32;
  std::vector<std::uint32_t> parents(c.nodes.size(), 0);
  for (const tree_node& n : c.nodes) {
    for (const tree_target t : {n.if_true, n.if_false}) {
      if (!is_leaf(t)) ++parents[static_cast<std::size_t>(t)];
    }
  }
  std::vector<bool> printed(c.nodes.size(), false);
  struct step {
    tree_target target;
    std::size_t depth;
    const char* label;  // "yes:" or "no:" before the subtree, or none
  };
  std::vector<step> pending{{root, 1, nullptr}};
  while (!pending.empty()) {
    const step s = pending.back();
    pending.pop_back();
    const std::string indent(std::min(s.depth, max_indent) * 2, ' ');
    const std::string level = s.depth > max_indent ? fmt::format("[{}] ", s.depth) : std::string();
    if (s.label != nullptr) out += fmt::format("{}{}{}\n", indent, level, s.label);
    const std::size_t depth = s.label != nullptr ? s.depth + 1 : s.depth;
    const std::string body_indent(std::min(depth, max_indent) * 2, ' ');
    const std::string body_level = depth > max_indent ? fmt::format("[{}] ", depth) : std::string();
    if (is_leaf(s.target)) {
      const tree_leaf& l = c.leaves[static_cast<std::size_t>(leaf_index(s.target))];
      out += fmt::format("{}{}-> {} ({})\n", body_indent, body_level, action_name(l.action), l.reason);
      continue;
    }
    const auto index = static_cast<std::size_t>(s.target);
    const tree_node& n = c.nodes[index];
    const bool shared = parents[index] > 1;
    if (shared && printed[index]) {
      out += fmt::format("{}{}-> [n{}] above\n", body_indent, body_level, index);
      continue;
    }
    printed[index] = true;
    const std::string name = shared ? fmt::format("[n{}] ", index) : std::string();
    out += fmt::format("{}{}{}{}?\n", body_indent, body_level, name, describe(c.predicates[n.predicate]));
    pending.push_back({n.if_false, depth + 1, "no:"});
    pending.push_back({n.if_true, depth + 1, "yes:"});
  }
}

// Written beside the target and renamed, so that a server watching a bundle,
// or a static host serving a document, never reads half of one.
bool write_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

// One document per clinic for its numbers' Fallback URL, and the hangup its
// voicemail's <Record> ends at (docs/operations.md, "When no server answers").
// No clinic id starts with '_', so the hangup document is never a clinic's.
bool write_fallback_documents(const compiled_set& set, const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    std::fprintf(stderr, "callpolicy compile: cannot create '%s': %s\n", directory.c_str(), ec.message().c_str());
    return false;
  }
  constexpr std::string_view hangup_document = "_hangup.xml";
  std::string text;
  write_hangup_twiml(text);
  const std::string hangup_path = (std::filesystem::path(directory) / hangup_document).string();
  if (!write_atomically(hangup_path, text + "\n")) {
    std::fprintf(stderr, "callpolicy compile: cannot write '%s'\n", hangup_path.c_str());
    return false;
  }
  for (const compiled_clinic& c : set.clinics) {
    write_fallback_twiml(text, c, hangup_document);
    const std::string path = (std::filesystem::path(directory) / (c.id + ".xml")).string();
    if (!write_atomically(path, text + "\n")) {
      std::fprintf(stderr, "callpolicy compile: cannot write '%s'\n", path.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

void add_compile_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("compile", "compile policies into a bundle");
  struct options {
    std::vector<std::string> paths;
    std::string output;
    bool explain = false;
    bool allow_empty = false;
    std::string fallback_dir;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("-o,--output", opts->output, "the bundle to write ('-' for stdout)");
  command->add_flag("--explain", opts->explain, "print each clinic's decision tree");
  command->add_flag("--allow-empty", opts->allow_empty, "a set without clinics is no error");
  command->add_option("--fallback-dir", opts->fallback_dir,
                      "write each clinic's TwiML for its numbers' Fallback URL to DIR/<clinic>.xml");
  command->callback([opts, &exit_code] {
    if (opts->output.empty() && !opts->explain && opts->fallback_dir.empty()) {
      std::fputs("callpolicy compile: give -o BUNDLE, --fallback-dir DIR and/or --explain\n", stderr);
      exit_code = exit_usage;
      return;
    }
    loaded_set loaded;
    compile_options options;
    options.require_clinic = !opts->allow_empty;
    options.set_name = opts->paths.front();
    if (!load_usable(opts->paths, loaded, exit_code, options)) {
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
        explain(c, c.root, out);
      }
      std::fputs(out.c_str(), stdout);
    }
    if (!opts->output.empty()) {
      const std::string bundle = write_bundle(set);
      if (opts->output == "-") {
        std::fputs(bundle.c_str(), stdout);
      } else {
        if (!write_atomically(opts->output, bundle)) {
          std::fprintf(stderr, "callpolicy compile: cannot write '%s'\n", opts->output.c_str());
          exit_code = exit_usage;
          return;
        }
      }
    }
    if (!opts->fallback_dir.empty() && !write_fallback_documents(set, opts->fallback_dir)) {
      exit_code = exit_usage;
      return;
    }
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
