// The journal's records: one struct per line the journal holds, each with
// the list of its fields, from which both sides of the format are made:
// append() writes a record as one JSON object, parse() reads a line back.
// Every writer (the handlers, the snapshot a rotation starts with) and every
// reader (replay at start, `plan --journal`) goes through here, so the
// format has one owner, as ninja's build log and Redis' AOF do
// (docs/operations.md, "Journal").
//
// Field names keep the spelling they were first written with: fields are
// added, never renamed, and a reader defaults a field an older server did
// not write. Each record is a template over its text type: handlers write
// records that view the request's own bytes (`std::string_view`, nothing
// copied on the call's path), readers get records that own their text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace callpolicy::server::journal_record {

// How a field is written and read.
enum class presence {
  required,  // always written; a line without it (or of another type) is refused
  always,    // always written; a reader takes the type's default when missing
  when_set,  // written only when not the default (a flag, a rare note)
};

// Every record begins with its type, its time (Unix milliseconds) and its
// call ("" for a record of no call). Each record type lists the rest in
// `fields`, in the order they are written, and names what makes a line of
// its type incomplete for the skip it is logged with.

// A call's arrival and the policy's decision.
template <class Text>
struct call_of {
  static constexpr std::string_view type = "call";
  static constexpr std::string_view incomplete = "call without a 'clinic' string";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, via{}, to{}, from{}, forwarded_from{};
  std::int64_t active_calls = 0;
  Text action{}, reason{};
  bool by_override = false;  // an operator's override decided, not the policy
  Text state{};              // "local": decided on this server's own count
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::required);
    v("via", r.via, presence::always);
    v("to", r.to, presence::always);
    v("from", r.from, presence::always);
    v("forwarded_from", r.forwarded_from, presence::always);
    v("active_calls", r.active_calls, presence::always);
    v("action", r.action, presence::always);
    v("reason", r.reason, presence::always);
    v("override", r.by_override, presence::when_set);
    v("state", r.state, presence::when_set);
  }
};

// A call still in flight when the journal rotated, carried into the new
// file's snapshot. Its type is "call", with `snapshot` set: it decided
// nothing, and readers that count decisions skip it.
template <class Text>
struct live_call_of {
  static constexpr std::string_view type = "call";
  static constexpr std::string_view incomplete = "call without a 'clinic' string";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{};
  bool snapshot = true;
  Text ai_leg{};  // "live", "ended", or "" when the call took no AI leg
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::required);
    v("snapshot", r.snapshot, presence::always);
    v("ai_leg", r.ai_leg, presence::when_set);
  }
};

// A status callback (`CallStatus`); `ended` when it ended a counted call.
template <class Text>
struct status_of {
  static constexpr std::string_view type = "status";
  static constexpr std::string_view incomplete = "status without a 'status' string";
  std::int64_t time_ms = 0;
  Text call_sid{}, status{};
  bool ended = false;
  // A completed call's clinic and CallDuration (seconds), for the estimated
  // wait; written only for such a call.
  Text clinic{};
  std::int64_t duration = 0;
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("status", r.status, presence::required);
    v("ended", r.ended, presence::always);
    v("clinic", r.clinic, presence::when_set);
    v("duration", r.duration, presence::when_set);
  }
};

// The end of a forward's <Dial>, and what the policy did next.
template <class Text>
struct dial_status_of {
  static constexpr std::string_view type = "dial_status";
  static constexpr std::string_view incomplete = "";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, dial_call_status{}, dial_call_sid{}, action{}, reason{}, from{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::always);
    v("dial_call_status", r.dial_call_status, presence::always);
    v("dial_call_sid", r.dial_call_sid, presence::always);
    v("action", r.action, presence::always);
    v("reason", r.reason, presence::always);
    v("from", r.from, presence::always);
  }
};

// The end of the AI's <Dial>, and what the policy did next.
template <class Text>
struct ai_status_of {
  static constexpr std::string_view type = "ai_status";
  static constexpr std::string_view incomplete = "";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, dial_call_status{}, action{}, reason{}, from{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::always);
    v("dial_call_status", r.dial_call_status, presence::always);
    v("action", r.action, presence::always);
    v("reason", r.reason, presence::always);
    v("from", r.from, presence::always);
  }
};

