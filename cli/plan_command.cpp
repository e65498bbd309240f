// `callpolicy plan`: what a policy change does to calls (issue 16). The
// week mode is compiler/plan.cpp's; this file reads the two sets (from
// paths, or from a git revision of the same paths), replays a server's
// journal in journal mode, and prints the result.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "compiler/plan.h"
#include "compiler/plan_render.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"

extern char** environ;

namespace callpolicy::cli {
namespace {

struct git_result {
  int status = -1;
  std::string out;
};

// git with `args`, no shell: paths and revisions are passed as they are.
git_result git(const std::vector<std::string>& args) {
  git_result r;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return r;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (std::string& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, "git", &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return r;
  }
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    r.out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The `*.policy` files under `paths` as they are at `rev`.
source_set sources_at(const std::string& rev, const std::vector<std::string>& paths) {
  source_set out;
  for (const std::string& path : paths) {
    // -z: names as they are, not quoted (git quotes non-ASCII names otherwise).
    const git_result listed = git({"ls-tree", "-r", "-z", "--name-only", rev, "--", path});
    if (listed.status != 0) {
      out.io_errors.push_back(fmt::format("cannot list '{}' at '{}' (git ls-tree failed: is this a git work tree, "
                                          "and is '{}' a revision?)",
                                          path, rev, rev));
      continue;
    }
    std::size_t at = 0;
    while (at < listed.out.size()) {
      const auto nl = listed.out.find('\0', at);
      const std::string file = listed.out.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
      at = nl == std::string::npos ? listed.out.size() : nl + 1;
      if (file.size() < 7 || file.compare(file.size() - 7, 7, ".policy") != 0) continue;
      const git_result shown = git({"show", rev + ":./" + file});
      if (shown.status != 0) {
        out.io_errors.push_back(fmt::format("cannot read '{}' at '{}'", file, rev));
        continue;
      }
      out.files.push_back({rev + ":" + file, shown.out});
    }
  }
  return out;
}

// A set compiled without lints (a plan needs none), its errors printed.
bool compile_set(source_set sources, const std::string& name, compile_output& out, int& exit_code) {
  for (const std::string& e : sources.io_errors) std::fprintf(stderr, "callpolicy plan: %s\n", e.c_str());
  if (!sources.io_errors.empty()) {
    exit_code = exit_usage;
    return false;
  }
  compile_options options;
  options.lints = false;
  loaded_set loaded;
  loaded.output = compile_sources(sources, options, loaded.sink);
  for (source_file& f : sources.files) loaded.texts.emplace(f.path, std::move(f.text));
  if (!loaded.sink.has_errors()) {
    out = std::move(loaded.output);
    return true;
  }
  print_diagnostics(loaded, "text", stderr);
  std::fprintf(stderr, "callpolicy plan: the %s set has errors; no plan\n", name.c_str());
  exit_code = exit_findings;
  return false;
}

std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += (out.empty() ? "" : " ") + p;
  return out;
}

// Journal mode: the calls a server recorded, decided again under the new set.
struct replayed_call {
  std::string call_sid, time;
  std::string old_clinic, old_action, old_reason;
  std::string new_clinic, new_action, new_reason;
};

struct journal_plan {
  std::size_t calls = 0;
  std::size_t skipped = 0;
  std::size_t overridden = 0;  // decided by an operator's override: no policy decided them
  std::vector<replayed_call> different;
};

journal_plan replay(const std::string& path, const policy_set& set, const std::string& only, std::string& error) {
  journal_plan plan;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read '{}'", path);
    return plan;
  }
  std::string line;
  std::string caller_buffer;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("type", "") != "call") continue;
    const auto text = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
    if (!j.contains("time_ms") || !j["time_ms"].is_number_integer()) {
      ++plan.skipped;
      continue;
    }
    if (!only.empty() && text("clinic") != only) continue;
    // Journals written before calls carried the flag still name the override in the reason.
    const bool overridden = (j.contains("override") && j["override"] == true) || text("reason").starts_with("override: ");
    if (overridden) {
      ++plan.overridden;
      continue;
    }
    ++plan.calls;
    const std::chrono::sys_seconds at{std::chrono::seconds{j["time_ms"].get<std::int64_t>() / 1000}};
    const std::int32_t active = j.contains("active_calls") && j["active_calls"].is_number_integer()
                                    ? j["active_calls"].get<std::int32_t>()
                                    : 0;
    replayed_call r{text("call_sid"), "", text("clinic"), text("action"), text("reason"), "", "", ""};
    const std::string to = text("to");
    const auto match = identify_clinic(set, to);
    if (!match) {
      r.new_clinic = "(none)";
      r.new_action = "not-in-service";
      r.new_reason = "no clinic answers to " + to;
    } else {
      const runtime_clinic& c = *match->clinic;
      const std::string from = text("from");  // the caller's view may point into it
      const std::string_view caller = caller_e164(from, c.policy.region, caller_buffer);
      const decision d = decide(c, {at, active, caller, match->via});
      r.new_clinic = c.policy.id;
      r.new_action = std::string(action_name(d.action));
      r.new_reason = std::string(d.reason);
      r.time = format_local_time(c, at);
    }
    if (r.time.empty()) r.time = std::to_string(j["time_ms"].get<std::int64_t>());
    if (r.old_clinic != r.new_clinic || r.old_action != r.new_action || r.old_reason != r.new_reason) {
      plan.different.push_back(std::move(r));
    }
  }
  return plan;
}

