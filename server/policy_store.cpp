#include "server/policy_store.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "model/bundle.h"
#include "compiler/compiler.h"
#include "server/json_line.h"
#include "server/log.h"

namespace callpolicy::server {

namespace fs = std::filesystem;

policy_store::policy_store(std::string rules_path, std::string last_good_path)
    : rules_path_(std::move(rules_path)), last_good_path_(std::move(last_good_path)) {}

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
    if (read.set) {
      compiled = std::move(read.set);
    } else {
      report.error = fmt::format("{}: {}", rules_path_, read.error);
    }
  } else {
    const source_set sources = read_sources({rules_path_});
    diagnostic_sink sink;
    compile_output output = compile_sources(sources, {}, sink);
    report.diagnostics = sink.all();
    if (!sources.io_errors.empty()) {
      report.error = sources.io_errors.front();
      report.io_error = true;
    } else if (sources.files.empty()) {
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
  log_report(report);
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

// One line for the outcome and one per diagnostic (SPEC 5: a set with
// errors shows in the log too).
void policy_store::log_report(const reload_report& report) const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(report.at.time_since_epoch()).count();
  std::string out;
  json_line line(out);
  line.add("level", report.ok ? "info" : "error")
      .add("time_ms", static_cast<std::int64_t>(ms))
      .add("message", report.ok ? "policy set loaded" : "policy set not applied; the last good set keeps serving")
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

void policy_store::watch() {
  if (::pipe(stop_pipe_) != 0) return;
  watcher_ = std::thread([this] { watch_loop(); });
}

void policy_store::watch_loop() {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return;
  constexpr std::uint32_t events =
      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
  // Directories are watched (a bundle's too): editors replace files by
  // rename, which a watch on the file itself would lose.
  auto add_watches = [&] {
    std::error_code ec;
    const fs::path root = fs::is_directory(rules_path_, ec) ? fs::path(rules_path_)
                                                            : fs::path(rules_path_).parent_path();
    const fs::path watched = root.empty() ? fs::path(".") : root;
    ::inotify_add_watch(fd, watched.c_str(), events);
    if (fs::is_directory(rules_path_, ec)) {
      for (auto it = fs::recursive_directory_iterator(watched, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_directory()) ::inotify_add_watch(fd, it->path().c_str(), events);
      }
    }
  };
  add_watches();
  char buffer[16384];
  while (!stopping_) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) <= 0) continue;
    if (fds[1].revents) break;
    // Let a burst of events (an editor's save, a checkout) settle first.
    do {
      while (::read(fd, buffer, sizeof buffer) > 0) {
      }
      pollfd again{fd, POLLIN, 0};
      if (::poll(&again, 1, 50) <= 0) break;
    } while (!stopping_);
    if (stopping_) break;
    reload();
    add_watches();  // new subdirectories; re-adding an existing watch is harmless
  }
  ::close(fd);
}

}  // namespace callpolicy::server
