// Writing a whole buffer to a descriptor, which the journal and the log both
// need: write(2) may take part of it, or be interrupted by a signal.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string_view>

namespace callpolicy::server {

// The bytes written: fewer than bytes.size() when the descriptor stopped
// taking them (an error or a full disk).
inline std::size_t write_all(int fd, std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  return written;
}

}  // namespace callpolicy::server
