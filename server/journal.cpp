#include "server/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace callpolicy::server {

namespace {
constexpr std::size_t max_pending = 65536;
}

journal::journal(std::string path) {
  if (path.empty()) return;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    throw std::runtime_error(fmt::format("cannot open journal '{}': {}", path, std::strerror(errno)));
  }
  // A crash or a full disk can leave the last line torn. The next record
  // must start on a line of its own, or it would be glued to the fragment
  // and lost with it at the next replay.
  struct stat info {};
  char last = '\n';
  if (::fstat(fd_, &info) == 0 && info.st_size > 0 && ::pread(fd_, &last, 1, info.st_size - 1) == 1 &&
      last != '\n') {
    if (::write(fd_, "\n", 1) != 1 || ::fdatasync(fd_) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error(fmt::format("cannot end the torn last line of journal '{}': {}", path, why));
    }
  }
  writer_ = std::thread([this] { run(); });
}

journal::~journal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

void journal::append(std::string line, std::function<void(bool)> done) {
  if (fd_ < 0) {
    done(true);
    return;
  }
  std::unique_lock lock(mutex_);
  wake_appenders_.wait(lock, [this] { return pending_.size() < max_pending || stopping_; });
  pending_.push_back({std::move(line), std::move(done)});
  lock.unlock();
  wake_writer_.notify_one();
}

std::size_t journal::fsync_count() const {
  std::lock_guard lock(mutex_);
  return fsyncs_;
}

void journal::run() {
  std::deque<entry> batch;
  std::string buffer;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [this] { return !pending_.empty() || stopping_; });
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
    }
    wake_appenders_.notify_all();
    buffer.clear();
    for (const entry& e : batch) {
      buffer += e.line;
      buffer += '\n';
    }
    bool ok = true;
    std::size_t written = 0;
    while (written < buffer.size()) {
      const ssize_t n = ::write(fd_, buffer.data() + written, buffer.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok = false;
        break;
      }
      written += static_cast<std::size_t>(n);
    }
    ok = ok && ::fdatasync(fd_) == 0;
    {
      std::lock_guard lock(mutex_);
      ++fsyncs_;
    }
    for (entry& e : batch) e.done(ok);
    batch.clear();
  }
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
