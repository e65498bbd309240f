// Journal replay over any file contents: bad records are skipped and
// counted, never a crash, and no clinic's active count goes negative.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "fuzz/server_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static callpolicy::fuzz::server_harness harness;
  const int fd = ::memfd_create("journal", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = ::write(fd, data + written, size - written);
    FUZZ_CHECK(n > 0);
    written += static_cast<std::size_t>(n);
  }
  auto state = callpolicy::server::make_memory_state(std::chrono::seconds(3600));
  callpolicy::server::handlers hooks(harness.options, harness.store, *state, harness.journal, harness.stats);
  const auto summary = hooks.replayer().replay("/proc/self/fd/" + std::to_string(fd), true);
  ::close(fd);
  for (const auto& [clinic, count] : state->active_by_clinic()) FUZZ_CHECK(count >= 0);
  FUZZ_CHECK(summary.records + summary.skipped <= size);  // at most a record per byte
  return 0;
}
