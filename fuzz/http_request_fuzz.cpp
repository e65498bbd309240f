// Raw bytes from a client through the server's HTTP session (Beast's parser,
// the framing checks, the handlers) on one end of a socketpair: never a
// crash, a hang or a 500, and every answer is one well-formed status line.
// The first byte picks the public or the admin listener.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "fuzz/server_harness.h"

namespace {

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n <= 0) return;  // the server hung up early: fine
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static callpolicy::fuzz::server_harness harness;
  if (size == 0) return 0;
  const bool admin = data[0] & 1;
  const std::string_view request(reinterpret_cast<const char*>(data) + 1, size - 1);
  int pair[2];
  FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  // The client writes, then closes its sending side; the server runs on this
  // thread until it closes the connection.
  std::thread client([&] {
    write_all(pair[0], request);
    ::shutdown(pair[0], SHUT_WR);
  });
  std::string answer;
  std::thread reader([&] {
    client.join();
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(pair[0], buffer, sizeof buffer);
      if (n <= 0) break;
      answer.append(buffer, static_cast<std::size_t>(n));
    }
  });
  callpolicy::server::serve_one_connection(pair[1], harness.options, *harness.hooks, harness.journal, harness.stats, admin);
  reader.join();
  ::close(pair[0]);
  // Every response the server sent starts with a status line, none of them 500.
  for (std::size_t at = answer.find("HTTP/1.1 "); at != std::string::npos; at = answer.find("HTTP/1.1 ", at + 1)) {
    FUZZ_CHECK(answer.compare(at + 9, 3, "500") != 0);
  }
  FUZZ_CHECK(answer.empty() || answer.starts_with("HTTP/1.1 "));
  return 0;
}
