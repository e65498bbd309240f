// The Lua scripts the shared store runs in Redis (redis_start_call.lua and
// redis_end_call.lua beside this file, embedded at build time; what each
// takes and returns is at its top), and the one place that lays out their
// KEYS and ARGV. Private to server/state/.
#pragma once

#include <hiredis/hiredis.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "server/state/call_lengths.h"

namespace callpolicy::server {

std::string_view redis_start_call_script();
std::string_view redis_end_call_script();
std::string_view redis_call_length_script();
std::string_view redis_inbox_put_script();

// One call's start, as the start script reads it.
struct start_call_args {
  std::string_view sid, clinic;
  std::string_view ai_wanted;  // ai_by_count's pattern; empty: never
  std::int64_t expires_ms = 0, now_ms = 0;
  std::uint32_t fleet_capacity = 0, clinic_capacity = 0;  // 0: none
};

// A call's length added to its clinic's window (or only the window read,
// `seconds` 0), as the length script reads it.
struct call_length_args {
  std::string_view clinic, sid;
  std::int32_t seconds = 0;
  std::int64_t ended_ms = 0, now_ms = 0, window_ms = 0;
};

// The window the length script returns: members "CallSid:seconds", each
// scored by when its call ended; nullopt for a reply of another shape.
std::optional<std::vector<call_lengths::entry>> read_call_lengths(const redisReply* reply);

// What the end script ends.
enum class script_end : char { call = '0', ai_leg = '1', ai_leg_untaken = '2' };

// The scripts on one connection: loaded once (and again after NOSCRIPT),
// then called by their SHA. The keys are built in buffers reused from one
// call to the next, so that queueing a command allocates nothing once warm.
class redis_scripts {
 public:
  redis_scripts(std::string prefix, std::chrono::milliseconds ttl);

  // Loads both scripts on `c`; false and `error` when Redis refuses.
  bool load(redisContext* c, std::string& error);
  void append_start(redisContext* c, const start_call_args& call);
  void append_end(redisContext* c, std::string_view sid, script_end what);
  void append_length(redisContext* c, const call_length_args& call);
  // An inbox item kept (docs/operations.md, "The inbox"), as JSON.
  void append_inbox_item(redisContext* c, std::string_view id, std::int64_t time_ms, std::string_view item_json);

 private:
  std::string_view key(std::size_t buffer, std::string_view kind, std::string_view name);

  const std::string prefix_;
  const std::string ttl_ms_;
  std::string start_sha_, end_sha_, length_sha_, inbox_sha_;
  std::array<std::string, 7> keys_;
};

}  // namespace callpolicy::server
