// The journal read back at start (replay) and written ahead at rotation
// (the snapshot a new file starts with): what a restart needs of the past.
// The records' format is server/journal/record.h's.
#include "runtime/identify.h"
#include "server/handler_text.h"
#include "server/journal/record.h"
#include "server/json_line.h"
#include "server/log.h"

namespace callpolicy::server {
namespace {

template <class... Handlers>
struct overloaded : Handlers... {
  using Handlers::operator()...;
};

clock_type::time_point time_of(std::int64_t ms) { return clock_type::time_point{std::chrono::milliseconds{ms}}; }

}  // namespace

void append_override_record(std::string& out, const clinic_override& o, clock_type::time_point now) {
  journal_record::append(out, journal_record::override_set{.time_ms = unix_ms(now),
                                                           .clinic = o.clinic,
                                                           .action = action_name(o.action),
                                                           .until_ms = unix_ms(o.until),
                                                           .reason = o.reason,
                                                           .set_at = o.set_at});
}

std::string webhooks::journal_snapshot() {
  const auto now = clock_type::now();
  std::string out;
  journal_record::append(out, journal_record::rotated{.time_ms = unix_ms(now), .voicemails = voicemails_.load()});
  out += '\n';
  for (const call_state::live_call& call : state_.live_calls()) {
    std::string_view leg;
    if (call.ai_leg != call_state::leg_state::none) leg = call.ai_leg == call_state::leg_state::live ? "live" : "ended";
    journal_record::append(out, journal_record::live_call{.time_ms = unix_ms(call.started),
                                                          .call_sid = call.call_sid,
                                                          .clinic = call.clinic,
                                                          .ai_leg = leg});
    out += '\n';
  }
  // The memory store's overrides live in the journal: a new file carries them.
  if (!state_.shares_overrides()) {
    for (const clinic_override& o : overrides_.all(now)) {
      append_override_record(out, o, now);
      out += '\n';
    }
  }
  std::lock_guard lock(recordings_mutex_);
  recordings_.for_each([&](clock_type::time_point at, std::string_view recording) {
    journal_record::append(out, journal_record::recording{.time_ms = unix_ms(at), .recording_sid = recording});
    out += '\n';
  });
  return out;
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
        .add("message", summary.skipped == logged_at_most
                            ? "journal record skipped (further ones not logged)"
                            : "journal record skipped")
        .add("journal", path)
        .add("line", static_cast<std::int64_t>(number))
        .add("error", why)
        .end_line();
    write_log(out);
  };
  const auto now = clock_type::now();
  const auto set = store_.current();
  // A decision, for the status page's recent decisions.
  const auto remember = [&](const auto& r, std::string_view step) {
    if (r.clinic.empty() || r.action.empty()) return;
    std::string buffer;
    std::string_view caller = r.from;
    if (const runtime_clinic* c = set ? set->find_by_id(r.clinic) : nullptr) {
      const std::string_view e164 = caller_e164(r.from, c->policy.region, buffer);
      if (!e164.empty()) caller = e164;
    }
    recent_.add(r.clinic, {r.time_ms, r.call_sid, step, caller, r.action, r.reason});
  };
  // A later step of a call that went to the AI took a leg then.
  const auto restore_step_leg = [&](const auto& r) {
    if (!restore_calls || r.clinic.empty() || r.action != "ai" || !is_call_sid(r.call_sid)) return;
    bool admitted = false;
    state_.start_call(r.call_sid, r.clinic, time_of(r.time_ms), {"1"}, &admitted);
  };
  // The AI leg a call took: its answer's, or a snapshot's `ai_leg`.
  const auto restore_call = [&](const auto& r, std::string_view leg) {
    if (!restore_calls) return;
    bool admitted = false;
    state_.start_call(r.call_sid, r.clinic, time_of(r.time_ms), {leg.empty() ? "0" : "1"}, &admitted);
    if (leg == "ended") state_.end_ai_leg(r.call_sid);
  };
  const auto remember_voicemail = [&](std::int64_t ms, const std::string& recording) {
    if (time_of(ms) + recording_memory > now) remember_recording(recording, time_of(ms));
  };
  using namespace journal_record;
  journal::for_each_line(path, [&](std::size_t number, std::string_view text, bool too_long) {
    if (too_long) return skip(number, "line too long");
    const parsed p = parse(text);
    if (!p.record) return skip(number, p.error);
    std::string_view refused;
    std::visit(overloaded{
                   [&](const call_of<std::string>& r) {
                     if (!is_call_sid(r.call_sid)) {
                       refused = "call_sid is not a Twilio CallSid";
                       return;
                     }
                     restore_call(r, r.action == "ai" ? "live" : "");
                     remember(r, r.via);
                   },
                   [&](const live_call_of<std::string>& r) {
                     if (!is_call_sid(r.call_sid)) {
                       refused = "call_sid is not a Twilio CallSid";
                       return;
                     }
                     restore_call(r, r.ai_leg);
                   },
                   [&](const status_of<std::string>& r) {
                     if (restore_calls && is_final_status(r.status)) state_.end_call(r.call_sid);
                   },
                   [&](const dial_status_of<std::string>& r) {
                     restore_step_leg(r);
                     remember(r, "dial " + r.dial_call_status);
                   },
                   [&](const ai_status_of<std::string>& r) {
                     if (restore_calls && is_call_sid(r.call_sid)) state_.end_ai_leg(r.call_sid);
                     remember(r, "ai " + r.dial_call_status);
                   },
                   [&](const transfer_of<std::string>& r) { remember(r, "transfer"); },
                   [&](const menu_of<std::string>& r) {
                     restore_step_leg(r);
                     remember(r, "menu " + r.digits);
                   },
                   [&](const voicemail_of<std::string>& r) {
                     ++voicemails_;
                     remember_voicemail(r.time_ms, r.recording_sid);
                   },
                   [&](const rotated_of<std::string>& r) { voicemails_ += r.voicemails; },
                   [&](const recording_of<std::string>& r) { remember_voicemail(r.time_ms, r.recording_sid); },
                   [&](const override_of<std::string>& r) {
                     // Shared stores keep overrides themselves; the journal's are the memory store's.
                     if (state_.shares_overrides()) return;
                     clinic_override o;
                     o.clinic = r.clinic;
                     o.action = *action_from_name(r.action);
                     o.reason = r.reason;
                     o.until = time_of(r.until_ms);
                     o.set_at = r.set_at;
                     if (o.until > now) overrides_.put(std::move(o));
                   },
                   [&](const override_cleared_of<std::string>& r) {
                     if (!state_.shares_overrides()) overrides_.erase(r.clinic);
                   },
               },
               *p.record);
    if (!refused.empty()) return skip(number, refused);
    ++summary.records;
  });
  metrics_.set_journal_skipped(summary.skipped);
  return summary;
}

}  // namespace callpolicy::server
