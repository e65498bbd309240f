#include "server/twilio/twilio_handlers.h"

#include <charconv>

#include <fmt/format.h>

#include "runtime/identify.h"
#include "server/journal/record.h"
#include "server/twilio/signature.h"
#include "server/text.h"

namespace callpolicy::server {
namespace {

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

// The caller's number in E.164 (a PBX's national form read in the clinic's
// region). The view is valid until the thread's next call.
std::string_view caller_of(std::string_view from, const runtime_clinic& clinic) {
  thread_local std::string buffer;
  return caller_e164(from, clinic.policy.region, buffer);
}

// How long a repeated menu is remembered: longer than any caller listens to
// a menu, short enough that calls which hung up on it are forgotten.
constexpr auto menu_repeat_memory = std::chrono::minutes(10);

}  // namespace

twilio_handlers::twilio_handlers(server_context& context) : context_(context), menu_repeats_(menu_repeat_memory) {}

void twilio_handlers::handle(const endpoint& e, const request_view& request, response& out, pending_call& call) {
  if (!request.content_type.empty() && !is_form_content_type(request.content_type)) {
    out.answer(415, "expected application/x-www-form-urlencoded\n");
    return;
  }
  // One decoded form and one URL buffer per thread, reused: no allocation once warm.
  thread_local form_fields form;
  thread_local std::string url;
  if (!form.parse(request.body)) {
    out.answer(400, "malformed form body\n");
    return;
  }
  if (!context_.options.skip_signature) {
    url.assign(context_.options.public_url);
    url += request.target;
    if (request.signature.empty() || !signature_valid(context_.options.auth_tokens, url, form, request.signature)) {
      out.answer(403, "invalid X-Twilio-Signature\n");
      return;
    }
  }
  if (const auto name = duplicated_field(form)) {
    out.answer(400, fmt::format("parameter '{}' given more than once\n", *name));
    return;
  }
  if (e.id == endpoint_id::hangup) {
    write_hangup_twiml(out.body);
    return;
  }
  if (!is_call_sid(form_value(form, "CallSid"))) {
    out.answer(400, "CallSid must be CA followed by 32 hex digits\n");
    return;
  }
  switch (e.id) {
    case endpoint_id::voice:
    case endpoint_id::sip:
      return handle_call(form, out, call);
    case endpoint_id::status_callback:
      return handle_status(form, out);
    case endpoint_id::dial_status:
      return handle_dial_status(form, request.target, out);
    case endpoint_id::ai_status:
      return handle_ai_status(form, request.target, out);
    case endpoint_id::screen:
      return handle_screen(form, request.target, out);
    case endpoint_id::refer:
      return handle_refer(form, request.target, out);
    case endpoint_id::menu:
      return handle_menu(form, request.target, out);
    case endpoint_id::callback:
      return handle_callback(form, request.target, out);
    default:
      return handle_voicemail(form, request.target, out);
  }
}

void twilio_handlers::handle_call(const form_fields& form, response& out, pending_call& call) {
  const std::string_view to = form_value(form, "To");
  const std::string_view call_sid = form_value(form, "CallSid");
  if (to.empty()) {
    out.answer(400, "missing To\n");
    return;
  }
  call.set = context_.store.current();
  out.call_sid.assign(call_sid);
  const auto match = call.set ? identify_clinic(*call.set, to) : std::nullopt;
  if (!match) {
    write_not_in_service_twiml(out.body);
    out.action = "not-in-service";
    fmt::format_to(std::back_inserter(out.reason), "no clinic answers to '{}'", to);
    return;
  }
  call.clinic = match->clinic;
  call.via = match->via;
  call.received = clock_type::now();
  call.to.assign(to);
  call.from.assign(form_value(form, "From"));
  call.forwarded_from.assign(form_value(form, "ForwardedFrom"));
  out.clinic.assign(match->clinic->policy.id);
  // At which counts the call would go to the AI, for the store to admit its
  // leg in the step that counts the call.
  const runtime_clinic& clinic = *match->clinic;
  // Read once for both the AI's admission and the decision, so that they agree.
  call.mean_call_seconds = clinic.reads_wait ? context_.state.mean_call_seconds(out.clinic, call.received) : 0;
  action_kind overridden = action_kind::ai;
  if (context_.overrides.active(out.clinic, call.received, overridden, out.reason) && can_answer_with(clinic.policy, overridden)) {
    call.ai_wanted.assign(overridden == action_kind::ai ? "1" : "0");
  } else {
    call_context counts{std::chrono::floor<std::chrono::seconds>(call.received), 0, caller_of(call.from, clinic), match->via};
    counts.mean_call_seconds = call.mean_call_seconds;
    ai_by_count(clinic, counts, call.ai_wanted);
  }
  call.ai_clinic_capacity = clinic.policy.ai.capacity;
  if (context_.state.answers_later()) {
    // The caller waits for the shared count, at most --state-timeout.
    call.awaiting_state = true;
    return;
  }
  bool admitted = false;
  std::int32_t active = context_.state.start_call(call_sid, out.clinic, call.received, leg_request(call), &admitted);
  if (active < 0) active = 0;
  finish_call(out, call, active, admitted, false);
}

ai_leg_request twilio_handlers::leg_request(const pending_call& call) const {
  return {call.ai_wanted, context_.options.ai_capacity, call.ai_clinic_capacity};
}

bool twilio_handlers::capped(const runtime_clinic& clinic) const {
  return context_.options.ai_capacity > 0 || clinic.policy.ai.capacity > 0;
}

decision twilio_handlers::over_capacity(const runtime_clinic& clinic) {
  context_.metrics.count_ai_unavailable(clinic.policy.id, "capacity");
  return when_ai_unavailable(clinic, ai_at_capacity_reason);
}

void twilio_handlers::finish_call(response& out, pending_call& call, std::int32_t active, bool ai_admitted,
                                  bool local) {
  call.awaiting_state = false;
  const runtime_clinic& clinic = *call.clinic;
  const std::string_view caller = caller_of(call.from, clinic);
  // The store's answer decided the leg; this server's own count follows it.
  if (!local && context_.state.answers_later()) context_.state.adopt_ai_leg(out.call_sid, out.clinic, ai_admitted);
  decision d;
  // An operator's override decides before the policy does.
  action_kind overridden = action_kind::ai;
  const bool by_override =
      context_.overrides.active(out.clinic, call.received, overridden, out.reason) && can_answer_with(clinic.policy, overridden);
  if (by_override) {
    d = {overridden, out.reason};
  } else {
    call_context context{std::chrono::floor<std::chrono::seconds>(call.received), active, caller, call.via};
    context.mean_call_seconds = call.mean_call_seconds;
    d = decide(clinic, context);
    out.reason.assign(d.reason);
  }
  if (d.action == action_kind::ai && !ai_admitted && capped(clinic)) {
    d = over_capacity(clinic);
    out.reason.assign(d.reason);
  } else if (d.action != action_kind::ai && ai_admitted) {
    context_.state.release_ai_leg(out.call_sid);  // admitted for a count the decision did not see
  }
  write_twiml(out.body, clinic, d,
              {call.via, is_e164(call.from), false, std::chrono::floor<std::chrono::seconds>(call.received), caller,
               out.call_sid, false, call.to},
              answer_options());
  out.action.assign(action_name(d.action));
  context_.metrics.count_decision(out.clinic, out.action, out.reason);
  context_.recent.add(out.clinic, {unix_ms(call.received), out.call_sid, via_name(call.via),
                           caller.empty() ? std::string_view(call.from) : caller, out.action, out.reason});
  // Without a journal the line would be built for nothing, on every call.
  if (!context_.journal.enabled()) return;
  journal_record::append(out.journal_line,
                         journal_record::call{
                             .time_ms = unix_ms(call.received),
                             .call_sid = out.call_sid,
                             .clinic = out.clinic,
                             .via = via_name(call.via),
                             .to = call.to,
                             .from = call.from,
                             .forwarded_from = call.forwarded_from,
                             .active_calls = active,
                             .action = out.action,
                             .reason = out.reason,
                             // Decided by an operator, not the policy: `plan --journal` leaves it out.
                             .by_override = by_override,
                             // Decided with this server's own count: the shared store was slow or down.
                             .state = local ? "local" : "",
                         });
}

void twilio_handlers::handle_status(const form_fields& form, response& out) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view status = form_value(form, "CallStatus");
  if (status.empty()) {
    out.answer(400, "missing CallStatus\n");
    return;
  }
  const bool ended = is_final_status(status) && context_.state.end_call(call_sid);
  // A completed call's length feeds its clinic's estimated wait; the clinic
  // is the one its `To` names, as for the call itself.
  std::int32_t duration = 0;
  const std::string_view call_duration = form_value(form, "CallDuration");
  std::from_chars(call_duration.data(), call_duration.data() + call_duration.size(), duration);
  if (status == "completed" && duration > 0) {
    const auto set = context_.store.current();
    if (const auto match = set ? identify_clinic(*set, form_value(form, "To")) : std::nullopt) {
      out.clinic.assign(match->clinic->policy.id);
      context_.state.add_call_length(out.clinic, call_sid, duration, clock_type::now());
    }
  }
  out.body.assign(empty_twiml);
  out.call_sid.assign(call_sid);
  out.reason.assign(status);
  if (!context_.journal.enabled()) return;
  journal_record::append(out.journal_line, journal_record::status{.time_ms = unix_ms(clock_type::now()),
                                                                  .call_sid = call_sid,
                                                                  .status = status,
                                                                  .ended = ended,
                                                                  .clinic = out.clinic,
                                                                  .duration = out.clinic.empty() ? 0 : duration});
}

