// The journal: one JSON line per decision, status change and voicemail,
// on disk (fdatasync) before the response goes out. Handlers queue lines;
// commit() writes every line queued so far and syncs once (group commit).
// Who commits depends on the number of event loops:
//
// - One loop: the loop itself, before it waits for more work, as Redis does
//   for `appendfsync always` in its beforeSleep. Every line queued while it
//   ran its ready handlers shares the sync, and the responses it releases
//   are on the thread that commits. A writer thread was slower here, even
//   with a core of its own: each of the sync's device round trips (data,
//   inode, cache flush) had to wake it, and its batch had to wake the loop.
// - Several loops: a writer thread, started by start_writer(), so that no
//   loop stops for a sync while the responses another loop's commit
//   released to it wait.
//
// bench/RESULTS.md, "Target 2", has the measurements behind both.
//
// Rotation keeps a journal from growing without bound: once the file passes
// its size limit (after a commit), it is renamed to
// PATH.<UTC time> and a new file starts with a snapshot of what replay needs
// (live calls, the voicemail count, recent recordings), so that replay reads
// only the current file. The limit counts the records written after the
// snapshot, so each file holds at least that much that is new. Rotated files are kept for the operator to ship or
// delete, like rotated access logs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace callpolicy::server {

// Who waits for a line to be durable: told once, on the thread that commits it.
class journal_waiter {
 public:
  virtual void journaled(bool ok) = 0;

 protected:
  ~journal_waiter() = default;
};

class journal {
 public:
  // An empty path disables the journal: completions run at once.
  explicit journal(std::string path);
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  // Queues a copy of `line` (without its newline); `waiter.journaled(ok)`
  // runs once a commit has made it durable (ok) or failed to write it (not
  // ok), or at once when the journal is off. The queue's buffers are reused,
  // so appending allocates nothing once warm. A queue at its bound is
  // committed here, on the appending thread.
  void append(std::string_view line, journal_waiter& waiter);

  // Writes and syncs every line queued so far, once, and tells their
  // waiters; waits for a commit in progress on another thread first. Does
  // nothing when no line is queued.
  void commit();

  // From now on a thread of the journal's own commits each batch as soon as
  // lines are queued. Call before the first append.
  void start_writer();
  bool has_writer() const { return writer_.joinable(); }

  // Streams the journal at `path` for replay: `line` gets each line's number
  // and text (without the newline); a line over `max_line_bytes` is passed
  // cut short with `too_long` set, never read whole into memory. False when
  // the file cannot be opened (a missing journal is not an error).
  static constexpr std::size_t max_line_bytes = 256 * 1024;
  static bool for_each_line(const std::string& path,
                            const std::function<void(std::size_t number, std::string_view line, bool too_long)>& line);

  // Rotates past `max_bytes`, after a commit; `snapshot` returns the lines
  // (each ending in a newline) a new file starts with. Call before the
  // first append.
  void set_rotation(std::uint64_t max_bytes, std::function<std::string()> snapshot);
  std::size_t rotations() const;

  bool enabled() const { return enabled_; }

 private:
  void run_writer();
  void rotate();
  bool restore_line_boundary();

  std::string path_;
  bool enabled_ = false;
  // The file and what is known of it belong to whoever holds commit_mutex_.
  std::mutex commit_mutex_;
  int fd_ = -1;
  std::uint64_t size_ = 0;  // the end of the last whole record
  bool torn_ = false;       // the file holds a fragment past size_ that could not be cut
  std::uint64_t snapshot_size_ = 0;  // the start of the file that rotation wrote
  std::uint64_t max_bytes_ = 0;  // 0: never rotate
  std::function<std::string()> snapshot_;
  std::size_t rotations_ = 0;
  // The batch being committed: swapped with the queue, so that the two
  // pairs of buffers take turns and keep their capacity.
  std::string batch_lines_;
  std::vector<journal_waiter*> batch_waiters_;

  mutable std::mutex mutex_;  // the queue, and the rotation's settings
  std::string pending_lines_;  // each ending in a newline
  std::vector<journal_waiter*> pending_waiters_;
  std::condition_variable wake_writer_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace callpolicy::server
