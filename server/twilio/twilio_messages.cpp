// The messages a caller leaves for the clinic: a voicemail's recording and
// a callback request. Each is acknowledged only once its journal record is
// on disk (docs/operations.md, "Journal"), so that none is lost.
#include <fmt/format.h>

#include "runtime/identify.h"
#include "server/journal/record.h"
#include "server/text.h"
#include "server/twilio/twilio_handlers.h"

namespace callpolicy::server {

// The digits a callback offer gathered (docs/language.md, "Callback
// requests"). A request taken is journaled like a voicemail: the caller
// hears it confirmed only once it is on disk.
void twilio_handlers::handle_callback(const form_fields& form, std::string_view target, response& out) {
  out.call_sid.assign(form_value(form, "CallSid"));
  if (query_value(target, "clinic").empty()) {
    out.answer(400, "missing clinic in the query\n");
    return;
  }
  const std::string_view digits = form_value(form, "Digits");
  const std::string_view from = form_value(form, "From");
  // Copies: query_value's views last until its next call.
  thread_local std::string offer_reason, caller_buffer, caller, step;
  offer_reason.assign(query_value(target, "reason"));
  const bool repeated = query_value(target, "attempt") == "2";
  const auto set = context_.store.current();
  const runtime_clinic* clinic = callback_clinic(target, set, out);
  if (clinic) {
    caller.assign(caller_e164(from, clinic->policy.region, caller_buffer));
    step.assign("callback ").append(digits);
    const callback_answer answer = after_callback(*clinic, digits, caller, repeated);
    const std::string_view reason = answer.next.reason;
    context_.metrics.count_callback(clinic->policy.id, reason == callback_requested_reason ? "requested"
                                                       : reason == callback_retry_reason   ? "retry"
                                                       : reason == "callback timeout"      ? "timeout"
                                                                                           : "invalid number");
    if (!answer.number.empty()) {
      const auto now = clock_type::now();
      write_callback_taken_twiml(out.body, clinic->policy, answer.number);
      record_step(*clinic, step, caller.empty() ? from : std::string_view(caller), answer.next, now, out);
      out.callback_number.assign(answer.number);
      journal_record::append(out.journal_line, journal_record::callback_request{.time_ms = unix_ms(now),
                                                                                .call_sid = out.call_sid,
                                                                                .clinic = out.clinic,
                                                                                .number = answer.number,
                                                                                .caller = caller,
                                                                                .to = form_value(form, "To"),
                                                                                .reason = offer_reason});
      if (!context_.journal.enabled()) remember_message(out);
      return;
    }
    answer_step(*clinic, form, answer.next, false, step, out, false, offer_reason);
  }
  if (!context_.journal.enabled()) return;
  journal_record::append(out.journal_line, journal_record::callback{.time_ms = unix_ms(clock_type::now()),
                                                                    .call_sid = out.call_sid,
                                                                    .clinic = out.clinic,
                                                                    .digits = digits,
                                                                    .action = out.action,
                                                                    .reason = out.reason,
                                                                    .from = from});
}

void twilio_handlers::handle_voicemail(const form_fields& form, std::string_view target, response& out) {
  const std::string_view call_sid = form_value(form, "CallSid");
  const std::string_view recording = form_value(form, "RecordingSid");
  if (recording.empty()) {
    out.answer(400, "missing RecordingSid\n");
    return;
  }
  const auto now = clock_type::now();
  out.body.assign(empty_twiml);
  out.call_sid.assign(call_sid);
  out.action = "voicemail";
  // Whose message it is, and what the call was, travel in the callback's URL
  // (Twilio signs it; its recording callback names neither caller nor
  // number). A <Record> answered before they did names none: the message is
  // kept all the same. query_value's view lasts until its next call, hence
  // a copy each, into buffers that keep their capacity.
  thread_local std::string caller, to;
  out.clinic.assign(query_value(target, "clinic"));
  out.reason.assign(query_value(target, "reason"));
  caller.assign(query_value(target, "caller"));
  to.assign(query_value(target, "to"));
  if (!context_.voicemails.remember(recording, now)) {
    // Already on disk: Twilio retried a callback whose answer it missed.
    out.reason = "already journaled";
    return;
  }
  out.recording_sid.assign(recording);
  journal_record::append(out.journal_line,
                         journal_record::voicemail{.time_ms = unix_ms(now),
                                                   .call_sid = call_sid,
                                                   .recording_sid = recording,
                                                   .recording_url = form_value(form, "RecordingUrl"),
                                                   .recording_duration = form_value(form, "RecordingDuration"),
                                                   .recording_status = form_value(form, "RecordingStatus"),
                                                   .clinic = out.clinic,
                                                   .caller = caller,
                                                   .to = to,
                                                   .reason = out.reason});
  if (!context_.journal.enabled()) remember_message(out);
}

void twilio_handlers::committed(const response& out, bool ok) {
  if (ok && !out.recording_sid.empty()) context_.voicemails.add(out.clinic, 1);
  if (ok) remember_message(out);
}

void twilio_handlers::remember_message(const response& out) {
  if (out.recording_sid.empty() && out.callback_number.empty()) return;
  // The journal's line is the message, parsed back by the format's one owner.
  const journal_record::parsed p = journal_record::parse(out.journal_line);
  if (!p.record) return;
  if (std::optional<inbox_item> item = item_of_record(*p.record)) {
    context_.state.share_inbox_item(*item);
    if (context_.deliveries) context_.deliveries->add(*item);
    context_.inbox.add(std::move(*item));
  }
}

void twilio_handlers::journaled(response& out, bool ok) {
  if (!ok && !out.callback_number.empty()) {
    // The request is not on disk, so nobody would call back: the caller
    // leaves a message instead, which Twilio's recording callback retries.
    const auto set = context_.store.current();
    if (const runtime_clinic* clinic = set ? set->find_by_id(out.clinic) : nullptr) {
      write_twiml(out.body, *clinic, {action_kind::voicemail, "callback not journaled"},
                  {.at = std::chrono::floor<std::chrono::seconds>(clock_type::now())}, answer_options());
      out.action = "voicemail";
      out.reason = "callback not journaled";
    } else {
      out.answer(503, "journal write failed\n");
    }
    return;
  }
  if (out.recording_sid.empty()) return;
  // Acknowledged only once on disk: a failed write answers 503 so that
  // Twilio retries the callback rather than the voicemail being lost.
  if (!ok) {
    context_.voicemails.forget(out.recording_sid);
    out.answer(503, "journal write failed\n");
  }
}

}  // namespace callpolicy::server
