// Per-connection memory for one request and its response, after Beast's
// http_server_fast: a fixed block handed out by bumping a pointer and
// reset before each request, so that parsing headers, holding the body and
// building the response take nothing from the heap. A request larger than
// the block (a body near the 64 KiB cap) falls back to the heap for the
// rest, so nothing is refused for the arena's sake.
#pragma once

#include <atomic>
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

// Memory for the asynchronous operations of one connection (reads, writes,
// their timers): a few fixed slots reused from one operation to the next,
// as in Asio's custom-allocation example, so that steady traffic takes
// nothing from the heap for them. An operation larger than a slot, or
// beyond the slots in use, falls back to the heap. One connection's
// operations all run on its worker's thread, so no locking.
class handler_memory {
 public:
  handler_memory() = default;
  handler_memory(const handler_memory&) = delete;
  handler_memory& operator=(const handler_memory&) = delete;

  void* allocate(std::size_t bytes, std::size_t alignment) {
    if (bytes <= slot_size && alignment <= alignof(std::max_align_t)) {
      for (std::size_t i = 0; i < slots; ++i) {
        if (!in_use_[i]) {
          in_use_[i] = true;
          return &storage_[i * slot_size];
        }
      }
    }
    return ::operator new(bytes);
  }

  void deallocate(void* p) noexcept {
    const auto* b = static_cast<const std::byte*>(p);
    if (b >= storage_ && b < storage_ + sizeof storage_) {
      in_use_[static_cast<std::size_t>(b - storage_) / slot_size] = false;
    } else {
      ::operator delete(p);
    }
  }

 private:
  static constexpr std::size_t slots = 4;
  static constexpr std::size_t slot_size = 1024;
  alignas(std::max_align_t) std::byte storage_[slots * slot_size];
  bool in_use_[slots] = {};
};

// Memory for an operation posted to a connection from another thread (the
// journal's writer, the shared store's): allocated there, freed on the
// connection's thread before the handler runs. One slot, taken and given
// back atomically; a second hop while the first is queued (a store's answer
// arriving after its timeout) takes the heap.
class hop_memory {
 public:
  hop_memory() = default;
  hop_memory(const hop_memory&) = delete;
  hop_memory& operator=(const hop_memory&) = delete;

  void* allocate(std::size_t bytes, std::size_t alignment) {
    if (bytes <= sizeof storage_ && alignment <= alignof(std::max_align_t) &&
        !in_use_.exchange(true, std::memory_order_acquire)) {
      return storage_;
    }
    return ::operator new(bytes);
  }

  void deallocate(void* p) noexcept {
    if (p == storage_) {
      in_use_.store(false, std::memory_order_release);
    } else {
      ::operator delete(p);
    }
  }

 private:
  alignas(std::max_align_t) std::byte storage_[256];
  std::atomic<bool> in_use_{false};
};

// A standard allocator over one of the memories above (anything with
// allocate(bytes, alignment) and deallocate(p)): arena_allocator for Beast's
// fields and bodies, with_memory's for asynchronous operations.
template <class T, class Memory>
class memory_allocator {
 public:
  using value_type = T;
  explicit memory_allocator(Memory& memory) noexcept : memory_(&memory) {}
  template <class U>
  memory_allocator(const memory_allocator<U, Memory>& other) noexcept : memory_(other.memory()) {}

  T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t) noexcept { memory_->deallocate(p); }
  Memory* memory() const noexcept { return memory_; }

  template <class U>
  bool operator==(const memory_allocator<U, Memory>& other) const noexcept {
    return memory_ == other.memory();
  }

 private:
  Memory* memory_;
};

template <class T>
using arena_allocator = memory_allocator<T, request_arena>;

// A completion handler whose operations take their memory from `memory`:
// Asio and Beast allocate through a handler's associated allocator.
template <class Memory, class Handler>
class with_memory {
 public:
  using allocator_type = memory_allocator<void, Memory>;
  with_memory(Memory& memory, Handler handler) : memory_(&memory), handler_(std::move(handler)) {}
  allocator_type get_allocator() const noexcept { return allocator_type(*memory_); }
  template <class... Args>
  void operator()(Args&&... args) {
    handler_(std::forward<Args>(args)...);
  }

 private:
  Memory* memory_;
  Handler handler_;
};

}  // namespace callpolicy::server
