#include "server/policy_store.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include <fmt/format.h>

#include "model/bundle.h"
#include "compiler/compiler.h"
#include "server/json_line.h"
#include "server/log.h"

namespace callpolicy::server {

namespace fs = std::filesystem;

policy_store::policy_store(std::string rules_path, std::string last_good_path, bool allow_empty)
    : rules_path_(std::move(rules_path)), last_good_path_(std::move(last_good_path)), allow_empty_(allow_empty) {}

policy_store::~policy_store() {
  stopping_ = true;
  if (stop_pipe_[1] >= 0) {
    const char byte = 0;
    (void)!::write(stop_pipe_[1], &byte, 1);
  }
  if (watcher_.joinable()) watcher_.join();
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

bool policy_store::reload() {
  std::lock_guard serial(reload_mutex_);
  reload_report report;
  report.at = std::chrono::system_clock::now();
  std::optional<compiled_set> compiled;
  std::error_code ec;
  if (fs::is_regular_file(rules_path_, ec) && fs::path(rules_path_).extension() == ".json") {
    std::ifstream in(rules_path_, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    report.io_error = !in;
    bundle_read_result read = read_bundle(text.str());
    if (!read.set) {
      report.error = fmt::format("{}: {}", rules_path_, read.error);
    } else if (read.set->clinics.empty() && !allow_empty_) {
      report.error = fmt::format("{}: the bundle holds no clinic: every call would hear 'this number is not in "
                                 "service' (--allow-empty if that is meant)", rules_path_);
    } else {
      compiled = std::move(read.set);
    }
  } else {
    const source_set sources = read_sources({rules_path_});
    diagnostic_sink sink;
    compile_options options;
    options.require_clinic = !allow_empty_;
    options.set_name = rules_path_;
    compile_output output = compile_sources(sources, options, sink);
    report.diagnostics = sink.all();
    if (!sources.io_errors.empty()) {
      report.error = sources.io_errors.front();
      report.io_error = true;
    } else if (sources.files.empty() && !allow_empty_) {
      report.error = fmt::format("no policy files under '{}'", rules_path_);
      report.io_error = true;
    } else if (!sink.has_errors()) {
      compiled = std::move(output.set);
    } else {
      report.error = fmt::format("{} error(s) in the policy set", sink.error_count());
    }
  }
  std::shared_ptr<const policy_set> loaded;
  std::string bundle;
  if (compiled) {
    if (!last_good_path_.empty()) bundle = write_bundle(*compiled);
    auto result = policy_set::load(std::move(*compiled));
    if (result.set) {
      loaded = std::move(result.set);
    } else {
      report.error = result.error;
    }
  }
  if (loaded && !bundle.empty()) keep_last_good(bundle);
  report.ok = loaded != nullptr;
  log_report(report, current() != nullptr);
  std::lock_guard lock(mutex_);
  if (loaded) current_ = std::move(loaded);
  (report.ok ? reloads_ok_ : reloads_failed_)++;
  last_ = std::move(report);
  return last_.ok;
}

// Written beside and renamed over, so that the file is always a whole bundle.
void policy_store::keep_last_good(const std::string& bundle) const {
  const std::string temporary = last_good_path_ + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return;
  std::size_t written = 0;
  while (written < bundle.size()) {
    const ssize_t n = ::write(fd, bundle.data() + written, bundle.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool ok = written == bundle.size() && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temporary.c_str(), last_good_path_.c_str()) != 0) ::unlink(temporary.c_str());
}

bool policy_store::load_last_good() {
  if (last_good_path_.empty()) return false;
  std::ifstream in(last_good_path_, std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  bundle_read_result read = read_bundle(text.str());
  if (!read.set) return false;
  auto result = policy_set::load(std::move(*read.set));
  if (!result.set) return false;
  std::string out;
  json_line(out)
      .add("level", "error")
      .add("time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count())
      .add("message", "the rules have errors; serving the last good set")
      .add("rules", rules_path_)
      .add("last_good", last_good_path_)
      .end_line();
  write_log(out);
  std::lock_guard lock(mutex_);
  current_ = std::move(result.set);
  return true;
}

// One line for the outcome and one per diagnostic (docs/operations.md: a set with
// errors shows in the log too).
void policy_store::log_report(const reload_report& report, bool serving) const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(report.at.time_since_epoch()).count();
  std::string out;
  json_line line(out);
  line.add("level", report.ok ? "info" : "error")
      .add("time_ms", static_cast<std::int64_t>(ms))
      .add("message", report.ok  ? "policy set loaded"
                      : serving  ? "policy set not applied; the last good set keeps serving"
                                 : "policy set not applied; no set is loaded yet")
      .add("rules", rules_path_)
      .add("ok", report.ok);
  if (!report.error.empty()) line.add("error", report.error);
  line.end_line();
  for (const diagnostic& d : report.diagnostics) {
    json_line(out)
        .add("level", d.level == severity::error ? "error" : "warning")
        .add("time_ms", static_cast<std::int64_t>(ms))
        .add("message", d.message)
        .add("code", d.code)
        .add("file", d.where.file)
        .add("line", static_cast<std::int64_t>(d.where.line))
        .add("column", static_cast<std::int64_t>(d.where.column))
        .end_line();
  }
  write_log(out);
}

std::shared_ptr<const policy_set> policy_store::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

reload_report policy_store::last_report() const {
  std::lock_guard lock(mutex_);
  return last_;
}

// Returns once the watches are in place, so that an edit made as soon as
// the server answers is never missed.
void policy_store::watch() {
  if (::pipe(stop_pipe_) != 0) return;
  std::promise<void> watching;
  std::future<void> watches_set = watching.get_future();
  watcher_ = std::thread([this, &watching] { watch_loop(watching); });
  watches_set.wait();
}

// What is watched: the rules' directories (or a bundle's), and the directory
// holding the path as given, for that path's own entry. A deploy that swaps
// a symlink (`ln -sfn v2 r.tmp && mv -T r.tmp rules`) renames in that
// parent, and a watch on the old target would never hear of it. Events in
// the parent about other names (the journal, the last good bundle, a
// rotation beside the rules) are not changes to the rules.
void policy_store::watch_loop(std::promise<void>& watching) {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) {
    watching.set_value();
    return;
  }
  constexpr std::uint32_t events =
      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
  std::string given = rules_path_;
  while (given.size() > 1 && given.back() == '/') given.pop_back();
  const fs::path as_given(given);
  const fs::path parent = as_given.has_parent_path() ? as_given.parent_path() : fs::path(".");
  const std::string entry = as_given.filename().string();
  int parent_watch = -1;
  std::vector<int> watches;
  auto add_watches = [&] {
    for (int w : watches) ::inotify_rm_watch(fd, w);
    watches.clear();
    std::error_code ec;
    const bool directory = fs::is_directory(rules_path_, ec);
    if (directory) {
      watches.push_back(::inotify_add_watch(fd, rules_path_.c_str(), events));
      for (auto it = fs::recursive_directory_iterator(rules_path_, fs::directory_options::follow_directory_symlink, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec)) watches.push_back(::inotify_add_watch(fd, it->path().c_str(), events));
      }
    }
    // The parent is watched once, for the entry's name only (and, for a
    // bundle, that is the bundle itself).
    if (parent_watch < 0) parent_watch = ::inotify_add_watch(fd, parent.c_str(), events | IN_DONT_FOLLOW);
  };
  add_watches();
  watching.set_value();
  alignas(inotify_event) char buffer[16384];
  // True when the events read name something the rules are made of.
  auto drain = [&] {
    bool relevant = false;
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buffer + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        if (e->mask & IN_Q_OVERFLOW) {
          relevant = true;
        } else if (e->wd == parent_watch && std::find(watches.begin(), watches.end(), e->wd) == watches.end()) {
          relevant = relevant || (e->len > 0 && entry == e->name);
        } else {
          relevant = true;
        }
      }
    }
    return relevant;
  };
  while (!stopping_) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) <= 0) continue;
    if (fds[1].revents) break;
    // Let a burst of events (an editor's save, a checkout) settle first.
    bool relevant = false;
    do {
      relevant = drain() || relevant;
      pollfd again{fd, POLLIN, 0};
      if (::poll(&again, 1, 50) <= 0) break;
    } while (!stopping_);
    if (stopping_) break;
    if (!relevant) continue;
    reload();
    add_watches();  // new subdirectories, or a new target behind a swapped link
  }
  ::close(fd);
}

}  // namespace callpolicy::server
