// Active calls per clinic (SPEC 5): a call counts from its voice webhook
// until a final status callback or until the call TTL passes; a repeated
// webhook for one CallSid counts once. In memory for one server, or in Redis
// so that several servers share the counts and overflow holds across them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace callpolicy::server {

using clock_type = std::chrono::system_clock;

// Twilio's CallSid: "CA" and 32 hex digits (what the memory store keys by).
bool is_call_sid(std::string_view sid);

class call_state {
 public:
  virtual ~call_state() = default;
  // Registers the call (once per sid) and returns how many other calls of
  // the clinic are active. Negative when the store cannot answer.
  virtual std::int32_t start_call(std::string_view call_sid, std::string_view clinic,
                                  clock_type::time_point started) = 0;
  // Ends the call; false when it was not active.
  virtual bool end_call(std::string_view call_sid) = 0;
  virtual std::map<std::string, std::int32_t> active_by_clinic() = 0;

  struct live_call {
    std::string call_sid, clinic;
    clock_type::time_point started;
  };
  // The calls this server counts itself, for a journal snapshot; empty for
  // a shared store, which keeps its own.
  virtual std::vector<live_call> live_calls() { return {}; }
};

std::unique_ptr<call_state> make_memory_state(std::chrono::seconds ttl);
// "redis://HOST:PORT"; throws std::runtime_error when it cannot connect.
std::unique_ptr<call_state> make_redis_state(const std::string& url, std::chrono::seconds ttl);

}  // namespace callpolicy::server
