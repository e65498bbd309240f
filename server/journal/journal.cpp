#include "server/journal/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "server/posix_io.h"

namespace callpolicy::server {

namespace {
constexpr std::size_t max_pending = 65536;

// The offset just past the file's last newline (0 when it has none).
std::uint64_t last_line_end(int fd, std::uint64_t size) {
  char block[4096];
  std::uint64_t end = size;
  while (end > 0) {
    const std::uint64_t begin = end > sizeof block ? end - sizeof block : 0;
    const ssize_t n = ::pread(fd, block, static_cast<std::size_t>(end - begin), static_cast<off_t>(begin));
    if (n <= 0) return size;  // unreadable: leave it as it is
    for (ssize_t i = n; i-- > 0;) {
      if (block[i] == '\n') return begin + static_cast<std::uint64_t>(i) + 1;
    }
    end = begin;
  }
  return 0;
}
}  // namespace

journal::journal(std::string file) : path_(std::move(file)) {
  if (path_.empty()) return;
  const std::string& path = path_;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    throw std::runtime_error(fmt::format("cannot open journal '{}': {}", path, std::strerror(errno)));
  }
  // A crash can leave the last line torn; the next record must start on a
  // line of its own, or it would be glued to the fragment and lost with it
  // at the next replay. The fragment is ended with a newline, so that replay
  // reports it; on a full disk, where even that byte does not fit, it is cut
  // off instead (it was never acknowledged: a record is answered only once
  // synced whole), so that a server on a full disk still starts.
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(fmt::format("cannot read journal '{}': {}", path, why));
  }
  const auto file_size = static_cast<std::uint64_t>(info.st_size);
  size_ = last_line_end(fd_, file_size);
  if (size_ != file_size && ::write(fd_, "\n", 1) == 1 && ::fdatasync(fd_) == 0) {
    size_ = file_size + 1;
  } else if (size_ != file_size && (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 || ::fdatasync(fd_) != 0)) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(fmt::format("cannot cut the torn last line of journal '{}': {}", path, why));
  }
  enabled_ = true;
}

journal::~journal() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_writer_.notify_one();
    writer_.join();
  }
  // Lines queued after the loops stopped: still written, though nobody
  // waits for their responses any more.
  commit();
  if (fd_ >= 0) ::close(fd_);
}

void journal::append(std::string_view line, journal_waiter& waiter) {
  if (!enabled_) {
    waiter.journaled(true);
    return;
  }
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    pending_lines_ += line;
    pending_lines_ += '\n';
    pending_waiters_.push_back(&waiter);
    full = pending_waiters_.size() >= max_pending;
  }
  if (full) {
    commit();
  } else if (writer_.joinable()) {
    wake_writer_.notify_one();
  }
}

void journal::start_writer() {
  if (enabled_ && !writer_.joinable()) writer_ = std::thread([this] { run_writer(); });
}

void journal::run_writer() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [this] { return !pending_waiters_.empty() || stopping_; });
      if (stopping_) return;  // the destructor commits what is left
    }
    commit();
  }
}

void journal::set_rotation(std::uint64_t max_bytes, std::function<std::string()> snapshot) {
  std::lock_guard lock(mutex_);
  max_bytes_ = max_bytes;
  snapshot_ = std::move(snapshot);
}

std::size_t journal::rotations() const {
  std::lock_guard lock(mutex_);
  return rotations_;
}

