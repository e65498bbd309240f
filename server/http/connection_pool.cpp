#include "server/http/connection_pool.h"

namespace callpolicy::server {

connection_pool::connection_pool() {
  // Reserved once, so that giving back never allocates.
  memories_.reserve(kept);
  blocks_.reserve(kept);
}

connection_pool::~connection_pool() {
  for (connection_memory* m : memories_) delete m;
  for (void* b : blocks_) ::operator delete(b);
}

namespace {

// The last one kept, or nullptr. Under the pool's lock.
template <class T>
T* take_kept(std::vector<T*>& kept) {
  if (kept.empty()) return nullptr;
  T* item = kept.back();
  kept.pop_back();
  return item;
}

// Kept unless `limit` are already; the capacity was reserved, so this never
// allocates. Under the pool's lock.
template <class T>
bool keep(std::vector<T*>& kept, T* item, std::size_t limit) {
  if (kept.size() >= limit) return false;
  kept.push_back(item);
  return true;
}

}  // namespace

connection_memory* connection_pool::take_memory() {
  {
    std::lock_guard lock(mutex_);
    if (connection_memory* m = take_kept(memories_)) return m;
  }
  return new connection_memory();
}

void connection_pool::give_memory(connection_memory* memory) noexcept {
  memory->clear();
  {
    std::lock_guard lock(mutex_);
    if (keep(memories_, memory, kept)) return;
  }
  delete memory;
}

void* connection_pool::take_block(std::size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (block_size_ == 0) block_size_ = bytes;
    if (bytes == block_size_) {
      if (void* b = take_kept(blocks_)) return b;
    }
  }
  return ::operator new(bytes);
}

void connection_pool::give_block(void* block, std::size_t bytes) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (bytes == block_size_ && keep(blocks_, block, kept)) return;
  }
  ::operator delete(block);
}

}  // namespace callpolicy::server
