// The records' format is server/journal/record.h's.
#include "server/journal/journal_replayer.h"

#include <algorithm>
#include <array>
#include <climits>
#include <unordered_map>

#include "runtime/identify.h"
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

std::string journal_replayer::snapshot() {
  const auto now = clock_type::now();
  std::string out;
  // The voicemails so far, a line per clinic; always one, even of none, so
  // that the file starts as a rotated one.
  const auto by_clinic = context_.voicemails.by_clinic();
  if (by_clinic.empty()) {
    journal_record::append(out, journal_record::rotated{.time_ms = unix_ms(now), .voicemails = 0});
    out += '\n';
  }
  for (const auto& [clinic, count] : by_clinic) {
    journal_record::append(out, journal_record::rotated{.time_ms = unix_ms(now), .voicemails = count, .clinic = clinic});
    out += '\n';
  }
  for (const call_state::live_call& call : context_.state.live_calls()) {
    std::string_view leg;
    if (call.ai_leg != call_state::leg_state::none) leg = call.ai_leg == call_state::leg_state::live ? "live" : "ended";
    journal_record::append(out, journal_record::live_call{.time_ms = unix_ms(call.started),
                                                          .call_sid = call.call_sid,
                                                          .clinic = call.clinic,
                                                          .ai_leg = leg});
    out += '\n';
  }
  // The inbox lives in the journal too, open items and done ones alike.
  for (const inbox_item& item : context_.inbox.list({}, inbox_state::all, unix_ms(now))) {
    journal_record::append(out, record_of(item));
    out += '\n';
  }
  // The memory store's overrides live in the journal: a new file carries them.
  for (const clinic_override& o : context_.overrides.journaled(now)) {
    append_override_record(out, o, now);
    out += '\n';
  }
  context_.voicemails.for_each_recording([&](clock_type::time_point at, std::string_view recording) {
    journal_record::append(out, journal_record::recording{.time_ms = unix_ms(at), .recording_sid = recording});
    out += '\n';
  });
  return out;
}

