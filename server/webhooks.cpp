#include "server/webhooks.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/parser.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"
#include "server/json_line.h"
#include "server/log.h"
#include "server/signature.h"
#include "server/status_page.h"
#include "server/text.h"

namespace callpolicy::server {
namespace {

using json = nlohmann::ordered_json;

bool is_final_status(std::string_view status) {
  return status == "completed" || status == "busy" || status == "failed" ||
         status == "no-answer" || status == "canceled";
}

std::int64_t unix_ms(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A plain-text (or other non-TwiML) answer into `out`.
void text(response& out, unsigned status, std::string_view body, std::string_view content_type = "text/plain") {
  out.status = status;
  out.body.assign(body);
  out.content_type = content_type;
}

constexpr std::string_view empty_twiml = R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)";



// The fields that identify a call or a recording. A second copy of one is
// refused: reordering duplicates keeps a signature valid (parameters are
// signed sorted by name) but would change which copy the server reads.
constexpr std::string_view identifying_fields[] = {"To", "From", "CallSid", "CallStatus", "ForwardedFrom",
                                                   "RecordingSid", "DialCallStatus", "Digits"};

std::optional<std::string_view> duplicated_field(const form_fields& form) {
  for (std::string_view name : identifying_fields) {
    if (form.count(name) > 1) return name;
  }
  return std::nullopt;
}

bool is_form_content_type(std::string_view content_type) {
  return iequals(trim(content_type.substr(0, content_type.find(';'))), "application/x-www-form-urlencoded");
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

constexpr std::int64_t max_journal_time_ms = 7'258'118'400'000;  // 2200-01-01T00:00Z

// How long a journaled RecordingSid is remembered to refuse a second copy:
// far longer than Twilio keeps retrying a callback.
constexpr auto recording_memory = std::chrono::hours(24);

// The caller's number in E.164 (a PBX's national form read in the clinic's
// region). The view is valid until the thread's next call.
std::string_view caller_of(std::string_view from, const runtime_clinic& clinic) {
  thread_local std::string buffer;
  return caller_e164(from, clinic.policy.region, buffer);
}


}  // namespace

webhooks::webhooks(const server_options& options, policy_store& store, call_state& state,
                   journal& journal, metrics& metrics, override_table* overrides)
    : options_(options), store_(store), state_(state), journal_(journal), metrics_(metrics),
      overrides_(overrides ? *overrides : own_overrides_) {
  if (options.journal_max_bytes > 0) {
    journal_.set_rotation(options.journal_max_bytes, [this] { return journal_snapshot(); });
  }
}

std::string webhooks::journal_snapshot() {
  const auto now = clock_type::now();
  std::string out;
  json_line(out)
      .add("type", "rotated")
      .add("time_ms", unix_ms(now))
      .add("call_sid", "")
      .add("voicemails", static_cast<std::int64_t>(voicemails_.load()))
      .end_line();
  for (const call_state::live_call& call : state_.live_calls()) {
    json_line(out)
        .add("type", "call")
        .add("time_ms", unix_ms(call.started))
        .add("call_sid", call.call_sid)
        .add("clinic", call.clinic)
        .add("snapshot", true)
        .end_line();
  }
  // The memory store's overrides live in the journal: a new file carries them.
  if (!state_.shares_overrides()) {
    for (const clinic_override& o : overrides_.all(now)) {
      json_line(out)
          .add("type", "override")
          .add("time_ms", unix_ms(now))
          .add("call_sid", "")
          .add("clinic", o.clinic)
          .add("action", action_name(o.action))
          .add("until_ms", unix_ms(o.until))
          .add("reason", o.reason)
          .add("set_at", o.set_at)
          .end_line();
    }
  }
  std::lock_guard lock(recordings_mutex_);
  for (const auto& [at, recording] : recordings_by_time_) {
    if (!recordings_.count(recording)) continue;
    json_line(out)
        .add("type", "recording")
        .add("time_ms", unix_ms(at))
        .add("call_sid", "")
        .add("recording_sid", recording)
        .end_line();
  }
  return out;
}

void response::clear() {
  status = 200;
  content_type = "text/xml";
  allow = {};
  authenticate = {};
  body.clear();
  clinic.clear();
  call_sid.clear();
  action.clear();
  reason.clear();
  journal_line.clear();
  recording_sid.clear();
  awaiting_state = false;
  set.reset();
  pending_clinic = nullptr;
  to.clear();
  from.clear();
  forwarded_from.clear();
}

void webhooks::handle(const request_view& request, response& out) {
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  auto only = [&](bool allowed, std::string_view allow) {
    if (allowed) return true;
    text(out, 405, "method not allowed\n");
    out.allow = allow;
    return false;
  };

  if (path == "/healthz") {
    if (only(get, "GET, HEAD")) text(out, 200, "ok\n");
    return;
  }
  if (path == "/readyz") {
    if (!only(get, "GET, HEAD")) return;
    if (store_.current()) {
      text(out, 200, "ready\n");
    } else {
      text(out, 503, "no policy set loaded\n");
    }
    return;
  }
  if (request.admin) {
    handle_admin(request, path, out);
    return;
  }

  const bool call = path == "/twilio/voice" || path == "/api/twilio/voice" || path == "/twilio/sip" ||
                    path == "/api/twilio/sip";
  const bool status = path == "/twilio/status" || path == "/api/twilio/status";
  const bool dial = path == "/twilio/dial-status" || path == "/api/twilio/dial-status";
  const bool menu = path == "/twilio/menu" || path == "/api/twilio/menu";
  const bool voicemail = path == "/twilio/voicemail" || path == "/api/twilio/voicemail";
  const bool hangup = path == "/twilio/hangup" || path == "/api/twilio/hangup";
  if (!call && !status && !dial && !menu && !voicemail && !hangup) {
    text(out, 404, "not found\n");
    return;
  }
  if (!only(post, "POST")) return;
  if (!request.content_type.empty() && !is_form_content_type(request.content_type)) {
    text(out, 415, "expected application/x-www-form-urlencoded\n");
    return;
  }
  // One decoded form and one URL buffer per thread, reused: no allocation once warm.
  thread_local form_fields form;
  thread_local std::string url;
  if (!form.parse(request.body)) {
    text(out, 400, "malformed form body\n");
    return;
  }
  if (!options_.skip_signature) {
    url.assign(options_.public_url);
    url += request.target;
    if (request.signature.empty() || !signature_valid(options_.auth_tokens, url, form, request.signature)) {
      text(out, 403, "invalid X-Twilio-Signature\n");
      return;
    }
  }
  if (const auto name = duplicated_field(form)) {
    text(out, 400, fmt::format("parameter '{}' given more than once\n", *name));
    return;
  }
  if (hangup) {
    write_hangup_twiml(out.body);
    return;
  }
  if (!is_call_sid(form_value(form, "CallSid"))) {
    text(out, 400, "CallSid must be CA followed by 32 hex digits\n");
    return;
  }
  if (call) {
    handle_call(form, out);
  } else if (status) {
    handle_status(form, out);
  } else if (dial) {
    handle_dial_status(form, request.target, out);
  } else if (menu) {
    handle_menu(form, request.target, out);
  } else {
    handle_voicemail(form, out);
  }
}

void webhooks::handle_admin(const request_view& request, std::string_view path, response& out) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (get) {
    const auto question = request.target.find('?');
    const std::string_view query = question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1);
    const auto gather = [&] {
      page_data d;
      d.set = store_.current();
      d.last_reload = store_.last_report();
      d.active = state_.active_by_clinic();
      d.overrides = current_overrides();
      d.state = state_.health();
      d.journal_path = options_.journal_path;
      d.public_url = options_.public_url;
      d.admin_writes = !options_.admin_token.empty();
      d.now = clock_type::now();
      return d;
    };
    if (serve_status_page(path, query, gather, out)) return;
  }
  if (path == "/status" || path == "/metrics") {
    if (!get) {
      text(out, 405, "method not allowed\n");
      out.allow = "GET, HEAD";
    } else if (path == "/status") {
      text(out, 200, status_json(), "application/json");
    } else {
      const reload_report last = store_.last_report();
      std::size_t errors = 0;
      for (const auto& d : last.diagnostics) errors += d.level == severity::error ? 1 : 0;
      text(out, 200,
           metrics_.render(state_.active_by_clinic(), store_.reloads_ok(), store_.reloads_failed(), errors, last.ok,
                           voicemails_, state_.health()),
           "text/plain; version=0.0.4");
    }
    return;
  }
  if (!path.starts_with("/admin/")) {
    text(out, 404, "not found\n");
    return;
  }
  // Reads are open on the admin address; every write needs the bearer token.
  if (!get) {
    if (options_.admin_token.empty()) {
      text(out, 403, "admin writes are off: start serve with --admin-token-file\n");
      return;
    }
    constexpr std::string_view scheme = "Bearer ";
    const std::string_view auth = request.authorization;
    if (!auth.starts_with(scheme) || !constant_time_equal(auth.substr(scheme.size()), options_.admin_token)) {
      text(out, 401, "a valid Authorization: Bearer token is required\n");
      out.authenticate = "Bearer realm=\"callpolicy admin\"";
      return;
    }
  }
  constexpr std::string_view clinics_prefix = "/admin/clinics/";
  constexpr std::string_view override_suffix = "/override";
  if (path.starts_with(clinics_prefix) && path.ends_with(override_suffix) &&
      path.size() > clinics_prefix.size() + override_suffix.size()) {
    const std::string_view clinic =
        path.substr(clinics_prefix.size(), path.size() - clinics_prefix.size() - override_suffix.size());
    if (request.method == "POST" || request.method == "PUT") return set_override(clinic, request.body, out);
    if (request.method == "DELETE") return clear_override(clinic, out);
    text(out, 405, "method not allowed\n");
    out.allow = "POST, PUT, DELETE";
    return;
  }
  if (path == "/admin/overrides") {
    if (get) return list_overrides(out);
    text(out, 405, "method not allowed\n");
    out.allow = "GET, HEAD";
    return;
  }
  text(out, 404, "no such admin endpoint\n");
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
  if (request.is_discarded() || !request.is_object()) return fail(400, "expected a JSON object: {\"action\", \"until\", \"reason\"}");
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
    return fail(400, fmt::format("'action' '{}' is none of ai, voicemail, forward, busy, menu", *action_text));
  }
  if (!can_answer_with(clinic->policy, *action)) {
    return fail(422, fmt::format("clinic '{}' has no {} to answer with", clinic_id,
                                 *action == action_kind::forward ? "forward number" : "menu"));
  }
  if (!until_text) return fail(400, "'until' must be an RFC 3339 time like 2026-12-24T18:00:00-05:00");
  const auto until = parse_date_time(*until_text);
  if (!until || !until->offset_minutes) {
    return fail(400, fmt::format("'until' '{}' is not an RFC 3339 time with Z or an offset", *until_text));
  }
  const clock_type::time_point until_at{std::chrono::seconds{std::int64_t{until->date} * 86400 + until->seconds -
                                                             std::int64_t{*until->offset_minutes} * 60}};
  const auto now = clock_type::now();
  if (until_at <= now) return fail(422, fmt::format("'until' {} is in the past", *until_text));
  // An override is for an emergency, not a policy: a month at most.
  if (until_at > now + std::chrono::hours(24 * 31)) return fail(422, "'until' is more than 31 days away: change the policy instead");
  if (!reason || reason->empty() || reason->size() > 200) return fail(400, "'reason' must be a string of 1 to 200 bytes");
  if (std::any_of(reason->begin(), reason->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return fail(400, "'reason' must not hold control characters");
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
      return fail(503, fmt::format("the state store did not keep the override ({}); every server must see it, so "
                                   "it is not set",
                                   error));
    }
  } else {
    json_line(out.journal_line)
        .add("type", "override")
        .add("time_ms", unix_ms(now))
        .add("call_sid", "")
        .add("clinic", o.clinic)
        .add("action", action_name(o.action))
        .add("until_ms", unix_ms(o.until))
        .add("reason", o.reason)
        .add("set_at", o.set_at)
        .end();
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
      text(out, 503, json_error(fmt::format("the state store did not answer ({}); the override stays", error)),
           "application/json");
      return;
    }
    overrides_.erase(clinic_id);
  } else {
    existed = overrides_.erase(clinic_id);
    if (existed) {
      json_line(out.journal_line)
          .add("type", "override_cleared")
          .add("time_ms", unix_ms(clock_type::now()))
          .add("call_sid", "")
          .add("clinic", clinic_id)
          .end();
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
    std::string error;
    if (state_.load_overrides(shared, error)) {
      for (const clinic_override& o : overrides_.all(now)) {
        if (std::none_of(shared.begin(), shared.end(), [&](const auto& s) { return s.clinic == o.clinic; })) {
          overrides_.erase(o.clinic);
        }
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

void webhooks::handle_call(const form_fields& form, response& out) {
  const std::string_view to = form_value(form, "To");
  const std::string_view call_sid = form_value(form, "CallSid");
  if (to.empty()) {
    text(out, 400, "missing To\n");
    return;
  }
  out.set = store_.current();
  out.call_sid.assign(call_sid);
  const auto match = out.set ? identify_clinic(*out.set, to) : std::nullopt;
  if (!match) {
    write_not_in_service_twiml(out.body);
    out.action = "not-in-service";
    fmt::format_to(std::back_inserter(out.reason), "no clinic answers to '{}'", to);
    return;
  }
  out.pending_clinic = match->clinic;
  out.pending_via = match->via;
  out.received = clock_type::now();
  out.to.assign(to);
  out.from.assign(form_value(form, "From"));
  out.forwarded_from.assign(form_value(form, "ForwardedFrom"));
  out.clinic.assign(match->clinic->policy.id);
  if (state_.answers_later()) {
    // The caller waits for the shared count, at most --state-timeout.
    out.awaiting_state = true;
    return;
  }
  std::int32_t active = state_.start_call(call_sid, out.clinic, out.received);
  if (active < 0) active = 0;
  finish_call(out, active, false);
}

void webhooks::finish_call(response& out, std::int32_t active, bool local) {
  out.awaiting_state = false;
  const runtime_clinic& clinic = *out.pending_clinic;
  const std::string_view caller = caller_of(out.from, clinic);
  decision d;
  // An operator's override decides before the policy does.
  action_kind overridden = action_kind::ai;
  if (overrides_.active(out.clinic, out.received, overridden, out.reason) && can_answer_with(clinic.policy, overridden)) {
    d = {overridden, out.reason};
  } else {
    d = decide(clinic, {std::chrono::floor<std::chrono::seconds>(out.received), active, caller, out.pending_via});
    out.reason.assign(d.reason);
  }
  write_twiml(out.body, clinic, d, {out.pending_via, is_e164(out.from)}, answer_options());
  out.action.assign(action_name(d.action));
  metrics_.count_decision(out.clinic, out.action, out.reason);
  // Without a journal the line would be built for nothing, on every call.
  if (!journal_.enabled()) return;
  json_line line(out.journal_line);
  line.add("type", "call")
      .add("time_ms", unix_ms(out.received))
      .add("call_sid", out.call_sid)
      .add("clinic", out.clinic)
      .add("via", via_name(out.pending_via))
      .add("to", out.to)
      .add("from", out.from)
      .add("forwarded_from", out.forwarded_from)
      .add("active_calls", active)
      .add("action", out.action)
      .add("reason", out.reason);
  // Decided with this server's own count: the shared store was slow or down.
  if (local) line.add("state", "local");
  line.end();
}

void webhooks::handle_status(const form_fields& form, response& out) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view status = form_value(form, "CallStatus");
  if (status.empty()) {
    text(out, 400, "missing CallStatus\n");
    return;
  }
  const bool ended = is_final_status(status) && state_.end_call(call_sid);
  out.body.assign(empty_twiml);
  out.call_sid.assign(call_sid);
  out.reason.assign(status);
  if (!journal_.enabled()) return;
  json_line(out.journal_line)
      .add("type", "status")
      .add("time_ms", unix_ms(clock_type::now()))
      .add("call_sid", call_sid)
      .add("status", status)
      .add("ended", ended)
      .end();
}

twiml_options webhooks::answer_options() const {
  return {options_.public_url, options_.ai_sip, options_.ai_url};
}

const runtime_clinic* webhooks::callback_clinic(std::string_view target, const std::shared_ptr<const policy_set>& set,
                                                response& out) {
  const std::string_view id = query_value(target, "clinic");
  const runtime_clinic* clinic = set ? set->find_by_id(id) : nullptr;
  if (!clinic) {
    // Removed by a reload while the call was in flight: nothing to follow.
    write_not_in_service_twiml(out.body);
    out.action = "not-in-service";
    fmt::format_to(std::back_inserter(out.reason), "no clinic '{}' in the loaded set", id);
  }
  return clinic;
}

// The call's via, recomputed from `To` (Twilio sends the parent call's
// parameters with every callback); ported when `To` names another clinic.
via_kind webhooks::callback_via(const form_fields& form, const runtime_clinic& clinic) const {
  const auto set = store_.current();
  const auto match = set ? identify_clinic(*set, form_value(form, "To")) : std::nullopt;
  return match && match->clinic->policy.id == clinic.policy.id ? match->via : via_kind::ported;
}

void webhooks::answer_step(const runtime_clinic& clinic, const form_fields& form, const decision& d,
                           bool menu_repeated, response& out) {
  const std::string_view from = form_value(form, "From");
  write_twiml(out.body, clinic, d, {callback_via(form, clinic), is_e164(from), menu_repeated}, answer_options());
  out.clinic.assign(clinic.policy.id);
  out.action.assign(action_name(d.action));
  out.reason.assign(d.reason);
  metrics_.count_decision(out.clinic, out.action, out.reason);
}

void webhooks::handle_dial_status(const form_fields& form, std::string_view target, response& out) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view status = form_value(form, "DialCallStatus");
  out.call_sid.assign(call_sid);
  if (query_value(target, "clinic").empty()) {
    // A <Dial> written before forwards carried their clinic: end as it did.
    write_hangup_twiml(out.body);
    out.reason.assign(status);
  } else if (const auto set = store_.current(); const runtime_clinic* clinic = callback_clinic(target, set, out)) {
    answer_step(*clinic, form, after_dial(*clinic, status), false, out);
  }
  if (!journal_.enabled()) return;
  json_line(out.journal_line)
      .add("type", "dial_status")
      .add("time_ms", unix_ms(clock_type::now()))
      .add("call_sid", call_sid)
      .add("clinic", out.clinic)
      .add("dial_call_status", status)
      .add("dial_call_sid", form_value(form, "DialCallSid"))
      .add("action", out.action)
      .add("reason", out.reason)
      .end();
}

void webhooks::handle_menu(const form_fields& form, std::string_view target, response& out) {
  out.call_sid.assign(form_value(form, "CallSid"));
  if (query_value(target, "clinic").empty()) {
    text(out, 400, "missing clinic in the query\n");
    return;
  }
  const std::string_view digits = form_value(form, "Digits");
  const auto now = clock_type::now();
  const bool repeated = take_menu_repeat(out.call_sid, now) || query_value(target, "attempt") == "2";
  if (const auto set = store_.current(); const runtime_clinic* clinic = callback_clinic(target, set, out)) {
    const decision d = after_menu(*clinic, digits, repeated);
    const bool again = d.reason == menu_repeat_reason;
    if (again) remember_menu_repeat(out.call_sid, now);
    answer_step(*clinic, form, d, again, out);
  }
  if (!journal_.enabled()) return;
  json_line(out.journal_line)
      .add("type", "menu")
      .add("time_ms", unix_ms(clock_type::now()))
      .add("call_sid", out.call_sid)
      .add("clinic", out.clinic)
      .add("digits", digits)
      .add("action", out.action)
      .add("reason", out.reason)
      .end();
}

void webhooks::handle_voicemail(const form_fields& form, response& out) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view recording = form_value(form, "RecordingSid");
  if (recording.empty()) {
    text(out, 400, "missing RecordingSid\n");
    return;
  }
  const auto now = clock_type::now();
  out.body.assign(empty_twiml);
  out.call_sid.assign(call_sid);
  out.action = "voicemail";
  if (!remember_recording(recording, now)) {
    // Already on disk: Twilio retried a callback whose answer it missed.
    out.reason = "already journaled";
    return;
  }
  out.recording_sid.assign(recording);
  json_line(out.journal_line)
      .add("type", "voicemail")
      .add("time_ms", unix_ms(now))
      .add("call_sid", call_sid)
      .add("recording_sid", recording)
      .add("recording_url", form_value(form, "RecordingUrl"))
      .add("recording_duration", form_value(form, "RecordingDuration"))
      .add("recording_status", form_value(form, "RecordingStatus"))
      .end();
}

void webhooks::journaled(response& out, bool ok) {
  if (out.recording_sid.empty()) return;
  // Acknowledged only once on disk: a failed write answers 503 so that
  // Twilio retries the callback rather than the voicemail being lost.
  if (!ok) {
    forget_recording(out.recording_sid);
    text(out, 503, "journal write failed\n");
    return;
  }
  ++voicemails_;
}

// How long a repeated menu is remembered: longer than any caller listens to
// a menu, short enough that calls which hung up on it are forgotten.
constexpr auto menu_repeat_memory = std::chrono::minutes(10);

bool webhooks::take_menu_repeat(std::string_view call_sid, clock_type::time_point now) {
  std::lock_guard lock(menu_mutex_);
  while (!menu_repeats_by_time_.empty() && menu_repeats_by_time_.front().first + menu_repeat_memory <= now) {
    menu_repeats_.erase(menu_repeats_by_time_.front().second);
    menu_repeats_by_time_.pop_front();
  }
  const auto it = menu_repeats_.find(std::string(call_sid));
  if (it == menu_repeats_.end()) return false;
  menu_repeats_.erase(it);  // its entry in menu_repeats_by_time_ expires on its own
  return true;
}

void webhooks::remember_menu_repeat(std::string_view call_sid, clock_type::time_point now) {
  std::lock_guard lock(menu_mutex_);
  if (menu_repeats_.emplace(call_sid).second) menu_repeats_by_time_.emplace_back(now, call_sid);
}

bool webhooks::remember_recording(std::string_view recording_sid, clock_type::time_point now) {
  std::lock_guard lock(recordings_mutex_);
  while (!recordings_by_time_.empty() && recordings_by_time_.front().first + recording_memory <= now) {
    recordings_.erase(recordings_by_time_.front().second);
    recordings_by_time_.pop_front();
  }
  if (!recordings_.emplace(recording_sid).second) return false;
  recordings_by_time_.emplace_back(now, recording_sid);
  return true;
}

void webhooks::forget_recording(std::string_view recording_sid) {
  std::lock_guard lock(recordings_mutex_);
  recordings_.erase(std::string(recording_sid));
  // Its entry in recordings_by_time_ stays and finds nothing to erase.
}

replay_summary webhooks::replay(const std::string& path, bool restore_calls) {
  replay_summary summary;
  constexpr std::size_t logged_at_most = 20;
  const auto skip = [&](std::size_t number, std::string_view why) {
    ++summary.skipped;
    if (summary.skipped > logged_at_most) return;
    std::string out;
    json_line(out)
        .add("level", "warning")
        .add("time_ms", unix_ms(clock_type::now()))
        .add("message", summary.skipped == logged_at_most ? "journal record skipped (further ones not logged)"
                                                          : "journal record skipped")
        .add("journal", path)
        .add("line", static_cast<std::int64_t>(number))
        .add("error", why)
        .end_line();
    write_log(out);
  };
  const auto now = clock_type::now();
  journal::for_each_line(path, [&](std::size_t number, std::string_view text, bool too_long) {
    if (too_long) return skip(number, "line too long");
    const json line = json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) {
      return skip(number, "not a JSON object (a line torn by a crash, or garbage)");
    }
    const auto string_field = [&](const char* name) -> std::optional<std::string> {
      const auto it = line.find(name);
      if (it == line.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    const auto type = string_field("type");
    const auto call_sid = string_field("call_sid");
    const auto time = line.find("time_ms");
    if (!type || !call_sid || time == line.end() || !time->is_number_integer()) {
      return skip(number, "missing or mistyped 'type', 'call_sid' or 'time_ms'");
    }
    // Before 1970 or past 2200 is no time the server wrote, and past 2262 the
    // clock's nanoseconds overflow.
    const std::int64_t ms = time->get<std::int64_t>();
    if (ms < 0 || ms > max_journal_time_ms) return skip(number, "time_ms out of range");
    const clock_type::time_point at{std::chrono::milliseconds{ms}};
    if (*type == "voicemail") {
      const auto recording = string_field("recording_sid");
      if (!recording) return skip(number, "voicemail without a 'recording_sid' string");
      ++voicemails_;
      if (at + recording_memory > now) remember_recording(*recording, at);
    } else if (*type == "call") {
      const auto clinic = string_field("clinic");
      if (!clinic) return skip(number, "call without a 'clinic' string");
      if (!is_call_sid(*call_sid)) return skip(number, "call_sid is not a Twilio CallSid");
      if (restore_calls) state_.start_call(*call_sid, *clinic, at);
    } else if (*type == "status") {
      const auto status = string_field("status");
      if (!status) return skip(number, "status without a 'status' string");
      if (restore_calls && is_final_status(*status)) state_.end_call(*call_sid);
    } else if (*type == "rotated") {
      // The first line of a rotated journal: the voicemails of the files before.
      const auto count = line.find("voicemails");
      if (count == line.end() || !count->is_number_unsigned()) return skip(number, "rotated without a 'voicemails' count");
      voicemails_ += count->get<std::size_t>();
    } else if (*type == "recording") {
      const auto recording = string_field("recording_sid");
      if (!recording) return skip(number, "recording without a 'recording_sid' string");
      if (at + recording_memory > now) remember_recording(*recording, at);
    } else if (*type == "override") {
      const auto clinic = string_field("clinic");
      const auto action = string_field("action");
      const auto reason = string_field("reason");
      const auto until = line.find("until_ms");
      const auto kind = action ? action_from_name(*action) : std::nullopt;
      if (!clinic || !kind || !reason || until == line.end() || !until->is_number_integer()) {
        return skip(number, "override without 'clinic', 'action', 'reason' or 'until_ms'");
      }
      // Shared stores keep overrides themselves; the journal's are the memory store's.
      if (!state_.shares_overrides()) {
        clinic_override o;
        o.clinic = *clinic;
        o.action = *kind;
        o.reason = *reason;
        o.until = clock_type::time_point{std::chrono::milliseconds{until->get<std::int64_t>()}};
        o.set_at = string_field("set_at").value_or("");
        if (o.until > now) overrides_.put(std::move(o));
      }
    } else if (*type == "override_cleared") {
      const auto clinic = string_field("clinic");
      if (!clinic) return skip(number, "override_cleared without 'clinic'");
      if (!state_.shares_overrides()) overrides_.erase(*clinic);
    } else if (*type != "dial_status" && *type != "menu") {
      return skip(number, "unknown record type");
    }
    ++summary.records;
  });
  metrics_.set_journal_skipped(summary.skipped);
  return summary;
}

std::string webhooks::status_json() {
  const auto set = store_.current();
  const reload_report last = store_.last_report();
  json clinics = json::array();
  if (set) {
    for (const runtime_clinic& c : set->clinics()) {
      clinics.push_back({{"id", c.policy.id}, {"name", c.policy.name}, {"mode", c.policy.mode},
                         {"timezone", c.policy.timezone}});
    }
  }
  json sources = json::array();
  if (set) {
    for (const auto& s : set->source().sources) sources.push_back({{"file", s.file}, {"sha256", s.sha256}});
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
           {"state", state},
           {"overrides", overrides},
           {"voicemails", voicemails_.load()}};
  // A file name or diagnostic may hold bytes that are not UTF-8: replaced, never thrown on.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace callpolicy::server