// The AI handing the caller on (a SIP REFER), and where the policy sent it.
template <class Text>
struct transfer_of {
  static constexpr std::string_view type = "transfer";
  static constexpr std::string_view incomplete = "";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, target{}, action{}, reason{}, from{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::always);
    v("target", r.target, presence::always);
    v("action", r.action, presence::always);
    v("reason", r.reason, presence::always);
    v("from", r.from, presence::always);
  }
};

// The keys a caller pressed at a menu, and what the policy did next.
template <class Text>
struct menu_of {
  static constexpr std::string_view type = "menu";
  static constexpr std::string_view incomplete = "";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, digits{}, action{}, reason{}, from{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::always);
    v("digits", r.digits, presence::always);
    v("action", r.action, presence::always);
    v("reason", r.reason, presence::always);
    v("from", r.from, presence::always);
  }
};

// Digits at a callback offer that took no request (silence, a retry, a
// number that could not be used), and what the policy did next.
template <class Text>
struct callback_of {
  static constexpr std::string_view type = "callback";
  static constexpr std::string_view incomplete = "";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, digits{}, action{}, reason{}, from{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::always);
    v("digits", r.digits, presence::always);
    v("action", r.action, presence::always);
    v("reason", r.reason, presence::always);
    v("from", r.from, presence::always);
  }
};

// A caller's request to be called back at `number` (E.164), journaled
// before the caller hears it taken; `reason` is why the offer was made.
template <class Text>
struct callback_request_of {
  static constexpr std::string_view type = "callback_request";
  static constexpr std::string_view incomplete = "callback_request without 'clinic' or 'number'";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, number{}, caller{}, to{}, reason{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::required);
    v("number", r.number, presence::required);
    v("caller", r.caller, presence::always);
    v("to", r.to, presence::always);
    v("reason", r.reason, presence::always);
  }
};

// A recording left by a caller, journaled before Twilio is told 200. The
// clinic, caller, number dialled and reason come from the recording
// callback's URL; a line written before they were there has none of them.
template <class Text>
struct voicemail_of {
  static constexpr std::string_view type = "voicemail";
  static constexpr std::string_view incomplete = "voicemail without a 'recording_sid' string";
  std::int64_t time_ms = 0;
  Text call_sid{}, recording_sid{}, recording_url{}, recording_duration{}, recording_status{};
  Text clinic{}, caller{}, to{}, reason{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("recording_sid", r.recording_sid, presence::required);
    v("recording_url", r.recording_url, presence::always);
    v("recording_duration", r.recording_duration, presence::always);
    v("recording_status", r.recording_status, presence::always);
    v("clinic", r.clinic, presence::always);
    v("caller", r.caller, presence::always);
    v("to", r.to, presence::always);
    v("reason", r.reason, presence::always);
  }
};

// An inbox item carried into a rotated journal's snapshot (and kept so by a
// shared store), with its done mark: the voicemail or callback request it
// was, in the inbox's terms (server/inbox/inbox.h).
template <class Text>
struct inbox_item_of {
  static constexpr std::string_view type = "inbox_item";
  static constexpr std::string_view incomplete = "inbox_item without 'id' or 'item_type'";
  std::int64_t time_ms = 0;
  Text call_sid{}, id{}, item_type{}, clinic{}, caller{}, number{}, to{}, recording_url{}, reason{};
  std::int64_t duration = 0;
  bool done = false;
  Text done_by{};
  std::int64_t done_at_ms = 0;
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("id", r.id, presence::required);
    v("item_type", r.item_type, presence::required);
    v("clinic", r.clinic, presence::always);
    v("caller", r.caller, presence::always);
    v("number", r.number, presence::always);
    v("to", r.to, presence::always);
    v("recording_url", r.recording_url, presence::always);
    v("reason", r.reason, presence::always);
    v("duration", r.duration, presence::always);
    v("done", r.done, presence::when_set);
    v("done_by", r.done_by, presence::when_set);
    v("done_at_ms", r.done_at_ms, presence::when_set);
  }
};

