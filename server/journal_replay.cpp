// The journal read back at start (replay) and written ahead at rotation
// (the snapshot a new file starts with): what a restart needs of the past.
#include <nlohmann/json.hpp>

#include "runtime/identify.h"
#include "server/handler_text.h"
#include "server/json_line.h"
#include "server/log.h"

namespace callpolicy::server {
namespace {

using json = nlohmann::ordered_json;

constexpr std::int64_t max_journal_time_ms = 7'258'118'400'000;  // 2200-01-01T00:00Z

}  // namespace

void append_override_record(std::string& out, const clinic_override& o, clock_type::time_point now) {
  json_line(out)
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
    json_line line(out);
    line.add("type", "call")
        .add("time_ms", unix_ms(call.started))
        .add("call_sid", call.call_sid)
        .add("clinic", call.clinic)
        .add("snapshot", true);
    if (call.ai_leg != call_state::leg_state::none) {
      line.add("ai_leg", call.ai_leg == call_state::leg_state::live ? "live" : "ended");
    }
    line.end_line();
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
    json_line(out)
        .add("type", "recording")
        .add("time_ms", unix_ms(at))
        .add("call_sid", "")
        .add("recording_sid", recording)
        .end_line();
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
    // A decision, for the status page's recent decisions; a record without
    // an action (a snapshot's live call) decided nothing.
    const auto remember = [&](std::string_view step) {
      const auto clinic = string_field("clinic");
      const auto action = string_field("action");
      if (!clinic || !action) return;
      const std::string from = string_field("from").value_or("");
      std::string buffer;
      std::string_view caller = from;
      if (const runtime_clinic* c = set ? set->find_by_id(*clinic) : nullptr) {
        const std::string_view e164 = caller_e164(from, c->policy.region, buffer);
        if (!e164.empty()) caller = e164;
      }
      recent_.add(*clinic, {ms, *call_sid, step, caller, *action, string_field("reason").value_or("")});
    };
    // A later step of a call that went to the AI took a leg then.
    const auto restore_step_leg = [&] {
      const auto clinic = string_field("clinic");
      if (!restore_calls || !clinic || string_field("action") != "ai" || !is_call_sid(*call_sid)) return;
      bool admitted = false;
      state_.start_call(*call_sid, *clinic, at, {"1"}, &admitted);
    };
    if (*type == "voicemail") {
      const auto recording = string_field("recording_sid");
      if (!recording) return skip(number, "voicemail without a 'recording_sid' string");
      ++voicemails_;
      if (at + recording_memory > now) remember_recording(*recording, at);
    } else if (*type == "call") {
      const auto clinic = string_field("clinic");
      if (!clinic) return skip(number, "call without a 'clinic' string");
      if (!is_call_sid(*call_sid)) return skip(number, "call_sid is not a Twilio CallSid");
      if (restore_calls) {
        // The AI leg the call took (its answer, or a snapshot's `ai_leg`).
        const std::string leg = string_field("ai_leg").value_or(string_field("action") == "ai" ? "live" : "");
        bool admitted = false;
        state_.start_call(*call_sid, *clinic, at, {leg.empty() ? "0" : "1"}, &admitted);
        if (leg == "ended") state_.end_ai_leg(*call_sid);
      }
      remember(string_field("via").value_or(""));
    } else if (*type == "status") {
      const auto status = string_field("status");
      if (!status) return skip(number, "status without a 'status' string");
      if (restore_calls && is_final_status(*status)) state_.end_call(*call_sid);
    } else if (*type == "rotated") {
      // The first line of a rotated journal: the voicemails of the files before.
      const auto count = line.find("voicemails");
      if (count == line.end() || !count->is_number_unsigned())
        return skip(number, "rotated without a 'voicemails' count");
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
    } else if (*type == "dial_status") {
      restore_step_leg();
      remember("dial " + string_field("dial_call_status").value_or(""));
    } else if (*type == "menu") {
      restore_step_leg();
      remember("menu " + string_field("digits").value_or(""));
    } else if (*type == "ai_status") {
      if (restore_calls && is_call_sid(*call_sid)) state_.end_ai_leg(*call_sid);
      remember("ai " + string_field("dial_call_status").value_or(""));
    } else if (*type == "transfer") {
      remember("transfer");
    } else {
      return skip(number, "unknown record type");
    }
    ++summary.records;
  });
  metrics_.set_journal_skipped(summary.skipped);
  return summary;
}

}  // namespace callpolicy::server
