#include "server/call_state.h"

#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <hiredis/hiredis.h>

namespace callpolicy::server {
namespace {

class memory_state final : public call_state {
 public:
  explicit memory_state(std::chrono::seconds ttl) : ttl_(ttl) {}

  std::int32_t start_call(std::string_view call_sid, std::string_view clinic,
                          clock_type::time_point started) override {
    std::lock_guard lock(mutex_);
    const auto now = clock_type::now();
    expire(now);
    const auto expires = started + ttl_;
    if (expires <= now) return count_of(clinic);  // replayed and already over
    const auto [it, inserted] = calls_.try_emplace(std::string(call_sid), std::string(clinic), expires);
    if (inserted) ++counts_[std::string(clinic)];
    return count_of(clinic) - 1;
  }

  bool end_call(std::string_view call_sid) override {
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(std::string(call_sid));
    if (it == calls_.end()) return false;
    --counts_[it->second.clinic];
    calls_.erase(it);
    return true;
  }

  std::map<std::string, std::int32_t> active_by_clinic() override {
    std::lock_guard lock(mutex_);
    expire(clock_type::now());
    return {counts_.begin(), counts_.end()};
  }

 private:
  struct call {
    call(std::string c, clock_type::time_point e) : clinic(std::move(c)), expires(e) {}
    std::string clinic;
    clock_type::time_point expires;
  };

  std::int32_t count_of(std::string_view clinic) const {
    const auto it = counts_.find(std::string(clinic));
    return it == counts_.end() ? 0 : it->second;
  }

  // Linear, but only over live calls, which a clinic set keeps in the hundreds.
  void expire(clock_type::time_point now) {
    for (auto it = calls_.begin(); it != calls_.end();) {
      if (it->second.expires <= now) {
        --counts_[it->second.clinic];
        it = calls_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, call> calls_;
  std::map<std::string, std::int32_t> counts_;
};

// Per clinic, a sorted set of CallSids scored by expiry (ms); per call, a key
// naming its clinic, expiring with it. The Lua scripts keep each step atomic
// across servers.
constexpr const char* start_script = R"(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[4], 'PX', tonumber(ARGV[2]) - tonumber(ARGV[3]))
  redis.call('SADD', 'callpolicy:clinics', ARGV[4])
end
local count = redis.call('ZCARD', KEYS[1])
if known or tonumber(ARGV[2]) > tonumber(ARGV[3]) then count = count - 1 end
return count
)";

constexpr const char* end_script = R"(
local clinic = redis.call('GET', KEYS[1])
if not clinic then return 0 end
redis.call('DEL', KEYS[1])
return redis.call('ZREM', 'callpolicy:calls:' .. clinic, ARGV[1])
)";

class redis_state final : public call_state {
 public:
  redis_state(const std::string& host, int port, std::chrono::seconds ttl) : ttl_(ttl) {
    const timeval timeout{2, 0};
    context_ = redisConnectWithTimeout(host.c_str(), port, timeout);
    if (!context_ || context_->err) {
      const std::string why = context_ ? context_->errstr : "out of memory";
      if (context_) redisFree(context_);
      throw std::runtime_error(fmt::format("cannot connect to redis at {}:{}: {}", host, port, why));
    }
    redisSetTimeout(context_, timeout);
  }
  ~redis_state() override { redisFree(context_); }

  std::int32_t start_call(std::string_view call_sid, std::string_view clinic,
                          clock_type::time_point started) override {
    const auto ms = [](clock_type::time_point t) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    };
    const std::string zset = fmt::format("callpolicy:calls:{}", clinic);
    const std::string key = fmt::format("callpolicy:call:{}", call_sid);
    const std::string expires = std::to_string(ms(started + ttl_));
    const std::string now = std::to_string(ms(clock_type::now()));
    const std::string sid(call_sid);
    const std::string name(clinic);
    std::lock_guard lock(mutex_);
    redisReply* reply = static_cast<redisReply*>(redisCommand(
        context_, "EVAL %s 2 %s %s %s %s %s %s", start_script, zset.c_str(), key.c_str(),
        sid.c_str(), expires.c_str(), now.c_str(), name.c_str()));
    const std::int32_t count =
        reply && reply->type == REDIS_REPLY_INTEGER ? static_cast<std::int32_t>(reply->integer) : -1;
    if (reply) freeReplyObject(reply);
    return count;
  }

  bool end_call(std::string_view call_sid) override {
    const std::string key = fmt::format("callpolicy:call:{}", call_sid);
    const std::string sid(call_sid);
    std::lock_guard lock(mutex_);
    redisReply* reply = static_cast<redisReply*>(
        redisCommand(context_, "EVAL %s 1 %s %s", end_script, key.c_str(), sid.c_str()));
    const bool ended = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
    if (reply) freeReplyObject(reply);
    return ended;
  }

  std::map<std::string, std::int32_t> active_by_clinic() override {
    std::map<std::string, std::int32_t> out;
    std::lock_guard lock(mutex_);
    redisReply* clinics = static_cast<redisReply*>(redisCommand(context_, "SMEMBERS callpolicy:clinics"));
    if (!clinics || clinics->type != REDIS_REPLY_ARRAY) {
      if (clinics) freeReplyObject(clinics);
      return out;
    }
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         clock_type::now().time_since_epoch()).count();
    for (std::size_t i = 0; i < clinics->elements; ++i) {
      const std::string clinic(clinics->element[i]->str, clinics->element[i]->len);
      redisReply* count = static_cast<redisReply*>(redisCommand(
          context_, "ZCOUNT callpolicy:calls:%s (%lld +inf", clinic.c_str(), static_cast<long long>(now)));
      if (count && count->type == REDIS_REPLY_INTEGER) out[clinic] = static_cast<std::int32_t>(count->integer);
      if (count) freeReplyObject(count);
    }
    freeReplyObject(clinics);
    return out;
  }

 private:
  std::chrono::seconds ttl_;
  std::mutex mutex_;  // one connection; Redis answers in microseconds on loopback
  redisContext* context_ = nullptr;
};

}  // namespace

std::unique_ptr<call_state> make_memory_state(std::chrono::seconds ttl) {
  return std::make_unique<memory_state>(ttl);
}

std::unique_ptr<call_state> make_redis_state(const std::string& url, std::chrono::seconds ttl) {
  std::string_view rest(url);
  if (!rest.starts_with("redis://")) throw std::runtime_error("expected redis://HOST:PORT");
  rest.remove_prefix(8);
  const auto colon = rest.rfind(':');
  const std::string host(rest.substr(0, colon));
  int port = 6379;
  if (colon != std::string_view::npos) port = std::stoi(std::string(rest.substr(colon + 1)));
  return std::make_unique<redis_state>(host.empty() ? "127.0.0.1" : host, port, ttl);
}

}  // namespace callpolicy::server
