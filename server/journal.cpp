#include "server/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace callpolicy::server {

namespace {
constexpr std::size_t max_pending = 65536;
}

journal::journal(std::string path) {
  if (path.empty()) return;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    throw std::runtime_error(fmt::format("cannot open journal '{}': {}", path, std::strerror(errno)));
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

std::vector<std::string> journal::read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace callpolicy::server