std::string journal_text(const journal_plan& p, const std::string& path, const std::string& format) {
  // Grouped by clinic, then by (before -> after).
  std::map<std::string, std::map<std::string, std::vector<const replayed_call*>>> groups;
  for (const replayed_call& r : p.different) {
    const std::string pair = (r.old_clinic != r.new_clinic ? r.old_clinic + " " : "") +
                             outcome_text(r.old_action, r.old_reason) + " -> " +
                             (r.old_clinic != r.new_clinic ? r.new_clinic + " " : "") +
                             outcome_text(r.new_action, r.new_reason);
    groups[r.old_clinic][pair].push_back(&r);
  }
  if (format == "json") {
    nlohmann::ordered_json clinics = nlohmann::ordered_json::array();
    for (const auto& [clinic, pairs] : groups) {
      nlohmann::ordered_json changes = nlohmann::ordered_json::array();
      std::size_t total = 0;
      for (const auto& [pair, calls] : pairs) {
        nlohmann::ordered_json examples = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < calls.size() && i < 3; ++i) {
          examples.push_back({{"call_sid", calls[i]->call_sid}, {"time", calls[i]->time}});
        }
        const replayed_call& first = *calls.front();
        changes.push_back({{"before", {{"clinic", first.old_clinic}, {"action", first.old_action}, {"reason", first.old_reason}}},
                           {"after", {{"clinic", first.new_clinic}, {"action", first.new_action}, {"reason", first.new_reason}}},
                           {"calls", calls.size()},
                           {"examples", examples}});
        total += calls.size();
      }
      clinics.push_back({{"clinic", clinic}, {"calls", total}, {"changes", changes}});
    }
    const nlohmann::ordered_json out{{"version", 1},         {"journal", path},
                                     {"calls", p.calls},     {"overridden", p.overridden},
                                     {"different", p.different.size()}, {"changed", !p.different.empty()},
                                     {"clinics", clinics}};
    return out.dump(2) + "\n";
  }
  const bool markdown = format == "markdown";
  std::string out = markdown ? "### callpolicy plan (journal)\n\n" : "";
  out += fmt::format("{}{} calls replayed from {}: {} would be decided differently{}.\n", markdown ? "**" : "", p.calls,
                     path, p.different.size(), markdown ? "**" : "");
  if (p.overridden > 0) {
    out += fmt::format("{}{} call{} decided by an override {} not compared: no policy decided them.\n",
                       markdown ? "\n" : "", p.overridden, p.overridden == 1 ? "" : "s",
                       p.overridden == 1 ? "is" : "are");
  }
  for (const auto& [clinic, pairs] : groups) {
    std::size_t total = 0;
    for (const auto& [pair, calls] : pairs) total += calls.size();
    out += markdown ? fmt::format("\n#### `{}`: {} call{}\n\n", clinic, total, total == 1 ? "" : "s")
                    : fmt::format("~ {}: {} call{}\n", clinic, total, total == 1 ? "" : "s");
    for (const auto& [pair, calls] : pairs) {
      std::string examples;
      for (std::size_t i = 0; i < calls.size() && i < 3; ++i) {
        examples += (examples.empty() ? "" : ", ") + calls[i]->call_sid + " at " + calls[i]->time;
      }
      out += fmt::format("{}{}: {} (e.g. {})\n", markdown ? "- " : "    ", pair, calls.size(), examples);
    }
  }
  return out;
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("plan", "what a policy change does to calls, before it ships");
  struct options {
    std::vector<std::string> from, to;
    std::string from_git;
    std::string week;
    std::string journal;
    std::string clinic;
    std::string format = "text";
    bool detailed = false;
  };
  auto opts = std::make_shared<options>();
  auto* from = command->add_option("--from", opts->from, "the set as it is: files and directories");
  auto* from_git = command->add_option("--from-git", opts->from_git,
                                       "the set as it is at this git revision (the paths of --to, or of --from)");
  command->add_option("--to", opts->to, "the set as it will be: files and directories")->required();
  auto* week = command->add_option("--week", opts->week, "the week's first day (default: today in each clinic's zone)");
  // The journal holds what the old set decided; a second old set would be ignored.
  command->add_option("--journal", opts->journal, "replay the calls a server journaled under the new set instead")
      ->excludes(week)
      ->excludes(from)
      ->excludes(from_git);
  command->add_option("--clinic", opts->clinic, "only this clinic");
  command->add_option("--format", opts->format, "text, json, markdown or github")
      ->check(CLI::IsMember({"text", "json", "markdown", "github"}));
  command->add_flag("--detailed-exitcode", opts->detailed, "exit 2 when there are changes (0 none, 1 errors), as terraform plan");
  command->callback([opts, &exit_code] {
    plan_options options;
    if (!opts->week.empty()) {
      const auto start = parse_date(opts->week);
      if (!start) {
        std::fprintf(stderr, "callpolicy plan: --week '%s' is not a date like 2026-12-21\n", opts->week.c_str());
        exit_code = exit_usage;
        return;
      }
      options.week = *start;
    }
    options.clinic = opts->clinic;
    compile_output after;
    if (!compile_set(read_sources(opts->to), "new", after, exit_code)) return;
    const std::string to_label = joined(opts->to);

    if (!opts->journal.empty()) {
      auto loaded = policy_set::load(std::move(after.set));
      if (!loaded.set) {
        std::fprintf(stderr, "callpolicy plan: %s\n", loaded.error.c_str());
        exit_code = exit_findings;
        return;
      }
      std::string error;
      const journal_plan p = replay(opts->journal, *loaded.set, opts->clinic, error);
      if (!error.empty()) {
        std::fprintf(stderr, "callpolicy plan: %s\n", error.c_str());
        exit_code = exit_usage;
        return;
      }
      std::fputs(journal_text(p, opts->journal, opts->format == "github" ? "text" : opts->format).c_str(), stdout);
      exit_code = opts->detailed && !p.different.empty() ? 2 : exit_ok;
      return;
    }

    if (opts->from.empty() && opts->from_git.empty()) {
      std::fputs("callpolicy plan: give --from PATH... or --from-git REV (or --journal FILE)\n", stderr);
      exit_code = exit_usage;
      return;
    }
    compile_output before;
    const std::vector<std::string>& old_paths = opts->from.empty() ? opts->to : opts->from;
    const bool from_git = !opts->from_git.empty();
    if (!compile_set(from_git ? sources_at(opts->from_git, old_paths) : read_sources(opts->from), "old", before,
                     exit_code)) {
      return;
    }
    plan_heading heading;
    heading.from = from_git ? opts->from_git + ":" + joined(old_paths) : joined(opts->from);
    heading.to = to_label;
    heading.dated_days = options.dated_days;
    const policy_plan plan = plan_week(before, after, options);
    const std::string out = opts->format == "json"       ? render_plan_json(plan, heading)
                            : opts->format == "markdown" ? render_plan_markdown(plan, heading)
                            : opts->format == "github"   ? render_plan_github(plan, heading)
                                                         : render_plan_text(plan, heading);
    std::fputs(out.c_str(), stdout);
    exit_code = opts->detailed && !plan.empty() ? 2 : exit_ok;
  });
}

}  // namespace callpolicy::cli