// Someone dealt with an inbox item: the memory store's mark (a shared store
// keeps it in Redis). `time_ms` is when.
template <class Text>
struct inbox_done_of {
  static constexpr std::string_view type = "inbox_done";
  static constexpr std::string_view incomplete = "inbox_done without 'id'";
  std::int64_t time_ms = 0;
  Text call_sid{}, id{}, done_by{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("id", r.id, presence::required);
    v("done_by", r.done_by, presence::always);
  }
};

// The first lines of a rotated journal: the voicemails of the files before,
// one line per clinic (`clinic` left out for those that named none, and in
// lines written before voicemails named their clinic).
template <class Text>
struct rotated_of {
  static constexpr std::string_view type = "rotated";
  static constexpr std::string_view incomplete = "rotated without a 'voicemails' count";
  std::int64_t time_ms = 0;
  Text call_sid{};
  std::uint64_t voicemails = 0;
  Text clinic{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("voicemails", r.voicemails, presence::required);
    v("clinic", r.clinic, presence::when_set);
  }
};

// A RecordingSid already journaled, carried into a snapshot so that a
// retried callback is still refused after the rotation.
template <class Text>
struct recording_of {
  static constexpr std::string_view type = "recording";
  static constexpr std::string_view incomplete = "recording without a 'recording_sid' string";
  std::int64_t time_ms = 0;
  Text call_sid{}, recording_sid{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("recording_sid", r.recording_sid, presence::required);
  }
};

// An operator's override, as the memory store keeps it (a shared store
// keeps overrides itself). `action` is an action's name (model/time_types.h).
template <class Text>
struct override_of {
  static constexpr std::string_view type = "override";
  static constexpr std::string_view incomplete = "override without 'clinic', 'action', 'reason' or 'until_ms'";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{}, action{};
  std::int64_t until_ms = 0;
  Text reason{}, set_at{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::required);
    v("action", r.action, presence::required);
    v("until_ms", r.until_ms, presence::required);
    v("reason", r.reason, presence::required);
    v("set_at", r.set_at, presence::always);
  }
};

template <class Text>
struct override_cleared_of {
  static constexpr std::string_view type = "override_cleared";
  static constexpr std::string_view incomplete = "override_cleared without 'clinic'";
  std::int64_t time_ms = 0;
  Text call_sid{}, clinic{};
  template <class Self, class Visit>
  static void fields(Self& r, Visit&& v) {
    v("clinic", r.clinic, presence::required);
  }
};

// What writers fill: views of text that outlives the append.
using call = call_of<std::string_view>;
using live_call = live_call_of<std::string_view>;
using status = status_of<std::string_view>;
using dial_status = dial_status_of<std::string_view>;
using ai_status = ai_status_of<std::string_view>;
using transfer = transfer_of<std::string_view>;
using menu = menu_of<std::string_view>;
using callback = callback_of<std::string_view>;
using callback_request = callback_request_of<std::string_view>;
using inbox_done = inbox_done_of<std::string_view>;
using voicemail = voicemail_of<std::string_view>;
using rotated = rotated_of<std::string_view>;
using recording = recording_of<std::string_view>;
using override_set = override_of<std::string_view>;
using override_cleared = override_cleared_of<std::string_view>;

// Appends `r` as one JSON object, without a newline (the journal adds it).
// Text that is not valid UTF-8 is written as U+FFFD: a record never throws.
template <class Record>
void append(std::string& out, const Record& r);

// What a reader gets: records that own their text.
using any_record =
    std::variant<call_of<std::string>, live_call_of<std::string>, status_of<std::string>, dial_status_of<std::string>,
                 ai_status_of<std::string>, transfer_of<std::string>, menu_of<std::string>, callback_of<std::string>,
                 callback_request_of<std::string>, voicemail_of<std::string>, rotated_of<std::string>,
                 inbox_item_of<std::string>, inbox_done_of<std::string>, recording_of<std::string>, override_of<std::string>,
                 override_cleared_of<std::string>>;

struct parsed {
  std::optional<any_record> record;
  std::string_view error;  // why there is none, for the skip's log line
};

// The latest time a server writes (2200-01-01T00:00Z): a record before 1970
// or after it is refused, as no server wrote it.
inline constexpr std::int64_t latest_time_ms = 7'258'118'400'000;

// One line of a journal (without its newline).
parsed parse(std::string_view line);

}  // namespace callpolicy::server::journal_record