replay_summary journal_replayer::replay(const std::string& path, bool restore_calls) {
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
  const auto set = context_.store.current();
  // A decision, for the status page's recent decisions.
  const auto remember = [&](const auto& r, std::string_view step) {
    if (r.clinic.empty() || r.action.empty()) return;
    std::string buffer;
    std::string_view caller = r.from;
    if (const runtime_clinic* c = set ? set->find_by_id(r.clinic) : nullptr) {
      const std::string_view e164 = caller_e164(r.from, c->policy.region, buffer);
      if (!e164.empty()) caller = e164;
    }
    context_.recent.add(r.clinic, {r.time_ms, r.call_sid, step, caller, r.action, r.reason});
  };
  // A later step of a call that went to the AI took a leg then.
  const auto restore_step_leg = [&](const auto& r) {
    if (!restore_calls || r.clinic.empty() || r.action != "ai" || !is_call_sid(r.call_sid)) return;
    bool admitted = false;
    context_.state.start_call(r.call_sid, r.clinic, time_of(r.time_ms), {"1"}, &admitted);
  };
  // The AI leg a call took: its answer's, or a snapshot's `ai_leg`.
  const auto restore_call = [&](const auto& r, std::string_view leg) {
    if (!restore_calls) return;
    bool admitted = false;
    context_.state.start_call(r.call_sid, r.clinic, time_of(r.time_ms), {leg.empty() ? "0" : "1"}, &admitted);
    if (leg == "ended") context_.state.end_ai_leg(r.call_sid);
  };
  // A voicemail journaled before it named its clinic takes its call's: the
  // clinics of the calls read last, as many as a busy fleet takes in the
  // minutes a message follows its call. A ring of fixed size, searched only
  // for such a voicemail (journals of older servers): replay stays streamed,
  // its memory bounded (a few MB) whatever the journal's length.
  constexpr std::size_t calls_remembered = 100'000;
  struct recent_call {
    std::array<char, 34> sid{};
    std::uint32_t clinic = 0;
  };
  std::vector<recent_call> recent_calls;
  std::size_t next_slot = 0;
  std::vector<std::string> clinic_names;
  std::unordered_map<std::string, std::uint32_t> clinic_index;
  const auto remember_clinic = [&](const std::string& call_sid, const std::string& clinic) {
    if (clinic.empty() || call_sid.size() != 34) return;
    const auto [it, added] = clinic_index.try_emplace(clinic, static_cast<std::uint32_t>(clinic_names.size()));
    if (added) clinic_names.push_back(clinic);
    recent_call entry;
    std::copy(call_sid.begin(), call_sid.end(), entry.sid.begin());
    entry.clinic = it->second;
    if (recent_calls.size() < calls_remembered) {
      recent_calls.push_back(entry);
    } else {
      recent_calls[next_slot] = entry;
    }
    next_slot = (next_slot + 1) % calls_remembered;
  };
  const auto clinic_of_call = [&](const std::string& call_sid) -> std::string {
    if (call_sid.size() != 34) return {};
    for (const recent_call& c : recent_calls) {
      if (std::equal(call_sid.begin(), call_sid.end(), c.sid.begin())) return clinic_names[c.clinic];
    }
    return {};
  };
  // Returns the item's clinic, its call's where the record named none.
  const auto add_to_inbox = [&](const journal_record::any_record& record) -> std::string {
    std::optional<inbox_item> item = item_of_record(record);
    if (!item) return {};
    if (item->clinic.empty()) item->clinic = clinic_of_call(item->call_sid);
    // A shared store gets what this server journaled, in case Redis never did.
    context_.state.share_inbox_item(*item);
    if (context_.deliveries) context_.deliveries->add(*item);
    std::string clinic = item->clinic;
    context_.inbox.add(std::move(*item));
    return clinic;
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
                     remember_clinic(r.call_sid, r.clinic);
                   },
                   [&](const live_call_of<std::string>& r) {
                     if (!is_call_sid(r.call_sid)) {
                       refused = "call_sid is not a Twilio CallSid";
                       return;
                     }
                     restore_call(r, r.ai_leg);
                   },
                   [&](const status_of<std::string>& r) {
                     if (restore_calls && is_final_status(r.status)) context_.state.end_call(r.call_sid);
                     // The last hour's lengths: the estimated wait survives a restart.
                     if (r.duration > 0 && r.duration <= INT32_MAX) {
                       context_.state.add_call_length(r.clinic, r.call_sid, static_cast<std::int32_t>(r.duration),
                                                      time_of(r.time_ms));
                     }
                   },
                   [&](const dial_status_of<std::string>& r) {
                     restore_step_leg(r);
                     remember(r, "dial " + r.dial_call_status);
                   },
                   [&](const ai_status_of<std::string>& r) {
                     if (restore_calls && is_call_sid(r.call_sid)) context_.state.end_ai_leg(r.call_sid);
                     remember(r, "ai " + r.dial_call_status);
                   },
                   [&](const transfer_of<std::string>& r) { remember(r, "transfer"); },
                   [&](const menu_of<std::string>& r) {
                     restore_step_leg(r);
                     remember(r, "menu " + r.digits);
                   },
                   [&](const callback_of<std::string>& r) {
                     restore_step_leg(r);
                     remember(r, "callback " + r.digits);
                   },
                   // A message for the clinic, not a step of the call's flow.
                   [&](const callback_request_of<std::string>&) { add_to_inbox(*p.record); },
                   [&](const inbox_item_of<std::string>&) { add_to_inbox(*p.record); },
                   [&](const inbox_done_of<std::string>& r) {
                     context_.inbox.mark_done(r.id, r.done_by, r.time_ms);
                   },
                   [&](const voicemail_of<std::string>& r) {
                     context_.voicemails.add(add_to_inbox(*p.record), 1);
                     context_.voicemails.restore(r.recording_sid, time_of(r.time_ms), now);
                   },
                   [&](const rotated_of<std::string>& r) { context_.voicemails.add(r.clinic, r.voicemails); },
                   [&](const recording_of<std::string>& r) {
                     context_.voicemails.restore(r.recording_sid, time_of(r.time_ms), now);
                   },
                   [&](const override_of<std::string>& r) {
                     // Shared stores keep overrides themselves; the journal's are the memory store's.
                     clinic_override o;
                     o.clinic = r.clinic;
                     o.action = *action_from_name(r.action);
                     o.reason = r.reason;
                     o.until = time_of(r.until_ms);
                     o.set_at = r.set_at;
                     context_.overrides.restore(std::move(o), now);
                   },
                   [&](const override_cleared_of<std::string>& r) {
                     context_.overrides.forget(r.clinic);
                   },
               },
               *p.record);
    if (!refused.empty()) return skip(number, refused);
    ++summary.records;
  });
  context_.metrics.set_journal_skipped(summary.skipped);
  return summary;
}

}  // namespace callpolicy::server