twiml_options twilio_handlers::answer_options() const {
  return {context_.options.public_url, context_.options.ai_sip, context_.options.ai_url};
}

const runtime_clinic* twilio_handlers::callback_clinic(std::string_view target, const std::shared_ptr<const policy_set>& set,
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
via_kind twilio_handlers::callback_via(const form_fields& form, const runtime_clinic& clinic) const {
  const auto set = context_.store.current();
  const auto match = set ? identify_clinic(*set, form_value(form, "To")) : std::nullopt;
  return match && match->clinic->policy.id == clinic.policy.id ? match->via : via_kind::ported;
}

void twilio_handlers::answer_step(const runtime_clinic& clinic, const form_fields& form, const decision& next,
                           bool menu_repeated, std::string_view step, response& out, bool after_transfer,
                           std::string_view offer_reason) {
  const std::string_view from = form_value(form, "From");
  const std::string_view caller = caller_of(from, clinic);
  const auto now = clock_type::now();
  decision d = next;
  if (d.action == action_kind::ai) {
    // A later step reaching the AI takes a leg too, counted by this server
    // and told to the shared store (docs/operations.md, "AI capacity").
    bool admitted = false;
    context_.state.start_call(out.call_sid, clinic.policy.id, now, {"1", context_.options.ai_capacity, clinic.policy.ai.capacity},
                      &admitted);
    if (!admitted && capped(clinic)) d = over_capacity(clinic);
  }
  write_twiml(out.body, clinic, d,
              {callback_via(form, clinic), is_e164(from), menu_repeated, std::chrono::floor<std::chrono::seconds>(now),
               caller, out.call_sid, after_transfer, form_value(form, "To"), offer_reason},
              answer_options());
  record_step(clinic, step, caller.empty() ? from : caller, d, now, out);
}

void twilio_handlers::record_step(const runtime_clinic& clinic, std::string_view step, std::string_view caller,
                                  const decision& d, clock_type::time_point now, response& out) {
  out.clinic.assign(clinic.policy.id);
  out.action.assign(action_name(d.action));
  out.reason.assign(d.reason);
  context_.metrics.count_decision(out.clinic, out.action, out.reason);
  context_.recent.add(out.clinic, {unix_ms(now), out.call_sid, step, caller, out.action, out.reason});
}

void twilio_handlers::handle_dial_status(const form_fields& form, std::string_view target, response& out) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view status = form_value(form, "DialCallStatus");
  out.call_sid.assign(call_sid);
  if (query_value(target, "clinic").empty()) {
    // A <Dial> written before forwards carried their clinic: end as it did.
    write_hangup_twiml(out.body);
    out.reason.assign(status);
  } else if (const auto set = context_.store.current(); const runtime_clinic* clinic = callback_clinic(target, set, out)) {
    thread_local std::string step;
    step.assign("dial ").append(status);
    const decision d = after_dial(*clinic, status, form_value(form, "DialBridged") != "false",
                                  query_value(target, "after") == "transfer");
    answer_step(*clinic, form, d, false, step, out);
  }
  if (!context_.journal.enabled()) return;
  journal_record::append(out.journal_line, journal_record::dial_status{.time_ms = unix_ms(clock_type::now()),
                                                                       .call_sid = call_sid,
                                                                       .clinic = out.clinic,
                                                                       .dial_call_status = status,
                                                                       .dial_call_sid = form_value(form, "DialCallSid"),
                                                                       .action = out.action,
                                                                       .reason = out.reason,
                                                                       .from = form_value(form, "From")});
}

