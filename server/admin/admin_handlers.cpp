#include "server/admin/admin_handlers.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/parser.h"
#include "runtime/evaluator.h"
#include "server/json_line.h"
#include "server/log.h"
#include "server/admin/status_page.h"

namespace callpolicy::server {

namespace {

// A reason is shown on the status page, in logs and in the journal, and is
// the call's reason in metrics: no character that moves or hides text there.
// C0 and DEL, C1 (U+0080-U+009F), and the bidirectional marks, embeddings,
// overrides and isolates (U+061C, U+200E-F, U+202A-E, U+2066-9). The text is
// UTF-8 already (the JSON parser checks it).
bool holds_control_or_bidi(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    const auto next = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
    if (b < 0x20 || b == 0x7f) return true;
    if (b == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) return true;
    if (b == 0xD8 && next(1) == 0x9C) return true;
    if (b == 0xE2 && next(1) == 0x80 && (next(2) == 0x8E || next(2) == 0x8F || (next(2) >= 0xAA && next(2) <= 0xAE))) {
      return true;
    }
    if (b == 0xE2 && next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9) return true;
  }
  return false;
}

// The host of a Host header or listen address, without its port and, for
// IPv6, without its brackets; lower case.
std::string host_part(std::string_view hostport) {
  std::string_view host = hostport;
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') == std::string_view::npos ? host.size() : host.find(']') - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(':') == colon) {
    host = host.substr(0, colon);
  }
  std::string out(host);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

