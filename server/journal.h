// The journal: one JSON line per decision, status change and voicemail,
// on disk (fsync) before the response goes out. Concurrent appends share
// one fsync (group commit): a writer thread takes every line queued while
// the previous fsync ran, writes them, syncs once, then runs their
// completions. The queue is bounded; a full queue makes append wait.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace callpolicy::server {

class journal {
 public:
  // An empty path disables the journal: completions run at once.
  explicit journal(std::string path);
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  // `done(ok)` runs on the writer thread once the line is durable (ok) or
  // failed to write (not ok).
  void append(std::string line, std::function<void(bool)> done);

  // Every line written so far, for replay at start.
  static std::vector<std::string> read_lines(const std::string& path);

  bool enabled() const { return fd_ >= 0; }
  std::size_t fsync_count() const;

 private:
  struct entry {
    std::string line;
    std::function<void(bool)> done;
  };
  void run();

  int fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable wake_appenders_;
  std::deque<entry> pending_;
  bool stopping_ = false;
  std::size_t fsyncs_ = 0;
  std::thread writer_;
};

}  // namespace callpolicy::server