void twilio_handlers::handle_ai_status(const form_fields& form, std::string_view target, response& out) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view status = form_value(form, "DialCallStatus");
  out.call_sid.assign(call_sid);
  context_.state.end_ai_leg(call_sid);  // the AI's <Dial> is over, whatever its status
  if (const auto set = context_.store.current(); const runtime_clinic* clinic = callback_clinic(target, set, out)) {
    thread_local std::string step;
    step.assign("ai ").append(status);
    const decision d = after_ai(*clinic, status);
    answer_step(*clinic, form, d, false, step, out);
    if (d.reason == ai_unavailable_reason) context_.metrics.count_ai_unavailable(out.clinic, status);
  }
  if (!context_.journal.enabled()) return;
  journal_record::append(out.journal_line, journal_record::ai_status{.time_ms = unix_ms(clock_type::now()),
                                                                     .call_sid = call_sid,
                                                                     .clinic = out.clinic,
                                                                     .dial_call_status = status,
                                                                     .action = out.action,
                                                                     .reason = out.reason,
                                                                     .from = form_value(form, "From")});
}

// The AI handing the caller to staff (a SIP REFER on the AI's <Dial>): the
// policy decides where it may go, and a target it refuses is never dialled
// (docs/language.md, "Transfers from the AI").
void twilio_handlers::handle_refer(const form_fields& form, std::string_view target, response& out) {
  const std::string_view refer_to = form_value(form, "ReferTransferTarget");
  out.call_sid.assign(form_value(form, "CallSid"));
  if (const auto set = context_.store.current(); const runtime_clinic* clinic = callback_clinic(target, set, out)) {
    thread_local std::string buffer;
    const std::string_view from = form_value(form, "From");
    // A transfer rule reads the clinic's hours and the caller, not its count
    // of calls, which belongs to the call's arrival (docs/language.md).
    const call_context call{std::chrono::floor<std::chrono::seconds>(clock_type::now()), 0, caller_of(from, *clinic),
                            callback_via(form, *clinic)};
    const decision d = after_refer(*clinic, call, transfer_target_e164(refer_to, clinic->policy.region, buffer));
    const bool forwarded = d.action == action_kind::forward;
    answer_step(*clinic, form, d, false, "transfer", out, forwarded);
    context_.metrics.count_transfer(out.clinic, forwarded);
  }
  if (!context_.journal.enabled()) return;
  journal_record::append(out.journal_line, journal_record::transfer{.time_ms = unix_ms(clock_type::now()),
                                                                    .call_sid = out.call_sid,
                                                                    .clinic = out.clinic,
                                                                    .target = refer_to,
                                                                    .action = out.action,
                                                                    .reason = out.reason,
                                                                    .from = form_value(form, "From")});
}

