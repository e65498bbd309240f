#include "server/redis_admin.h"

#include <chrono>

namespace callpolicy::server {
namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

bool redis_admin::active_by_clinic(std::map<std::string, std::int32_t>& out) {
  return with_connection([&](redisContext* c) {
    reply_ptr clinics = command(c, {"SMEMBERS", prefix_ + "clinics"});
    if (!clinics || clinics->type != REDIS_REPLY_ARRAY) return false;
    const std::string now = std::to_string(unix_ms(std::chrono::system_clock::now()));
    const std::string after = "(" + now;
    for (std::size_t i = 0; i < clinics->elements; ++i) {
      const std::string clinic(clinics->element[i]->str, clinics->element[i]->len);
      const std::string key = prefix_ + "calls:" + clinic;
      redisAppendCommand(c, "ZCOUNT %b %b +inf", key.data(), key.size(), after.data(),
                         after.size());
    }
    for (std::size_t i = 0; i < clinics->elements; ++i) {
      redisReply* raw = nullptr;
      if (redisGetReply(c, reinterpret_cast<void**>(&raw)) != REDIS_OK) return false;
      reply_ptr count(raw);
      if (count->type == REDIS_REPLY_INTEGER && count->integer > 0) {
        out[std::string(clinics->element[i]->str, clinics->element[i]->len)] =
            static_cast<std::int32_t>(count->integer);
      }
    }
    return true;
  });
}

bool redis_admin::put_override(const clinic_override& o, std::string& error) {
  const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
                       o.until - std::chrono::system_clock::now())
                       .count();
  if (ttl <= 0) return true;
  return with_connection(
      [&](redisContext* c) {
        reply_ptr r = command(
            c, {"SET", prefix_ + "override:" + o.clinic, o.encode(), "PX", std::to_string(ttl)});
        return r && r->type == REDIS_REPLY_STATUS;
      },
      &error);
}

bool redis_admin::erase_override(std::string_view clinic, bool& existed, std::string& error) {
  return with_connection(
      [&](redisContext* c) {
        reply_ptr r = command(c, {"DEL", prefix_ + "override:" + std::string(clinic)});
        if (!r || r->type != REDIS_REPLY_INTEGER) return false;
        existed = r->integer > 0;
        return true;
      },
      &error);
}

bool redis_admin::load_overrides(std::vector<clinic_override>& out, std::string& error) {
  return with_connection(
      [&](redisContext* c) {
        const std::string prefix = prefix_ + "override:";
        std::string cursor = "0";
        do {
          reply_ptr r = command(c, {"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
          if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return false;
          cursor.assign(r->element[0]->str, r->element[0]->len);
          const redisReply* keys = r->element[1];
          for (std::size_t i = 0; i < keys->elements; ++i) {
            const std::string key(keys->element[i]->str, keys->element[i]->len);
            reply_ptr value = command(c, {"GET", key});
            if (!value || value->type != REDIS_REPLY_STRING) continue;
            if (auto o = clinic_override::decode(std::string_view(key).substr(prefix.size()),
                                                 std::string_view(value->str, value->len))) {
              out.push_back(std::move(*o));
            }
          }
        } while (cursor != "0");
        return true;
      },
      &error);
}

}  // namespace callpolicy::server
