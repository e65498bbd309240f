#include "server/state/redis_scripts.h"

#include <charconv>

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
  reply_ptr length = command(c, {"SCRIPT", "LOAD", std::string(redis_call_length_script())});
  reply_ptr inbox = command(c, {"SCRIPT", "LOAD", std::string(redis_inbox_put_script())});
  for (const reply_ptr* r : {&start, &end, &length, &inbox}) {
    if (!*r || (*r)->type != REDIS_REPLY_STRING) {
      error = "SCRIPT LOAD failed: " + reply_error(*r ? r->get() : nullptr, c);
      return false;
    }
  }
  start_sha_.assign(start->str, start->len);
  end_sha_.assign(end->str, end->len);
  length_sha_.assign(length->str, length->len);
  inbox_sha_.assign(inbox->str, inbox->len);
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

std::optional<std::vector<call_lengths::entry>> read_call_lengths(const redisReply* r) {
  if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) return std::nullopt;
  std::vector<call_lengths::entry> entries;
  for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
    const auto member = reply_text(r->element[i]);
    const auto score = reply_text(r->element[i + 1]);
    if (!member || !score) return std::nullopt;
    const std::size_t colon = member->rfind(':');
    if (colon == std::string_view::npos) continue;
    std::int32_t seconds = 0;
    std::int64_t ended_ms = 0;
    const std::string_view length = member->substr(colon + 1);
    if (std::from_chars(length.data(), length.data() + length.size(), seconds).ec != std::errc{}) continue;
    if (std::from_chars(score->data(), score->data() + score->size(), ended_ms).ec != std::errc{}) continue;
    entries.push_back({std::string(member->substr(0, colon)), seconds,
                       clock_type::time_point(std::chrono::milliseconds(ended_ms))});
  }
  return entries;
}

void redis_scripts::append_length(redisContext* c, const call_length_args& call) {
  const fmt::format_int ended(call.ended_ms), now(call.now_ms), window(call.window_ms);
  // "CallSid:seconds": a retried callback writes the same member again.
  std::string& member = keys_[1];
  member.clear();
  if (call.seconds > 0) member.append(call.sid).append(":").append(fmt::format_int(call.seconds).str());
  append_argv<8>(c, {"EVALSHA", length_sha_, "1", key(0, "lengths:", call.clinic), {now.data(), now.size()},
                     {window.data(), window.size()}, member, {ended.data(), ended.size()}});
}

void redis_scripts::append_inbox_item(redisContext* c, std::string_view id, std::int64_t time_ms,
                                      std::string_view item_json) {
  const fmt::format_int time(time_ms);
  append_argv<8>(c, {"EVALSHA", inbox_sha_, "2", key(0, "inbox:item:", id), key(1, "inbox", {}), item_json,
                     {time.data(), time.size()}, id});
}

}  // namespace callpolicy::server
