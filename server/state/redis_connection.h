// hiredis, as the shared store uses it: addresses, owned replies and
// contexts, commands by argv, and finding the master (directly, or through
// Redis Sentinel). Private to server/.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace callpolicy::server {

struct redis_address {
  std::string host;
  int port = 6379;
  std::string text() const { return fmt::format("{}:{}", host, port); }
};

// "HOST:PORT"; throws std::runtime_error for a malformed one.
redis_address parse_address(std::string_view text);

struct reply_deleter {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;
struct context_deleter {
  void operator()(redisContext* c) const {
    if (c) redisFree(c);
  }
};
using context_ptr = std::unique_ptr<redisContext, context_deleter>;

context_ptr connect_to(const redis_address& a, std::chrono::milliseconds connect_timeout,
                       std::chrono::milliseconds io_timeout, std::string& error);
reply_ptr command(redisContext* c, const std::vector<std::string>& argv);
// The next reply of a pipeline, as redisGetReply gives it, except that a
// reply whose unread bytes pass `reply_bytes_at_most` fails the context
// (c->err set) instead of being buffered whole: hiredis 0.14 sets no bound,
// and a broken or hostile peer can announce a bulk string of any length.
// Null on failure, with c->err and c->errstr saying why.
inline constexpr std::size_t reply_bytes_at_most = 8u << 20;
reply_ptr next_reply(redisContext* c);
std::string reply_error(const redisReply* r, const redisContext* c);

// The shared store's one warning line as it goes, and as it comes back
// (docs/operations.md, "Active calls").
void log_store_unreachable(std::string_view url, std::string_view why);
void log_store_reachable(std::string_view url, std::string_view address, std::chrono::nanoseconds outage,
                         std::size_t calls_written_back);

// What a reply holds, checked: a peer that is not Redis, or a broken one,
// may answer any type anywhere, and a wrong guess reads a null pointer.
// The text of a bulk or status string; nullopt for anything else.
std::optional<std::string_view> reply_text(const redisReply* r);
// An integer reply as a count, clamped to 0..INT32_MAX; nullopt for anything else.
std::optional<std::int32_t> reply_count(const redisReply* r);

// Where the store is: `redis://HOST:PORT`, or the master Redis Sentinel
// names, `redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER-NAME`.
struct redis_target {
  redis_address direct;
  std::vector<redis_address> sentinels;  // empty: `direct`
  std::string master_name;
};
// Throws std::runtime_error, saying what is expected, for any other URL.
redis_target parse_redis_url(std::string_view url);

// A connection to the master: `direct`, or the one the first sentinel that
// answers names as `master_name`, checked to be a master (a demoted one
// refuses writes). `address` is set to HOST:PORT; null and `error` otherwise.
context_ptr open_master(const redis_target& target, std::string& address, std::string& error);

}  // namespace callpolicy::server