bool is_ip_literal(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 || ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

bool admin_host_allowed(std::string_view host, std::string_view admin_listen, const std::vector<std::string>& extra) {
  if (host.empty()) return true;  // HTTP/1.0 without Host: no browser sends that
  const std::string name = host_part(host);
  const std::string listening = host_part(admin_listen);
  if (name == "localhost" || name == "127.0.0.1" || name == "::1" || name == listening) return true;
  for (const std::string& h : extra) {
    if (name == host_part(h)) return true;
  }
  return (listening == "0.0.0.0" || listening == "::" || listening.empty()) && is_ip_literal(name);
}

namespace {

using json = nlohmann::ordered_json;

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void admin_handlers::handle(const endpoint& e, std::string_view segment, const request_view& request,
                            response& out) {
  // Reads are open on the admin address; every write needs the bearer token.
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (!read) {
    if (context_.options.admin_token.empty()) {
      out.answer(403, "admin writes are off: start serve with --admin-token-file\n");
      return;
    }
    // The scheme is case-insensitive (RFC 7235 2.1), and may be followed by
    // more than one space.
    constexpr std::string_view scheme = "bearer";
    std::string_view auth = request.authorization;
    bool is_bearer = auth.size() > scheme.size() && (auth[scheme.size()] == ' ' || auth[scheme.size()] == '\t');
    for (std::size_t i = 0; is_bearer && i < scheme.size(); ++i) {
      is_bearer = (auth[i] | 0x20) == scheme[i];
    }
    if (is_bearer) {
      auth.remove_prefix(scheme.size());
      while (!auth.empty() && (auth.front() == ' ' || auth.front() == '\t')) auth.remove_prefix(1);
    }
    if (!is_bearer || !constant_time_equal(auth, context_.options.admin_token)) {
      out.answer(401, "a valid Authorization: Bearer token is required\n");
      out.authenticate = "Bearer realm=\"callpolicy admin\"";
      return;
    }
  }
  switch (e.id) {
    case endpoint_id::status_json:
      return out.answer(200, status_json(), "application/json");
    case endpoint_id::metrics: {
      const reload_report last = context_.store.last_report();
      std::size_t errors = 0;
      for (const auto& d : last.diagnostics) errors += d.level == severity::error ? 1 : 0;
      std::string text = context_.metrics.render(context_.state.active_by_clinic(), context_.store.reloads_ok(),
                                                 context_.store.reloads_failed(), errors, last.ok,
                                                 context_.voicemails.by_clinic(), context_.state.health(),
                                                 {total_ai_legs(), context_.options.ai_capacity});
      if (context_.deliveries) text += context_.deliveries->metrics_text();
      return out.answer(200, text, "text/plain; version=0.0.4");
    }
    case endpoint_id::clinic_override:
      if (request.method == "DELETE") return clear_override(segment, out);
      return set_override(segment, request.body, out);
    case endpoint_id::overrides:
      return list_overrides(out);
    default:
      break;
  }
  const auto question = request.target.find('?');
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1);
  if (e.id == endpoint_id::inbox) return list_inbox(request.target, out);
  if (e.id == endpoint_id::inbox_done) return mark_inbox_done(segment, request.body, out);
  const auto gather = [&] {
    page_data d;
    d.set = context_.store.current();
    d.last_reload = context_.store.last_report();
    d.active = context_.state.active_by_clinic();
    d.overrides = context_.overrides.current(clock_type::now());
    d.state = context_.state.health();
    d.ai_legs = total_ai_legs();
    d.ai_capacity = context_.options.ai_capacity;
    d.recent = &context_.recent;
    d.public_url = context_.options.public_url;
    d.admin_writes = !context_.options.admin_token.empty();
    d.now = clock_type::now();
    d.inbox = [this](std::string_view clinic, inbox_state state) {
      std::string source, error;
      return inbox_items(clinic, state, source, error);
    };
    return d;
  };
  serve_status_page(e.id, segment, query, gather, out);
}

std::int64_t admin_handlers::total_ai_legs() {
  std::int64_t live = 0;
  for (const auto& [clinic, n] : context_.state.ai_legs_by_clinic()) live += n;
  return live;
}

namespace {
std::string json_error(std::string_view message) {
  std::string out;
  json_line(out).add("error", message).end();
  out += '\n';
  return out;
}
}  // namespace

void admin_handlers::set_override(std::string_view clinic_id, std::string_view body, response& out) {
  const auto fail = [&](unsigned status, std::string_view message) {
    out.answer(status, json_error(message), "application/json");
  };
  const auto set = context_.store.current();
  const runtime_clinic* clinic = set ? set->find_by_id(clinic_id) : nullptr;
  if (!clinic) return fail(404, fmt::format("no clinic '{}' in the loaded set", clinic_id));
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object())
    return fail(400, "expected a JSON object: {\"action\", \"until\", \"reason\"}");
  for (const auto& item : request.items()) {
    if (item.key() != "action" && item.key() != "until" && item.key() != "reason") {
      return fail(400, fmt::format("unknown field '{}'", item.key()));
    }
  }
  const auto string_field = [&](const char* name) -> std::optional<std::string> {
    const auto it = request.find(name);
    if (it == request.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto action_text = string_field("action");
  const auto until_text = string_field("until");
  const auto reason = string_field("reason");
  if (!action_text) return fail(400, "'action' must be one of ai, voicemail, forward, busy, menu, callback");
  const auto action = action_from_name(*action_text);
  if (!action || *action == action_kind::hangup) {
    return fail(400, fmt::format("'action' '{}' is none of ai, voicemail, forward, busy, menu, callback",
                                 *action_text));
  }
  if (!can_answer_with(clinic->policy, *action)) {
    return fail(422, fmt::format("clinic '{}' has no {} to answer with", clinic_id,
                                 *action == action_kind::forward ? "forward number" : "menu"));
  }
  if (!until_text)
    return fail(400, "'until' must be an RFC 3339 time like 2026-12-24T18:00:00-05:00");
  const auto until = parse_date_time(*until_text);
  if (!until || !until->offset_minutes) {
    return fail(
        400, fmt::format("'until' '{}' is not an RFC 3339 time with Z or an offset", *until_text));
  }
  const clock_type::time_point until_at{
      std::chrono::seconds{std::int64_t{until->date} * 86400 + until->seconds -
                           std::int64_t{*until->offset_minutes} * 60}};
  const auto now = clock_type::now();
  if (until_at <= now) return fail(422, fmt::format("'until' {} is in the past", *until_text));
  // An override is for an emergency, not a policy: a month at most.
  if (until_at > now + std::chrono::hours(24 * 31))
    return fail(422, "'until' is more than 31 days away: change the policy instead");
  if (!reason || reason->empty() || reason->size() > 200)
    return fail(400, "'reason' must be a string of 1 to 200 bytes");
  if (holds_control_or_bidi(*reason)) {
    return fail(400, "'reason' must not hold control characters (C0, DEL, C1) or bidirectional overrides");
  }
  clinic_override o;
  o.clinic = std::string(clinic_id);
  o.action = *action;
  o.until = until_at;
  o.reason = *reason;
  o.set_at = rfc3339_utc(now);
  std::string error;
  if (!context_.overrides.set(o, now, out.journal_line, error)) {
    return fail(503, fmt::format("the state store did not keep the override ({}); every server must see it, so "
                                 "it is not set",
                                 error));
  }
  out.clinic = o.clinic;
  out.action = "override";
  out.reason = o.decision_reason();
  out.answer(200, override_json(o) + "\n", "application/json");
}

void admin_handlers::clear_override(std::string_view clinic_id, response& out) {
  bool existed = false;
  std::string error;
  if (!context_.overrides.clear(clinic_id, clock_type::now(), existed, out.journal_line, error)) {
    out.answer(503, json_error(fmt::format("the state store did not answer ({}); the override stays", error)),
               "application/json");
    return;
  }
  out.clinic.assign(clinic_id);
  out.action = "override";
  out.reason = existed ? "cleared" : "none to clear";
  std::string body;
  json_line(body).add("clinic", clinic_id).add("cleared", existed).end();
  out.answer(200, body + "\n", "application/json");
}

void admin_handlers::list_overrides(response& out) {
  std::string body = "{\"overrides\":[";
  bool first = true;
  for (const clinic_override& o : context_.overrides.current(clock_type::now())) {
    if (!first) body += ',';
    first = false;
    body += override_json(o);
  }
  body += "]}\n";
  out.answer(200, body, "application/json");
}

std::string admin_handlers::status_json() {
  const auto set = context_.store.current();
  const reload_report last = context_.store.last_report();
  json clinics = json::array();
  if (set) {
    for (const runtime_clinic& c : set->clinics()) {
      clinics.push_back({{"id", c.policy.id},
                         {"name", c.policy.name},
                         {"mode", c.policy.mode},
                         {"timezone", c.policy.timezone}});
    }
  }
  json sources = json::array();
  if (set) {
    for (const auto& s : set->source().sources)
      sources.push_back({{"file", s.file}, {"sha256", s.sha256}});
  }
  json diagnostics = json::array();
  for (const diagnostic& d : last.diagnostics) {
    diagnostics.push_back({{"code", d.code},
                           {"severity", d.level == severity::error ? "error" : "warning"},
                           {"file", d.where.file},
                           {"line", d.where.line},
                           {"column", d.where.column},
                           {"message", d.message}});
  }
  json active = json::object();
  for (const auto& [clinic, n] : context_.state.active_by_clinic()) active[clinic] = n;
  json legs = json::object();
  std::int64_t live_legs = 0;
  for (const auto& [clinic, n] : context_.state.ai_legs_by_clinic()) {
    legs[clinic] = n;
    live_legs += n;
  }
  const state_health health = context_.state.health();
  json state{{"backend", health.backend},
             {"healthy", health.healthy},
             {"errors", health.errors},
             {"fallbacks", health.fallbacks}};
  if (!health.address.empty()) state["address"] = health.address;
  if (!health.last_error.empty()) state["last_error"] = health.last_error;
  json overrides = json::array();
  for (const clinic_override& o : context_.overrides.current(clock_type::now())) {
    overrides.push_back(json::parse(override_json(o)));
  }
  json out{{"rules", context_.options.rules_path},
           {"loaded", set != nullptr},
           {"clinics", clinics},
           {"sources", sources},
           {"last_reload",
            {{"time_ms", unix_ms(last.at)},
             {"ok", last.ok},
             {"error", last.error},
             {"diagnostics", diagnostics}}},
           {"active_calls", active},
           {"ai_legs", {{"live", live_legs}, {"capacity", context_.options.ai_capacity}, {"by_clinic", legs}}},
           {"state", state},
           {"overrides", overrides},
           {"voicemails", context_.voicemails.count()}};
  // A file name or diagnostic may hold bytes that are not UTF-8: replaced, never thrown on.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace callpolicy::server
