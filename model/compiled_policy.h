// The compiled form of a policy set: what the compiler produces, what a
// bundle holds (bundle.h) and what the runtime loads. Everything here is
// resolved: calendars are flattened into each clinic's holiday rules, modes
// are desugared into a decision tree, `fallback` is a concrete action, ranges
// of special dates are expanded to single dates.
//
// No PEGTL and no time-zone database here: the runtime links this library and
// must not need the parser (docs/architecture.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/time_types.h"

namespace callpolicy {

inline constexpr int bundle_format = 1;

// A predicate of the decision tree. Only the fields of its kind are used.
struct predicate {
  enum class kind : std::uint8_t {
    open,        // the local time lies in a window of the day plan (docs/language.md, "Time semantics")
    holiday,     // the local date is a holiday and `special` does not list it
    scheduled,   // the last matching schedule line enables
    calls_at_least,  // active calls >= threshold (overflow, and every `calls OP N`)
    caller_in,   // the caller is one of `callers`
    via_in,      // the call came through one of `vias`
    during,      // the local time lies in `windows` on `days` (windows spill past midnight)
    on_dates,    // the local date lies in `dates`
    transfer_to,  // the AI's transfer target is one of `callers` (the transfer tree only)
    wait_known,     // the clinic's mean call length is known (docs/language.md, "Estimated wait")
    wait_above,     // the estimated wait is more than `threshold` seconds
    wait_at_least,  // the estimated wait is `threshold` seconds or more
  };
  static constexpr std::size_t kind_count = 12;
  kind type = kind::open;
  std::int32_t threshold = 0;        // calls_at_least
  std::vector<std::string> callers;  // caller_in, transfer_to: sorted
  via_mask vias = 0;                 // via_in
  day_mask days = 0;                 // during
  std::vector<window> windows;       // during
  date_range dates;                  // on_dates
  friend bool operator==(const predicate&, const predicate&) = default;
};

// "calls_at_least", as bundles name the kinds.
std::string_view predicate_kind_name(predicate::kind kind);
std::optional<predicate::kind> predicate_kind_from_name(std::string_view name);

// The estimated wait of a call (docs/language.md, "Estimated wait"),
// max(0, active - lines + 1) x mean / lines, against `seconds`: negative,
// zero or positive as it is shorter, equal or longer; nullopt when it is
// unknown (no mean call length, `mean_call_seconds` <= 0, or no lines).
// In whole numbers, so that the compiler's lints and every server agree.
// Completed calls in the last hour below which the mean is unknown.
inline constexpr int min_calls_for_mean = 5;
std::optional<std::int64_t> compare_wait(std::uint32_t lines, std::int32_t active_calls,
                                         std::int32_t mean_call_seconds, std::int64_t seconds);

// A tree edge: a node index when >= 0, else the leaf ~target (so -1 is leaf 0).
// A node's children always have smaller indices than the node (the root is
// the last node), so every walk ends; read_bundle checks it.
using tree_target = std::int32_t;
inline constexpr bool is_leaf(tree_target t) { return t < 0; }
inline constexpr std::int32_t leaf_index(tree_target t) { return ~t; }
inline constexpr tree_target leaf_target(std::int32_t leaf) { return ~leaf; }

struct tree_node {
  std::uint32_t predicate = 0;  // index into compiled_clinic::predicates
  tree_target if_true = -1;
  tree_target if_false = -1;
  friend bool operator==(const tree_node&, const tree_node&) = default;
};

struct tree_leaf {
  action_kind action = action_kind::ai;
  std::string reason;  // normative for modes (docs/language.md, "Modes"), else label or canonical condition
  friend bool operator==(const tree_leaf&, const tree_leaf&) = default;
};

// Where the AI's transfers may go: the `transfer` block's own tree, over
// the clinic's predicates, so that `to` tests stay out of the tree that
// answers calls. Not configured: the default rule of after_refer.
struct transfer_tree {
  bool configured = false;
  std::vector<tree_node> nodes;
  std::vector<tree_leaf> leaves;
  tree_target root = -1;
  friend bool operator==(const transfer_tree&, const transfer_tree&) = default;
};

struct special_day {
  day_number date = 0;
  std::vector<window> windows;  // empty: closed all day
  friend bool operator==(const special_day&, const special_day&) = default;
};

struct schedule_rule {
  bool enable = true;
  std::optional<day_mask> days;     // a weekly line
  std::optional<date_range> dates;  // a dated line
  std::vector<window> windows;      // empty: the whole of each day or date
  friend bool operator==(const schedule_rule&, const schedule_rule&) = default;
};

struct ai_config {
  enum class kind : std::uint8_t { server_default, sip, redirect };
  kind type = kind::server_default;  // no `sip`/`redirect`: --ai-sip/--ai-url, else sip:{id}@sip.vapi.ai
  std::string target;
  // How long Twilio rings the AI's SIP leg, and what takes the call when
  // the leg fails (Vapi down, at its concurrency limit, a SIP error).
  std::uint32_t timeout_seconds = 15;
  action_kind unavailable = action_kind::voicemail;  // never ai
  // Live AI legs this clinic may hold at once, within the server's
  // --ai-capacity; 0: no cap of its own (docs/operations.md, "AI capacity").
  std::uint32_t capacity = 0;
  friend bool operator==(const ai_config&, const ai_config&) = default;
};

struct forward_config {
  std::string number;  // empty when the clinic has no forward number
  std::string say = "Connecting you now.";
  std::uint32_t timeout_seconds = 20;
  action_kind unanswered = action_kind::voicemail;  // never forward
  std::string caller_id;  // empty: the caller's own number when it is E.164, else the clinic's
  // Empty: no screening. Else staff hear it and must press a key before the
  // caller is connected (docs/language.md, "Screened forwards").
  std::string screen;
  friend bool operator==(const forward_config&, const forward_config&) = default;
};

// The keys a menu can map: '0'..'9' then '*' ('#' ends input in <Gather>).
inline constexpr std::size_t menu_key_count = 11;
// The index of a key, or -1 for anything else.
inline constexpr int menu_key_index(char key) {
  return key >= '0' && key <= '9' ? key - '0' : key == '*' ? 10 : -1;
}
inline constexpr char menu_key_char(std::size_t index) {
  return index < 10 ? static_cast<char>('0' + index) : '*';
}

struct menu_config {
  bool configured = false;  // the clinic has a `menu` block
  std::string say;          // given, or composed from the keys
  std::uint32_t timeout_seconds = 6;
  std::array<std::optional<action_kind>, menu_key_count> keys{};  // never menu
  action_kind on_timeout = action_kind::voicemail;                 // never menu
  friend bool operator==(const menu_config&, const menu_config&) = default;
};

// A callback offer (docs/language.md, "Callback requests"): key 1 keeps the
// caller's number, digits then '#' give another; silence goes on to `otherwise`.
struct callback_config {
  std::string say = "Press 1 and we will call you back at this number, or enter another number and press pound.";
  // Said before the number is read back, digit by digit.
  std::string confirm = "Thank you. We will call you back at";
  std::uint32_t timeout_seconds = 8;
  action_kind otherwise = action_kind::voicemail;  // never callback or menu
  friend bool operator==(const callback_config&, const callback_config&) = default;
};

struct voicemail_config {
  std::string greeting;  // already defaulted to "Thank you for calling {name}. Please leave a message."
  std::uint32_t max_seconds = 300;
  friend bool operator==(const voicemail_config&, const voicemail_config&) = default;
};

struct busy_config {
  std::string say = "We're unable to take your call right now. Please try again later.";
  bool reject = false;
  friend bool operator==(const busy_config&, const busy_config&) = default;
};

struct compiled_clinic {
  std::string id;
  std::string name;  // defaults to the id
  std::string timezone;
  std::string language;  // empty: not given
  std::string voice;     // empty: not given
  std::vector<std::string> ported;
  std::vector<std::string> forwarded;
  std::vector<std::string> sip_users;

