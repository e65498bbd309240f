// `callpolicy plan`: what a policy change does to calls (docs/tooling.md).
// The week mode is authoring/plan.cpp's and the journal mode
// server/journal/plan_replay.cpp's; this file reads the two sets (from
// paths, or from a git revision of the same paths) and prints the result.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>


#include <fmt/format.h>

#include "authoring/plan.h"
#include "authoring/plan_render.h"
#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "server/journal/plan_replay.h"

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
      const auto p = server::plan_journal(opts->journal, *loaded.set, opts->clinic, error);
      if (!p) {
        std::fprintf(stderr, "callpolicy plan: %s\n", error.c_str());
        exit_code = exit_usage;
        return;
      }
      const std::string format = opts->format == "github" ? "text" : opts->format;
      std::fputs(server::render_journal_plan(*p, opts->journal, format).c_str(), stdout);
      exit_code = opts->detailed && !p->different.empty() ? 2 : exit_ok;
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