void journal::commit() {
  if (!enabled_) return;
  std::lock_guard committing(commit_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (pending_waiters_.empty()) return;  // none queued, or the commit waited for took them
    batch_lines_.swap(pending_lines_);
    batch_waiters_.swap(pending_waiters_);
  }
  if (torn_ && restore_line_boundary()) torn_ = false;
  const bool ok = !torn_ && write_all(fd_, batch_lines_) == batch_lines_.size() && ::fdatasync(fd_) == 0;
  if (ok) {
    size_ += batch_lines_.size();
  } else if (!torn_) {
    // A full disk takes part of a batch, or fdatasync cannot promise it:
    // none of the batch is acknowledged, so none of it may stay, or Twilio's
    // retry would be glued onto the fragment and lost with it at replay.
    torn_ = !restore_line_boundary();
  }
  for (journal_waiter* w : batch_waiters_) w->journaled(ok);
  batch_lines_.clear();
  batch_waiters_.clear();
  bool due = false;
  {
    std::lock_guard lock(mutex_);
    // Records appended since the snapshot, not the file's size: a
    // snapshot larger than the limit must not rotate again at once.
    due = max_bytes_ > 0 && size_ - snapshot_size_ >= max_bytes_;
  }
  if (ok && due) rotate();
}

// Under commit_mutex_: cuts the file back to the end of its last whole
// record, where size_ is. When even that fails (the file system refuses
// ftruncate), no batch is written until it succeeds: every one is answered
// as not journaled instead of landing after a fragment.
bool journal::restore_line_boundary() {
  struct stat info {};
  if (::fstat(fd_, &info) == 0 && static_cast<std::uint64_t>(info.st_size) == size_) return true;
  return ::ftruncate(fd_, static_cast<off_t>(size_)) == 0;
}

// Under commit_mutex_, after a batch: nothing is being written. Lines
// appended meanwhile wait in the queue and land in the new file after the
// snapshot; replaying a call twice counts it once, so a snapshot that already
// holds a queued call is harmless.
void journal::rotate() {
  const auto now = std::chrono::system_clock::now();
  std::string rotated = fmt::format("{}.{:%Y%m%dT%H%M%SZ}", path_, fmt::gmtime(std::chrono::system_clock::to_time_t(now)));
  for (int n = 1; ::access(rotated.c_str(), F_OK) == 0; ++n) {
    rotated = fmt::format("{}.{:%Y%m%dT%H%M%SZ}-{}", path_, fmt::gmtime(std::chrono::system_clock::to_time_t(now)), n);
  }
  std::function<std::string()> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = snapshot_;
  }
  // The new file is written whole beside the old one, then renamed into
  // place: a crash at any point leaves either the old journal or the new
  // one complete under PATH.
  const std::string fresh = path_ + ".rotating";
  const int fd = ::open(fresh.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return;  // tried again after the next batch
  const std::string head = snapshot ? snapshot() : std::string();
  if (write_all(fd, head) != head.size() || ::fdatasync(fd) != 0 || ::link(path_.c_str(), rotated.c_str()) != 0 ||
      ::rename(fresh.c_str(), path_.c_str()) != 0) {
    ::close(fd);
    ::unlink(fresh.c_str());
    return;
  }
  const std::string directory = path_.find('/') == std::string::npos ? "." : path_.substr(0, path_.rfind('/') + 1);
  if (const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  ::close(fd_);
  fd_ = fd;
  size_ = head.size();
  snapshot_size_ = head.size();
  std::lock_guard lock(mutex_);
  ++rotations_;
}

bool journal::for_each_line(const std::string& path,
                            const std::function<void(std::size_t, std::string_view, bool)>& line) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string current;
  bool too_long = false;
  std::size_t number = 0;
  char chunk[64 * 1024];
  const auto finish = [&] {
    ++number;
    if (!current.empty() || too_long) line(number, current, too_long);
    current.clear();
    too_long = false;
  };
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view rest(chunk, static_cast<std::size_t>(n));
    while (!rest.empty()) {
      const auto newline = rest.find('\n');
      const std::string_view piece = rest.substr(0, newline);
      const std::size_t room = max_line_bytes - current.size();
      current.append(piece.substr(0, room));
      if (piece.size() > room) too_long = true;
      if (newline == std::string_view::npos) break;
      finish();
      rest.remove_prefix(newline + 1);
    }
  }
  if (!current.empty() || too_long) finish();
  ::close(fd);
  return true;
}

}  // namespace callpolicy::server
