// The memory a connection reuses from one request to the next (its read
// buffer, request arena, response and the buffer it is sent from), and the
// pool that keeps it, with each session's block, from one connection to the
// next. Private to server/http/.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>

#include "server/http/request_arena.h"
#include "server/response.h"
#include "server/twilio/pending_call.h"

namespace callpolicy::server {

// A chunk's size line with its extensions, and the trailer section, must fit
// in the read buffer whole before Beast parses them, so its cap bounds both
// (and keeps Boost 1.74 from throwing on a trailer field over 64 KiB).
inline constexpr std::size_t read_buffer_limit = 32 * 1024;
inline constexpr std::size_t read_reserve = 4 * 1024;
// A connection keeps its response buffer up to this size between requests.
inline constexpr std::size_t wire_keep = 16 * 1024;
// Room for a Twilio webhook's headers and form body and the response; a
// larger request takes the rest from the heap.
inline constexpr std::size_t arena_size = 16 * 1024;

// What a connection reuses from one request to the next, and the pool keeps
// from one connection to the next.
struct connection_memory {
  // Beast reads max(512, free capacity) bytes at a time: from an empty
  // buffer a Twilio webhook (about 1.5 KiB) took two reads.
  connection_memory() : buffer(read_buffer_limit), arena(arena_size) {
    buffer.reserve(read_reserve);
  }

  // As new, keeping what a Twilio webhook needs and no more: nothing over
  // 16 KiB (a status page, a hostile request's long fields) stays pooled.
  void clear() {
    buffer.clear();
    if (buffer.capacity() > read_reserve) {
      buffer.shrink_to_fit();
      buffer.reserve(read_reserve);
    }
    arena.reset();
    out.clear();
    call.clear();
    for (std::string* text :
         {&wire, &out.body, &out.journal_line, &out.reason, &out.clinic, &out.call_sid, &out.action,
          &out.recording_sid, &call.to, &call.from, &call.forwarded_from, &call.ai_wanted}) {
      if (text->capacity() > wire_keep) std::string().swap(*text);
      text->clear();
    }
  }

  boost::beast::flat_buffer buffer;
  request_arena arena;
  std::string wire;
  response out;
  pending_call call;  // a call waiting for the shared store, beside its answer
};

// The memory of closed connections, kept for the next ones: each session's
// block and its buffers (read buffer, request arena, response and wire), so
// that a client or proxy that opens a connection per request (nginx's
// default upstream) does not have every request build them from nothing.
// At most `kept` of each are kept, so the pool is bounded by the peak of
// connections open at once. A session may end on any thread (the journal's,
// the store's), so a lock guards it.
class connection_pool {
 public:
  connection_pool();
  ~connection_pool();
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  connection_memory* take_memory();
  void give_memory(connection_memory* memory) noexcept;  // cleared for the next connection
  // A deleter that gives the memory back.
  struct giver {
    connection_pool* pool;
    void operator()(connection_memory* memory) const noexcept { pool->give_memory(memory); }
  };
  void* take_block(std::size_t bytes);
  void give_block(void* block, std::size_t bytes) noexcept;

 private:
  static constexpr std::size_t kept = 256;
  std::mutex mutex_;
  std::vector<connection_memory*> memories_;
  std::size_t block_size_ = 0;  // the first block's, the session's; others go to the heap
  std::vector<void*> blocks_;
};

// One session's block (the session and its shared_ptr count, in one piece)
// from the pool.
template <class T>
class pooled_allocator {
 public:
  using value_type = T;
  explicit pooled_allocator(connection_pool& pool) noexcept : pool_(&pool) {}
  template <class U>
  pooled_allocator(const pooled_allocator<U>& other) noexcept : pool_(other.pool()) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(n == 1 ? pool_->take_block(sizeof(T)) : ::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n == 1) {
      pool_->give_block(p, sizeof(T));
    } else {
      ::operator delete(p);
    }
  }
  connection_pool* pool() const noexcept { return pool_; }
  template <class U>
  bool operator==(const pooled_allocator<U>& other) const noexcept {
    return pool_ == other.pool();
  }

 private:
  connection_pool* pool_;
};

}  // namespace callpolicy::server
