#include "server/state/redis_admin.h"

#include <chrono>

namespace callpolicy::server {
namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

bool redis_admin::count_by_clinic(std::string_view kind, std::map<std::string, std::int32_t>& out) {
  return with_connection([&](redisContext* c) {
    reply_ptr clinics = command(c, {"SMEMBERS", prefix_ + "clinics"});
    if (!clinics || clinics->type != REDIS_REPLY_ARRAY) return false;
    const std::string now = std::to_string(unix_ms(std::chrono::system_clock::now()));
    const std::string after = "(" + now;
    for (std::size_t i = 0; i < clinics->elements; ++i) {
      if (!reply_text(clinics->element[i])) return false;
    }
    for (std::size_t i = 0; i < clinics->elements; ++i) {
      const std::string clinic(*reply_text(clinics->element[i]));
      const std::string key = prefix_ + std::string(kind) + clinic;
      redisAppendCommand(c, "ZCOUNT %b %b +inf", key.data(), key.size(), after.data(),
                         after.size());
    }
    for (std::size_t i = 0; i < clinics->elements; ++i) {
      reply_ptr count = next_reply(c);
      if (!count) return false;
      if (const auto n = reply_count(count.get()); n && *n > 0) out[std::string(*reply_text(clinics->element[i]))] = *n;
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
      &error, true);
}

bool redis_admin::restore_override(const clinic_override& o, bool& written, std::string& error) {
  written = false;
  const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
                       o.until - std::chrono::system_clock::now())
                       .count();
  if (ttl <= 0) return true;
  return with_connection(
      [&](redisContext* c) {
        reply_ptr r = command(
            c, {"SET", prefix_ + "override:" + o.clinic, o.encode(), "PX", std::to_string(ttl), "NX"});
        if (!r || (r->type != REDIS_REPLY_STATUS && r->type != REDIS_REPLY_NIL)) return false;
        written = r->type == REDIS_REPLY_STATUS;
        return true;
      },
      &error, true);
}

bool redis_admin::erase_override(std::string_view clinic, bool& existed, std::string& error) {
  return with_connection(
      [&](redisContext* c) {
        // A tombstone, not a DEL: a server that still holds the override
        // must learn it was cleared, not write it back as lost. It outlives
        // any override (31 days at most).
        const std::string key = prefix_ + "override:" + std::string(clinic);
        reply_ptr previous = command(c, {"GET", key});
        const auto text = reply_text(previous.get());
        existed = text && *text != cleared_override;
        reply_ptr r = command(c, {"SET", key, std::string(cleared_override), "PX",
                                  std::to_string(std::chrono::milliseconds(std::chrono::hours(24 * 32)).count())});
        return r && r->type == REDIS_REPLY_STATUS;
      },
      &error, true);
}

bool redis_admin::load_overrides(std::vector<clinic_override>& out, std::vector<std::string>& cleared,
                                 std::string& error) {
  return with_connection(
      [&](redisContext* c) {
        const std::string prefix = prefix_ + "override:";
        std::string cursor = "0";
        // A cursor that never comes back to "0" (a broken peer) must not
        // hold the admin thread for ever: a real SCAN of this many rounds
        // would cover ten million overrides.
        constexpr int max_rounds = 10000;
        int rounds = 0;
        do {
          if (++rounds > max_rounds) return false;
          reply_ptr r = command(c, {"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
          if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return false;
          const auto next = reply_text(r->element[0]);
          const redisReply* keys = r->element[1];
          if (!next || keys->type != REDIS_REPLY_ARRAY) return false;
          cursor.assign(*next);
          for (std::size_t i = 0; i < keys->elements; ++i) {
            const auto name = reply_text(keys->element[i]);
            if (!name || !name->starts_with(prefix)) continue;
            const std::string key(*name);
            reply_ptr value = command(c, {"GET", key});
            if (!value || value->type != REDIS_REPLY_STRING) continue;
            if (std::string_view(value->str, value->len) == cleared_override) {
              cleared.push_back(key.substr(prefix.size()));
              continue;
            }
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
