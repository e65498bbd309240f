// The policy set the server answers from, and its hot reload (docs/operations.md): a
// reload compiles the whole set (a rules directory or a bundle) and swaps it
// in atomically; a set with errors is not applied, and its diagnostics are
// kept for /status, the log and /metrics. Requests hold a shared_ptr to the
// set they started with, so a swap never disturbs them.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/diagnostic.h"
#include "runtime/policy_set.h"

namespace callpolicy::server {

struct reload_report {
  std::chrono::system_clock::time_point at{};
  bool ok = false;
  std::string error;                     // for a bundle that cannot be read
  bool io_error = false;                 // the rules could not be read at all (not policy errors)
  std::vector<diagnostic> diagnostics;   // errors and warnings of the attempt
};

class policy_store {
 public:
  // `last_good_path`: where each applied set is kept as a bundle (empty:
  // nowhere), so that a restart while the rules have errors can still serve.
  // `allow_empty`: a set without clinics is applied; else it is refused like
  // a set with errors, since every call to it would hear "not in service".
  explicit policy_store(std::string rules_path, std::string last_good_path = {}, bool allow_empty = false);
  ~policy_store();

  // Loads now; returns whether the new set was applied.
  bool reload();
  // At start, when reload() failed: serves the bundle kept at the last good
  // reload, if there is one. The failed attempt stays the last report.
  bool load_last_good();
  std::shared_ptr<const policy_set> current() const;
  reload_report last_report() const;
  std::uint64_t reloads_ok() const { return reloads_ok_; }
  std::uint64_t reloads_failed() const { return reloads_failed_; }

  // Watches the rules with inotify and reloads on change, until destroyed.
  void watch();

 private:
  void watch_loop(std::promise<void>& watching);
  void log_report(const reload_report& report, bool serving) const;

  void keep_last_good(const std::string& bundle) const;

  std::string rules_path_;
  std::string last_good_path_;
  bool allow_empty_ = false;
  mutable std::mutex mutex_;
  std::shared_ptr<const policy_set> current_;
  reload_report last_;
  std::atomic<std::uint64_t> reloads_ok_{0};
  std::atomic<std::uint64_t> reloads_failed_{0};
  std::mutex reload_mutex_;  // one reload at a time
  std::atomic<bool> stopping_{false};
  int stop_pipe_[2] = {-1, -1};
  std::thread watcher_;
};

}  // namespace callpolicy::server