  std::array<std::vector<window>, 7> weekly_hours;  // Monday = 0; the last line for a day wins
  std::vector<special_day> specials;                // sorted by date, one entry per date
  std::vector<holiday_rule> holidays;               // calendars resolved
  std::optional<std::uint32_t> overflow_threshold;
  // The staff's lines, for the estimated wait: `lines`, else the overflow
  // threshold; 0 when the clinic has neither.
  std::uint32_t lines = 0;
  std::vector<schedule_rule> schedule;              // in source order

  std::string mode;  // "always", ..., or "route" when the clinic has a route block
  action_kind fallback = action_kind::voicemail;
  // What the static document for Twilio's Fallback URL does (forward,
  // voicemail or busy): `unreachable`, else a forward when the clinic has a
  // forward number, else voicemail (docs/operations.md, "When no server answers").
  action_kind unreachable = action_kind::voicemail;
  std::vector<predicate> predicates;
  std::vector<tree_node> nodes;
  std::vector<tree_leaf> leaves;
  tree_target root = -1;
  transfer_tree transfer;

  ai_config ai;
  forward_config forward;
  menu_config menu;
  callback_config callback;
  voicemail_config voicemail;
  busy_config busy;
  // Where the clinic's voicemails and callback requests are delivered; empty:
  // the server's --notify-url (docs/operations.md, "Delivery").
  std::string notify_url;
  // For numbers in national form (a PBX's callers and dialled numbers):
  // `region`, else the region of the clinic's first number; may be empty.
  std::string region;
  // The file the clinic is written in, as the set named it (the status page
  // reads it again to explain a decision with file:line).
  std::string source_file;

