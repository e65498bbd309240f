#include "server/webhooks.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"
#include "server/signature.h"

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

response text(unsigned status, std::string body, std::string content_type = "text/plain") {
  response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

response twiml(std::string body) {
  response r;
  r.body = std::move(body);
  return r;
}

std::string empty_twiml() { return R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)"; }

// The caller's number: `From` as given for numbers; for SIP calls the user
// part of the SIP From when it is a phone number.
std::string caller_of(std::string_view from) {
  if (is_e164(from)) return std::string(from);
  if (const auto user = sip_user_of(from); user && is_e164(*user)) return *user;
  return {};
}

}  // namespace

webhooks::webhooks(const server_options& options, policy_store& store, call_state& state,
                   journal& journal, metrics& metrics)
    : options_(options), store_(store), state_(state), journal_(journal), metrics_(metrics) {}

void webhooks::handle(const request_view& request, std::function<void(response)> respond) {
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  auto only = [&](bool allowed, std::string_view allow) {
    if (allowed) return true;
    response r = text(405, "method not allowed\n");
    r.allow = std::string(allow);
    respond(std::move(r));
    return false;
  };

  if (path == "/healthz") {
    if (only(get, "GET, HEAD")) respond(text(200, "ok\n"));
    return;
  }
  if (path == "/readyz") {
    if (!only(get, "GET, HEAD")) return;
    respond(store_.current() ? text(200, "ready\n") : text(503, "no policy set loaded\n"));
    return;
  }
  if (path == "/status") {
    if (only(get, "GET, HEAD")) respond(text(200, status_json(), "application/json"));
    return;
  }
  if (path == "/metrics") {
    if (!only(get, "GET, HEAD")) return;
    const reload_report last = store_.last_report();
    std::size_t errors = 0;
    for (const auto& d : last.diagnostics) errors += d.level == severity::error ? 1 : 0;
    respond(text(200,
                 metrics_.render(state_.active_by_clinic(), store_.reloads_ok(), store_.reloads_failed(),
                                 errors, last.ok, voicemails_),
                 "text/plain; version=0.0.4"));
    return;
  }

  const bool call = path == "/twilio/voice" || path == "/api/twilio/voice" || path == "/twilio/sip" ||
                    path == "/api/twilio/sip";
  const bool status = path == "/twilio/status" || path == "/api/twilio/status";
  const bool dial = path == "/twilio/dial-status" || path == "/api/twilio/dial-status";
  const bool voicemail = path == "/twilio/voicemail" || path == "/api/twilio/voicemail";
  const bool hangup = path == "/twilio/hangup" || path == "/api/twilio/hangup";
  if (!call && !status && !dial && !voicemail && !hangup) {
    respond(text(404, "not found\n"));
    return;
  }
  if (!only(post, "POST")) return;
  if (!request.content_type.empty() &&
      !request.content_type.starts_with("application/x-www-form-urlencoded")) {
    respond(text(415, "expected application/x-www-form-urlencoded\n"));
    return;
  }
  const auto form = parse_form(request.body);
  if (!form) {
    respond(text(400, "malformed form body\n"));
    return;
  }
  if (!options_.skip_signature) {
    const std::string url = options_.public_url + std::string(request.target);
    if (request.signature.empty() ||
        !signature_valid(options_.auth_tokens, url, *form, request.signature)) {
      respond(text(403, "invalid X-Twilio-Signature\n"));
      return;
    }
  }
  if (call) {
    handle_call(*form, std::move(respond));
  } else if (status) {
    handle_status(*form, std::move(respond));
  } else if (dial) {
    handle_dial_status(*form, std::move(respond));
  } else if (voicemail) {
    handle_voicemail(*form, std::move(respond));
  } else {
    std::string body;
    write_hangup_twiml(body);
    respond(twiml(std::move(body)));
  }
}

