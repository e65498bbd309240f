// Per-connection memory for one request and its response, after Beast's
// http_server_fast: a fixed block handed out by bumping a pointer and
// reset before each request, so that parsing headers, holding the body and
// building the response take nothing from the heap. A request larger than
// the block (a body near the 64 KiB cap) falls back to the heap for the
// rest, so nothing is refused for the arena's sake.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

namespace callpolicy::server {

class request_arena {
 public:
  explicit request_arena(std::size_t size) : block_(new std::byte[size]), size_(size) {}
  request_arena(const request_arena&) = delete;
  request_arena& operator=(const request_arena&) = delete;

  void* allocate(std::size_t bytes, std::size_t alignment) {
    std::size_t at = (used_ + alignment - 1) & ~(alignment - 1);
    if (at + bytes <= size_) {
      used_ = at + bytes;
      return block_.get() + at;
    }
    return ::operator new(bytes);
  }

  void deallocate(void* p) noexcept {
    if (!owns(p)) ::operator delete(p);
    // Memory of the block comes back all at once, at reset().
  }

  // Only when nothing allocated from the block is alive any more.
  void reset() noexcept { used_ = 0; }
  std::size_t used() const { return used_; }

 private:
  bool owns(const void* p) const {
    const auto* b = static_cast<const std::byte*>(p);
    return b >= block_.get() && b < block_.get() + size_;
  }

  std::unique_ptr<std::byte[]> block_;
  std::size_t size_;
  std::size_t used_ = 0;
};

// A standard allocator over a request_arena, for Beast's fields and bodies.
template <class T>
class arena_allocator {
 public:
  using value_type = T;
  explicit arena_allocator(request_arena& arena) noexcept : arena_(&arena) {}
  template <class U>
  arena_allocator(const arena_allocator<U>& other) noexcept : arena_(other.arena()) {}

  T* allocate(std::size_t n) { return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t) noexcept { arena_->deallocate(p); }
  request_arena* arena() const noexcept { return arena_; }

  template <class U>
  bool operator==(const arena_allocator<U>& other) const noexcept {
    return arena_ == other.arena();
  }

 private:
  request_arena* arena_;
};

}  // namespace callpolicy::server
