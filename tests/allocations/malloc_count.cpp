// LD_PRELOAD into `callpolicy serve`: counts every malloc, calloc, realloc
// and aligned allocation of the process (glibc's allocator does the work)
// and keeps the count, as 20 decimal digits, at the start of the file named
// by $CALLPOLICY_MALLOC_COUNT_FILE, rewritten every 20 ms by a thread of its
// own whose allocations are not counted.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "tests/support/counted_malloc.h"

namespace {
std::atomic<unsigned long long> allocations{0};
// initial-exec: a TLS lookup that allocated would come back into malloc.
__attribute__((tls_model("initial-exec"))) thread_local bool reporter_thread = false;

void* report(void* file) {
  reporter_thread = true;
  const int fd =
      ::open(static_cast<const char*>(file), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return nullptr;
  for (;;) {
    char text[32];
    const int length = std::snprintf(text, sizeof text, "%020llu\n", allocations.load());
    if (::pwrite(fd, text, static_cast<std::size_t>(length), 0) != length) return nullptr;
    const timespec pause{0, 20'000'000};
    ::nanosleep(&pause, nullptr);
  }
}

__attribute__((constructor)) void start_reporting() {
  char* file = std::getenv("CALLPOLICY_MALLOC_COUNT_FILE");
  if (!file) return;
  pthread_t thread;
  if (::pthread_create(&thread, nullptr, report, file) == 0) ::pthread_detach(thread);
}
}  // namespace

void count_allocation() noexcept {
  if (!reporter_thread) allocations.fetch_add(1, std::memory_order_relaxed);
}
