// The admin address's endpoints: /status, /metrics, the emergency
// overrides (issue 13) and the status page's (issue 14).
#include <openssl/crypto.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/parser.h"
#include "runtime/evaluator.h"
#include "server/handler_text.h"
#include "server/journal/record.h"
#include "server/json_line.h"
#include "server/log.h"
#include "server/status_page.h"

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

}  // namespace
namespace {

using json = nlohmann::ordered_json;

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void webhooks::handle_admin(const endpoint& e, std::string_view segment,
                            const request_view& request, response& out) {
  // Reads are open on the admin address; every write needs the bearer token.
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (!read) {
    if (options_.admin_token.empty()) {
      text(out, 403, "admin writes are off: start serve with --admin-token-file\n");
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
    if (!is_bearer || !constant_time_equal(auth, options_.admin_token)) {
      text(out, 401, "a valid Authorization: Bearer token is required\n");
      out.authenticate = "Bearer realm=\"callpolicy admin\"";
      return;
    }
  }
  switch (e.id) {
    case endpoint_id::status_json:
      return text(out, 200, status_json(), "application/json");
    case endpoint_id::metrics: {
      const reload_report last = store_.last_report();
      std::size_t errors = 0;
      for (const auto& d : last.diagnostics) errors += d.level == severity::error ? 1 : 0;
      return text(
          out, 200,
          metrics_.render(state_.active_by_clinic(), store_.reloads_ok(), store_.reloads_failed(),
                          errors, last.ok, voicemails_, state_.health(), {total_ai_legs(), options_.ai_capacity}),
          "text/plain; version=0.0.4");
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
  const auto gather = [&] {
    page_data d;
    d.set = store_.current();
    d.last_reload = store_.last_report();
    d.active = state_.active_by_clinic();
    d.overrides = current_overrides();
    d.state = state_.health();
    d.ai_legs = total_ai_legs();
    d.ai_capacity = options_.ai_capacity;
    d.recent = &recent_;
    d.public_url = options_.public_url;
    d.admin_writes = !options_.admin_token.empty();
    d.now = clock_type::now();
    return d;
  };
  serve_status_page(e.id, segment, query, gather, out);
}

std::int64_t webhooks::total_ai_legs() {
  std::int64_t live = 0;
  for (const auto& [clinic, n] : state_.ai_legs_by_clinic()) live += n;
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

void webhooks::set_override(std::string_view clinic_id, std::string_view body, response& out) {
  const auto fail = [&](unsigned status, std::string_view message) {
    text(out, status, json_error(message), "application/json");
  };
  const auto set = store_.current();
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
  if (!action_text) return fail(400, "'action' must be one of ai, voicemail, forward, busy, menu");
  const auto action = action_from_name(*action_text);
  if (!action || *action == action_kind::hangup) {
    return fail(400, fmt::format("'action' '{}' is none of ai, voicemail, forward, busy, menu",
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
  if (state_.shares_overrides()) {
    std::string error;
    if (!state_.put_override(o, error)) {
      return fail(
          503, fmt::format(
                   "the state store did not keep the override ({}); every server must see it, so "
                   "it is not set",
                   error));
    }
  } else {
    append_override_record(out.journal_line, o, now);
  }
  out.clinic = o.clinic;
  out.action = "override";
  out.reason = o.decision_reason();
  text(out, 200, override_json(o) + "\n", "application/json");
  overrides_.put(std::move(o));
}

void webhooks::clear_override(std::string_view clinic_id, response& out) {
  bool existed = false;
  if (state_.shares_overrides()) {
    std::string error;
    if (!state_.erase_override(clinic_id, existed, error)) {
      text(
          out, 503,
          json_error(fmt::format("the state store did not answer ({}); the override stays", error)),
          "application/json");
      return;
    }
    overrides_.erase(clinic_id);
  } else {
    existed = overrides_.erase(clinic_id);
    if (existed) {
      journal_record::append(out.journal_line,
                             journal_record::override_cleared{.time_ms = unix_ms(clock_type::now()), .clinic = clinic_id});
    }
  }
  out.clinic.assign(clinic_id);
  out.action = "override";
  out.reason = existed ? "cleared" : "none to clear";
  std::string body;
  json_line(body).add("clinic", clinic_id).add("cleared", existed).end();
  text(out, 200, body + "\n", "application/json");
}

std::vector<clinic_override> webhooks::current_overrides() {
  const auto now = clock_type::now();
  if (state_.shares_overrides()) {
    // What Redis holds is what every server obeys; the table follows it.
    std::vector<clinic_override> shared;
    std::vector<std::string> cleared;
    std::string error;
    if (state_.load_overrides(shared, cleared, error)) {
      for (const clinic_override& o : overrides_.all(now)) {
        if (std::any_of(shared.begin(), shared.end(), [&](const auto& s) { return s.clinic == o.clinic; })) continue;
        if (std::find(cleared.begin(), cleared.end(), o.clinic) != cleared.end()) {
          overrides_.erase(o.clinic);  // cleared through another server
          continue;
        }
        // Neither held nor cleared: Redis lost it (a restart without
        // persistence, a failover). Written back, never dropped in silence.
        bool written = false;
        std::string why;
        const bool ok = state_.restore_override(o, written, why);
        log_override_restored(o.clinic, ok, why);
        shared.push_back(o);
      }
      for (const clinic_override& o : shared) overrides_.put(o);
      std::erase_if(shared, [&](const clinic_override& o) { return o.until <= now; });
      return shared;
    }
  }
  return overrides_.all(now);
}

void webhooks::list_overrides(response& out) {
  std::string body = "{\"overrides\":[";
  bool first = true;
  for (const clinic_override& o : current_overrides()) {
    if (!first) body += ',';
    first = false;
    body += override_json(o);
  }
  body += "]}\n";
  text(out, 200, body, "application/json");
}

std::string webhooks::status_json() {
  const auto set = store_.current();
  const reload_report last = store_.last_report();
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
  for (const auto& [clinic, n] : state_.active_by_clinic()) active[clinic] = n;
  json legs = json::object();
  std::int64_t live_legs = 0;
  for (const auto& [clinic, n] : state_.ai_legs_by_clinic()) {
    legs[clinic] = n;
    live_legs += n;
  }
  const state_health health = state_.health();
  json state{{"backend", health.backend},
             {"healthy", health.healthy},
             {"errors", health.errors},
             {"fallbacks", health.fallbacks}};
  if (!health.address.empty()) state["address"] = health.address;
  if (!health.last_error.empty()) state["last_error"] = health.last_error;
  json overrides = json::array();
  for (const clinic_override& o : current_overrides()) {
    overrides.push_back(json::parse(override_json(o)));
  }
  json out{{"rules", options_.rules_path},
           {"loaded", set != nullptr},
           {"clinics", clinics},
           {"sources", sources},
           {"last_reload",
            {{"time_ms", unix_ms(last.at)},
             {"ok", last.ok},
             {"error", last.error},
             {"diagnostics", diagnostics}}},
           {"active_calls", active},
           {"ai_legs", {{"live", live_legs}, {"capacity", options_.ai_capacity}, {"by_clinic", legs}}},
           {"state", state},
           {"overrides", overrides},
           {"voicemails", voicemails_.load()}};
  // A file name or diagnostic may hold bytes that are not UTF-8: replaced, never thrown on.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace callpolicy::server
