#include "server/state/redis_admin.h"

#include <chrono>

#include <nlohmann/json.hpp>

namespace callpolicy::server {
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

bool redis_admin::load_inbox(std::vector<inbox_item>& out, std::string& error) {
  return with_connection(
      [&](redisContext* c) {
        out.clear();
        reply_ptr ids = command(c, {"ZRANGE", prefix_ + "inbox", "0", "-1"});
        if (!ids || ids->type != REDIS_REPLY_ARRAY) return false;
        std::vector<std::string> keys;
        for (std::size_t i = 0; i < ids->elements; ++i) {
          const auto id = reply_text(ids->element[i]);
          if (!id) return false;
          keys.emplace_back(*id);
        }
        // Pipelined: an item and its mark for each id, one round trip in all.
        for (const std::string& id : keys) {
          const std::string item = prefix_ + "inbox:item:" + id, done = prefix_ + "inbox:done:" + id;
          redisAppendCommand(c, "GET %b", item.data(), item.size());
          redisAppendCommand(c, "GET %b", done.data(), done.size());
        }
        std::vector<std::string> gone;
        for (const std::string& id : keys) {
          reply_ptr item = next_reply(c);
          reply_ptr done = next_reply(c);
          if (!item || !done) return false;
          const auto text = reply_text(item.get());
          // Expired: a done item past its month.
          if (!text) {
            gone.push_back(id);
            continue;
          }
          std::optional<inbox_item> i = item_from_json(*text);
          if (!i) continue;
          if (const auto mark = reply_text(done.get())) {
            const auto j = nlohmann::json::parse(*mark, nullptr, false);
            if (j.is_object()) {
              i->done = true;
              i->done_by = j.value("by", "");
              i->done_at_ms = j.value("at_ms", std::int64_t{0});
            }
          }
          out.push_back(std::move(*i));
        }
        for (const std::string& id : gone) command(c, {"ZREM", prefix_ + "inbox", id});
        return true;
      },
      &error);
}

bool redis_admin::mark_inbox_done(std::string_view id, std::string_view by, std::int64_t at_ms, bool& known,
                                  std::string& error) {
  return with_connection(
      [&](redisContext* c) {
        const std::string item = prefix_ + "inbox:item:" + std::string(id);
        const std::string done = prefix_ + "inbox:done:" + std::string(id);
        reply_ptr exists = command(c, {"EXISTS", item});
        if (!exists || exists->type != REDIS_REPLY_INTEGER) return false;
        known = exists->integer == 1;
        if (!known) return true;
        const std::string mark = nlohmann::json{{"by", by}, {"at_ms", at_ms}}.dump();
        const std::string kept = std::to_string(inbox::done_kept_ms);
        // The first mark stays; the item and its mark go a month after it.
        reply_ptr set = command(c, {"SET", done, mark, "NX", "PX", kept});
        if (!set || (set->type != REDIS_REPLY_STATUS && set->type != REDIS_REPLY_NIL)) return false;
        if (set->type == REDIS_REPLY_STATUS) command(c, {"PEXPIRE", item, kept});
        return true;
      },
      &error, true);
}

}  // namespace callpolicy::server
