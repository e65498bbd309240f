// glibc's allocation functions, each counted before glibc's own allocator
// (`__libc_malloc` and its kin) does the work: a program's or a preloaded
// library's own `malloc` takes the place of libc's for every library in the
// process, so OpenSSL's, libstdc++'s and Asio's allocations are all seen.
// Include it in one translation unit, after defining
// `void count_allocation() noexcept` in the global namespace. Not for
// sanitized builds: ASan's allocator must be the one in place.
#pragma once

#include <cerrno>
#include <cstddef>

void count_allocation() noexcept;

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);

void* malloc(std::size_t size) noexcept {
  count_allocation();
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
  count_allocation();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size) noexcept {
  count_allocation();
  return __libc_realloc(p, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  count_allocation();
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept { return memalign(alignment, size); }
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  void* p = memalign(alignment, size);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
}
