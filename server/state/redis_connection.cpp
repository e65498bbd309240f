#include "server/state/redis_connection.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "server/clock.h"
#include "server/json_line.h"
#include "server/log.h"

namespace callpolicy::server {

redis_address parse_address(std::string_view text) {
  redis_address a;
  const auto colon = text.rfind(':');
  a.host = std::string(text.substr(0, colon));
  if (a.host.empty()) a.host = "127.0.0.1";
  if (colon != std::string_view::npos) {
    const std::string port(text.substr(colon + 1));
    std::size_t used = 0;
    int value = 0;
    try {
      value = std::stoi(port, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != port.size() || value <= 0 || value > 65535) {
      throw std::runtime_error(fmt::format("'{}' is not HOST:PORT", text));
    }
    a.port = value;
  }
  return a;
}

context_ptr connect_to(const redis_address& a, std::chrono::milliseconds connect_timeout,
                       std::chrono::milliseconds io_timeout, std::string& error) {
  const timeval connect_tv{static_cast<time_t>(connect_timeout.count() / 1000),
                           static_cast<suseconds_t>(connect_timeout.count() % 1000 * 1000)};
  context_ptr c(redisConnectWithTimeout(a.host.c_str(), a.port, connect_tv));
  if (!c || c->err) {
    error =
        fmt::format("cannot connect to redis at {}: {}", a.text(), c ? c->errstr : "out of memory");
    return nullptr;
  }
  const timeval io_tv{static_cast<time_t>(io_timeout.count() / 1000),
                      static_cast<suseconds_t>(io_timeout.count() % 1000 * 1000)};
  redisSetTimeout(c.get(), io_tv);
  return c;
}

reply_ptr command(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> parts;
  std::vector<std::size_t> lengths;
  for (const std::string& a : argv) {
    parts.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(c, static_cast<int>(parts.size()), parts.data(), lengths.data()) != REDIS_OK) {
    return nullptr;
  }
  return next_reply(c);
}

reply_ptr next_reply(redisContext* c) {
  // redisGetReply's own steps, with the reader's buffer measured after each read.
  void* raw = nullptr;
  if (redisGetReplyFromReader(c, &raw) != REDIS_OK) return nullptr;
  if (raw) return reply_ptr(static_cast<redisReply*>(raw));
  int written = 0;
  while (!written) {
    if (redisBufferWrite(c, &written) != REDIS_OK) return nullptr;
  }
  while (!raw) {
    if (redisBufferRead(c) != REDIS_OK) return nullptr;
    if (c->reader->len - c->reader->pos > reply_bytes_at_most) {
      c->err = REDIS_ERR_PROTOCOL;
      std::snprintf(c->errstr, sizeof c->errstr, "a reply longer than %zu bytes", reply_bytes_at_most);
      return nullptr;
    }
    if (redisGetReplyFromReader(c, &raw) != REDIS_OK) return nullptr;
  }
  return reply_ptr(static_cast<redisReply*>(raw));
}

std::string reply_error(const redisReply* r, const redisContext* c) {
  if (!r) return c && c->err ? c->errstr : "no reply";
  if (r->type == REDIS_REPLY_ERROR) return std::string(r->str, r->len);
  return "unexpected reply";
}

std::optional<std::string_view> reply_text(const redisReply* r) {
  if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) || (!r->str && r->len > 0)) {
    return std::nullopt;
  }
  return std::string_view(r->str ? r->str : "", r->len);
}

std::optional<std::int32_t> reply_count(const redisReply* r) {
  if (!r || r->type != REDIS_REPLY_INTEGER) return std::nullopt;
  return static_cast<std::int32_t>(std::clamp<long long>(r->integer, 0, INT32_MAX));
}

redis_target parse_redis_url(std::string_view url) {
  redis_target out;
  std::string_view rest(url);
  if (rest.starts_with("redis://")) {
    rest.remove_prefix(8);
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    out.direct = parse_address(rest);
  } else if (rest.starts_with("redis-sentinel://")) {
    rest.remove_prefix(17);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 >= rest.size()) {
      throw std::runtime_error("expected redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER-NAME");
    }
    out.master_name = std::string(rest.substr(slash + 1));
    std::string_view hosts = rest.substr(0, slash);
    while (!hosts.empty()) {
      const auto comma = hosts.find(',');
      out.sentinels.push_back(parse_address(hosts.substr(0, comma)));
      hosts = comma == std::string_view::npos ? std::string_view{} : hosts.substr(comma + 1);
    }
  } else {
    throw std::runtime_error("expected memory, redis://HOST:PORT or redis-sentinel://HOST:PORT,.../MASTER");
  }
  return out;
}

context_ptr open_master(const redis_target& where, std::string& address, std::string& error) {
  redis_address target = where.direct;
  if (!where.sentinels.empty()) {
    bool found = false;
    for (const redis_address& s : where.sentinels) {
      std::string why;
      context_ptr sentinel =
          connect_to(s, std::chrono::milliseconds(300), std::chrono::milliseconds(500), why);
      if (!sentinel) {
        error = why;
        continue;
      }
      reply_ptr r = command(sentinel.get(), {"SENTINEL", "get-master-addr-by-name", where.master_name});
      const auto host = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 ? reply_text(r->element[0]) : std::nullopt;
      const auto port_text = host ? reply_text(r->element[1]) : std::nullopt;
      int port = 0;
      const bool port_ok = port_text &&
                           std::from_chars(port_text->data(), port_text->data() + port_text->size(), port).ec ==
                               std::errc() &&
                           port > 0 && port <= 65535;
      if (!host || host->empty() || !port_ok) {
        error = fmt::format("sentinel {} knows no master '{}'{}", s.text(), where.master_name,
                            r ? "" : std::string(": ") + sentinel->errstr);
        continue;
      }
      target.host.assign(*host);
      target.port = port;
      found = true;
      break;
    }
    if (!found) return nullptr;
  }
  context_ptr c =
      connect_to(target, std::chrono::milliseconds(500), std::chrono::milliseconds(1000), error);
  if (!c) return nullptr;
  if (!where.sentinels.empty()) {
    reply_ptr role = command(c.get(), {"ROLE"});
    const bool master = role && role->type == REDIS_REPLY_ARRAY && role->elements > 0 &&
                        reply_text(role->element[0]) == std::optional<std::string_view>("master");
    if (!master) {
      error = fmt::format("{} is not the master of '{}' (a failover under way?)", target.text(),
                          where.master_name);
      return nullptr;
    }
  }
  address = target.text();
  return c;
}

void log_store_unreachable(std::string_view url, std::string_view why) {
  std::string line;
  json_line(line)
      .add("level", "warning")
      .add("time_ms", unix_ms(clock_type::now()))
      .add("message", "state store unreachable: deciding with this server's own counts until it returns")
      .add("state", url)
      .add("error", why)
      .end_line();
  write_log(line);
}

void log_store_reachable(std::string_view url, std::string_view address, std::chrono::nanoseconds outage,
                         std::size_t calls_written_back) {
  std::string line;
  json_line(line)
      .add("level", "warning")
      .add("time_ms", unix_ms(clock_type::now()))
      .add("message", "state store reachable again")
      .add("state", url)
      .add("address", address)
      .add("outage_ms", std::chrono::duration_cast<std::chrono::milliseconds>(outage).count())
      .add("calls_written_back", static_cast<std::int64_t>(calls_written_back))
      .end_line();
  write_log(line);
}

}  // namespace callpolicy::server
