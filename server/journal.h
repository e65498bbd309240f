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
#include <string_view>
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

  // Streams the journal at `path` for replay: `line` gets each line's number
  // and text (without the newline); a line over `max_line_bytes` is passed
  // cut short with `too_long` set, never read whole into memory. False when
  // the file cannot be opened (a missing journal is not an error).
  static constexpr std::size_t max_line_bytes = 256 * 1024;
  static bool for_each_line(const std::string& path,
                            const std::function<void(std::size_t number, std::string_view line, bool too_long)>& line);

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