  friend bool operator==(const compiled_clinic&, const compiled_clinic&) = default;
};

// Whether any decision of the clinic reads the estimated wait, so that the
// server looks up its mean call length only for such a clinic.
bool reads_wait(const compiled_clinic& clinic);

// Whether a call given `action` can reach a person or the AI on some branch
// of its flow: ai and forward do; a menu does when one of its keys or its
// timeout does, a callback offer when its `otherwise` does.
bool reaches_someone(const compiled_clinic& clinic, action_kind action);

// Whether some call reaches the AI: a decision of `ai`, or a forward nobody
// answers, a menu key or a callback offer's silence, that goes on to it. The AI is told the clinic's
// hours and holidays (x-open, x-next-open, x-holiday), so such a clinic
// reads them whatever decides its calls.
bool can_reach_ai(const compiled_clinic& clinic);

// The caller ID a forward shows: `caller-id` when given; else nothing (the
// caller's own number) when the caller has a phone number; else the clinic's
// first ported, or first forwarded, number, since Twilio refuses to dial a
// phone with a SIP address as caller ID (error 13214). Empty: no callerId.
std::string_view forward_caller_id(const compiled_clinic& clinic, bool caller_is_e164);

// The integration a dry run assumes when none is named: the one the clinic
// has (ported, else forwarded, else SIP); ported for a clinic without numbers.
via_kind default_via(const compiled_clinic& clinic);

struct source_hash {
  std::string file;
  std::string sha256;  // lower-case hex
  friend bool operator==(const source_hash&, const source_hash&) = default;
};

struct compiled_calendar {
  std::string name;
  std::vector<holiday_rule> holidays;  // `use` resolved
  friend bool operator==(const compiled_calendar&, const compiled_calendar&) = default;
};

struct compiled_set {
  std::string compiler_version;
  std::vector<source_hash> sources;
  std::vector<compiled_clinic> clinics;
  std::vector<compiled_calendar> calendars;
  friend bool operator==(const compiled_set&, const compiled_set&) = default;
};

// ---- Time semantics shared by the runtime evaluator and the compiler's lints.


}  // namespace callpolicy
