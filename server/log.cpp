#include "server/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace callpolicy::server {
namespace {

// One write(2) per line: lines from several threads never interleave.
void write_stderr(std::string_view line) {
  while (!line.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    line.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::atomic<log_writer> writer{write_stderr};

}  // namespace

void write_log(std::string_view line) { writer.load(std::memory_order_relaxed)(line); }

void set_log_writer(log_writer w) { writer.store(w ? w : write_stderr); }

}  // namespace callpolicy::server