void webhooks::handle_call(const form_fields& form, std::function<void(response)> respond) {
  const std::string_view to = form_value(form, "To");
  const std::string_view call_sid = form_value(form, "CallSid");
  if (to.empty() || call_sid.empty()) {
    respond(text(400, "missing To or CallSid\n"));
    return;
  }
  const std::shared_ptr<const policy_set> set = store_.current();
  response r;
  r.call_sid = std::string(call_sid);
  const auto match = set ? identify_clinic(*set, to) : std::nullopt;
  if (!match) {
    write_not_in_service_twiml(r.body);
    r.action = "not-in-service";
    r.reason = fmt::format("no clinic answers to '{}'", to);
    respond(std::move(r));
    return;
  }
  const runtime_clinic& clinic = *match->clinic;
  const auto now = clock_type::now();
  std::int32_t active = state_.start_call(call_sid, clinic.policy.id, now);
  if (active < 0) active = 0;  // the shared store did not answer: decide as if quiet
  const std::string caller = caller_of(form_value(form, "From"));
  const decision d =
      decide(clinic, {std::chrono::floor<std::chrono::seconds>(now), active, caller, match->via});
  write_twiml(r.body, clinic, d, match->via, {options_.public_url, options_.ai_sip, options_.ai_url});
  r.clinic = clinic.policy.id;
  r.action = std::string(action_name(d.action));
  r.reason = std::string(d.reason);
  metrics_.count_decision(r.clinic, r.action, r.reason);
  json line{{"type", "call"},
            {"time_ms", unix_ms(now)},
            {"call_sid", call_sid},
            {"clinic", r.clinic},
            {"via", via_name(match->via)},
            {"to", to},
            {"from", form_value(form, "From")},
            {"forwarded_from", form_value(form, "ForwardedFrom")},
            {"active_calls", active},
            {"action", r.action},
            {"reason", r.reason}};
  journal_.append(line.dump(), [r = std::move(r), respond = std::move(respond)](bool) mutable {
    respond(std::move(r));
  });
}

void webhooks::handle_status(const form_fields& form, std::function<void(response)> respond) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view status = form_value(form, "CallStatus");
  if (call_sid.empty() || status.empty()) {
    respond(text(400, "missing CallSid or CallStatus\n"));
    return;
  }
  const bool ended = is_final_status(status) && state_.end_call(call_sid);
  json line{{"type", "status"},
            {"time_ms", unix_ms(clock_type::now())},
            {"call_sid", call_sid},
            {"status", status},
            {"ended", ended}};
  response r = twiml(empty_twiml());
  r.call_sid = std::string(call_sid);
  r.reason = std::string(status);
  journal_.append(line.dump(), [r = std::move(r), respond = std::move(respond)](bool) mutable {
    respond(std::move(r));
  });
}

void webhooks::handle_dial_status(const form_fields& form, std::function<void(response)> respond) {
  json line{{"type", "dial_status"},
            {"time_ms", unix_ms(clock_type::now())},
            {"call_sid", form_value(form, "CallSid")},
            {"dial_call_status", form_value(form, "DialCallStatus")},
            {"dial_call_sid", form_value(form, "DialCallSid")}};
  response r;
  write_hangup_twiml(r.body);
  r.call_sid = std::string(form_value(form, "CallSid"));
  r.reason = std::string(form_value(form, "DialCallStatus"));
  journal_.append(line.dump(), [r = std::move(r), respond = std::move(respond)](bool) mutable {
    respond(std::move(r));
  });
}

void webhooks::handle_voicemail(const form_fields& form, std::function<void(response)> respond) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view recording = form_value(form, "RecordingSid");
  if (call_sid.empty() || recording.empty()) {
    respond(text(400, "missing CallSid or RecordingSid\n"));
    return;
  }
  json line{{"type", "voicemail"},
            {"time_ms", unix_ms(clock_type::now())},
            {"call_sid", call_sid},
            {"recording_sid", recording},
            {"recording_url", form_value(form, "RecordingUrl")},
            {"recording_duration", form_value(form, "RecordingDuration")},
            {"recording_status", form_value(form, "RecordingStatus")}};
  response r = twiml(empty_twiml());
  r.call_sid = std::string(call_sid);
  r.action = "voicemail";
  // Acknowledged only once on disk: a failed write answers 503 so that
  // Twilio retries the callback rather than the voicemail being lost.
  journal_.append(line.dump(), [this, r = std::move(r), respond = std::move(respond)](bool ok) mutable {
    if (!ok) {
      respond(text(503, "journal write failed\n"));
      return;
    }
    ++voicemails_;
    respond(std::move(r));
  });
}

void webhooks::replay(const std::vector<std::string>& lines, bool restore_calls) {
  for (const std::string& text : lines) {
    // A crash can leave the last line cut short; it is skipped.
    const json line = json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) continue;
    const std::string type = line.value("type", "");
    if (type == "voicemail") {
      ++voicemails_;
    } else if (restore_calls && type == "call") {
      const auto started = clock_type::time_point{std::chrono::milliseconds{line.value("time_ms", std::int64_t{0})}};
      state_.start_call(line.value("call_sid", ""), line.value("clinic", ""), started);
    } else if (restore_calls && type == "status" && is_final_status(line.value("status", ""))) {
      state_.end_call(line.value("call_sid", ""));
    }
  }
}

std::string webhooks::status_json() const {
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
           {"voicemails", voicemails_.load()}};
  return out.dump(2) + "\n";
}

}  // namespace callpolicy::server
