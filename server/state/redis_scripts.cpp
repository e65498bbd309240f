#include "server/state/redis_scripts.h"

#include <fmt/format.h>

#include "server/state/redis_connection.h"

namespace callpolicy::server {

namespace {

// redisAppendCommandArgv with every argument's length given, so that no
// argument needs a terminating NUL.
template <std::size_t N>
void append_argv(redisContext* c, const std::array<std::string_view, N>& args) {
  std::array<const char*, N> argv;
  std::array<std::size_t, N> lengths;
  for (std::size_t i = 0; i < N; ++i) {
    argv[i] = args[i].data();
    lengths[i] = args[i].size();
  }
  redisAppendCommandArgv(c, static_cast<int>(N), argv.data(), lengths.data());
}

}  // namespace

redis_scripts::redis_scripts(std::string prefix, std::chrono::milliseconds ttl)
    : prefix_(std::move(prefix)), ttl_ms_(std::to_string(ttl.count())) {}

bool redis_scripts::load(redisContext* c, std::string& error) {
  reply_ptr start = command(c, {"SCRIPT", "LOAD", std::string(redis_start_call_script())});
  reply_ptr end = command(c, {"SCRIPT", "LOAD", std::string(redis_end_call_script())});
  if (!start || start->type != REDIS_REPLY_STRING || !end || end->type != REDIS_REPLY_STRING) {
    error = "SCRIPT LOAD failed: " +
            reply_error(start && start->type == REDIS_REPLY_ERROR ? start.get() : end.get(), c);
    return false;
  }
  start_sha_.assign(start->str, start->len);
  end_sha_.assign(end->str, end->len);
  return true;
}

std::string_view redis_scripts::key(std::size_t buffer, std::string_view kind,
                                    std::string_view name) {
  return keys_[buffer].assign(prefix_).append(kind).append(name);
}

void redis_scripts::append_start(redisContext* c, const start_call_args& call) {
  const fmt::format_int expires(call.expires_ms), now(call.now_ms), fleet(call.fleet_capacity),
      own(call.clinic_capacity);
  append_argv<17>(c, {"EVALSHA",
                      start_sha_,
                      "6",
                      key(0, "calls:", call.clinic),
                      key(1, "call:", call.sid),
                      key(2, "override:", call.clinic),
                      key(3, "ai:", call.sid),
                      key(4, "ai_legs", {}),
                      key(5, "ai_legs:", call.clinic),
                      call.sid,
                      {expires.data(), expires.size()},
                      {now.data(), now.size()},
                      call.clinic,
                      key(6, "clinics", {}),
                      call.ai_wanted.empty() ? "0" : call.ai_wanted,
                      {fleet.data(), fleet.size()},
                      {own.data(), own.size()}});
}

void redis_scripts::append_end(redisContext* c, std::string_view sid, script_end what) {
  const char what_text = static_cast<char>(what);
  append_argv<9>(c, {"EVALSHA", end_sha_, "2", key(0, "call:", sid), key(1, "ai:", sid), sid,
                     prefix_, ttl_ms_, std::string_view(&what_text, 1)});
}

}  // namespace callpolicy::server
