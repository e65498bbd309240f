// Waiting on what a test needs instead of for a fixed time: a server that
// reloads, a process that starts, a key that expires.
#pragma once

#include <chrono>
#include <thread>

namespace callpolicy::testing {

// Polls `p` until it holds or `limit` passes; whether it held.
template <typename Predicate>
bool eventually(Predicate p, std::chrono::milliseconds limit = std::chrono::milliseconds(8000),
                std::chrono::milliseconds every = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (p()) return true;
    std::this_thread::sleep_for(every);
  }
  return p();
}

}  // namespace callpolicy::testing