// The staff leg of a screened forward (its own CallSid; the caller's is
// ParentCallSid). Any key connects; without one the leg hangs up, and the
// caller's <Dial> ends unanswered (docs/language.md, "Screened forwards").
void twilio_handlers::handle_screen(const form_fields& form, std::string_view target, response& out) {
  out.call_sid.assign(form_value(form, "CallSid"));
  if (const auto set = context_.store.current(); const runtime_clinic* clinic = callback_clinic(target, set, out)) {
    // A screen a reload removed no longer asks: the staff answered.
    const bool accepted = clinic->policy.forward.screen.empty() || !form_value(form, "Digits").empty();
    write_screen_twiml(out.body, clinic->policy, accepted, answer_options());
    out.clinic.assign(clinic->policy.id);
    out.action.assign(accepted ? "connect" : "screen");
  }
}

void twilio_handlers::handle_menu(const form_fields& form, std::string_view target, response& out) {
  out.call_sid.assign(form_value(form, "CallSid"));
  if (query_value(target, "clinic").empty()) {
    out.answer(400, "missing clinic in the query\n");
    return;
  }
  const std::string_view digits = form_value(form, "Digits");
  const auto now = clock_type::now();
  const bool repeated = take_menu_repeat(out.call_sid, now) || query_value(target, "attempt") == "2";
  if (const auto set = context_.store.current(); const runtime_clinic* clinic = callback_clinic(target, set, out)) {
    const decision d = after_menu(*clinic, digits, repeated);
    const bool again = d.reason == menu_repeat_reason;
    if (again) remember_menu_repeat(out.call_sid, now);
    thread_local std::string step;
    step.assign("menu ").append(digits);
    answer_step(*clinic, form, d, again, step, out);
  }
  if (!context_.journal.enabled()) return;
  journal_record::append(out.journal_line, journal_record::menu{.time_ms = unix_ms(clock_type::now()),
                                                                .call_sid = out.call_sid,
                                                                .clinic = out.clinic,
                                                                .digits = digits,
                                                                .action = out.action,
                                                                .reason = out.reason,
                                                                .from = form_value(form, "From")});
}

bool twilio_handlers::take_menu_repeat(std::string_view call_sid, clock_type::time_point now) {
  std::lock_guard lock(menu_mutex_);
  return menu_repeats_.erase(call_sid, now);
}

void twilio_handlers::remember_menu_repeat(std::string_view call_sid, clock_type::time_point now) {
  std::lock_guard lock(menu_mutex_);
  menu_repeats_.insert(call_sid, now);
}

}  // namespace callpolicy::server
