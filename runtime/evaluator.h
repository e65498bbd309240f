// The decision for one call: one zone conversion, a walk down the clinic's
// decision tree, a few table lookups per predicate. Never throws, never
// allocates; the reason points into the policy set, which outlives the call.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/zones.h"
#include "runtime/policy_set.h"

namespace callpolicy {

struct call_context {
  std::chrono::sys_seconds at{};
  std::int32_t active_calls = 0;  // calls already active for the clinic, this one not counted
  std::string_view caller;        // E.164 when known, else empty
  via_kind via = via_kind::ported;
  // The clinic's mean call length over the last hour, from its completed
  // calls; 0 while unknown (docs/language.md, "Estimated wait").
  std::int32_t mean_call_seconds = 0;
};

struct decision {
  action_kind action = action_kind::ai;
  std::string_view reason;
};

decision decide(const runtime_clinic& clinic, const call_context& call) noexcept;

// For a state store that admits a call's AI leg in the same step that counts
// the call (docs/operations.md, "AI capacity"): at which counts of active
// calls `decide` sends this call to the AI, `call.active_calls` aside.
// Written into `out` as '1' or '0' (the answer at 0 calls), then ",N" for
// each count N at which the answer flips, in increasing order: "1" always,
// "0" never, "0,3" from 3 calls on. `out` keeps its capacity.
void ai_by_count(const runtime_clinic& clinic, const call_context& call, std::string& out);
bool ai_at_count(std::string_view pattern, std::int32_t active_calls) noexcept;
inline constexpr std::string_view ai_at_capacity_reason = "ai at capacity";

// What follows a forward that ended with Twilio's DialCallStatus: the
// forward's `unanswered` action, reason "unanswered", unless staff answered
// (completed, answered), when the call ends (hangup, reason "answered").
// An unknown status is treated as unanswered: a caller is never dropped.
// `bridged`: Twilio's DialBridged. A screened forward that staff did not
// accept ends `completed` without a bridge, and counts as unanswered.
// `after_transfer`: the forward was the AI's transfer, so an `unanswered ai`
// would hand the caller back to the AI that gave them up: voicemail instead.
decision after_dial(const runtime_clinic& clinic, std::string_view dial_call_status, bool bridged = true,
                    bool after_transfer = false) noexcept;
// Where the AI's SIP REFER may go (docs/language.md, "Transfers from the
// AI"): `target` is the Refer-To in E.164, empty when it is no phone number.
// The clinic's `transfer` block decides, its rules read at `call`; without
// one the clinic's own forward number is forwarded, and anything else is
// refused to voicemail and never dialled.
decision after_refer(const runtime_clinic& clinic, const call_context& call, std::string_view target) noexcept;
inline constexpr std::string_view transfer_refused_reason = "transfer refused";
bool answered_dial_status(std::string_view dial_call_status) noexcept;

// What follows the AI's SIP leg, from the DialCallStatus of its <Dial>: the
// call ends when the AI answered (completed, answered); otherwise (Vapi
// down or at its limit, a SIP error, no answer within the `ai` block's
// timeout) the clinic's `unavailable` action, reason "ai unavailable".
decision after_ai(const runtime_clinic& clinic, std::string_view dial_call_status) noexcept;
inline constexpr std::string_view ai_unavailable_reason = "ai unavailable";
// The `ai` block's `unavailable` with `reason`, or voicemail when a reload
// has taken away what it names.
decision when_ai_unavailable(const runtime_clinic& clinic, std::string_view reason) noexcept;

// What a menu's `Digits` lead to: a mapped key its action (reason "menu 2");
// no key the timeout action ("menu timeout"); an unknown key the menu again
// ("menu repeat") the first time and the timeout action after.
decision after_menu(const runtime_clinic& clinic, std::string_view digits, bool repeated) noexcept;
inline constexpr std::string_view menu_repeat_reason = "menu repeat";

// What a callback offer's `Digits` lead to (docs/language.md, "Callback
// requests"): key 1 the caller's own number (`caller`, E.164, empty when the
// caller has none), other digits a number read in the clinic's region; a
// number taken ends the call (hangup, reason "callback requested") with
// `number` set; no digits take the block's `otherwise` ("callback timeout");
// a number that cannot be called asks once more ("callback retry"), then
// takes `otherwise` ("callback invalid number").
struct callback_answer {
  decision next;
  std::string number;  // E.164, when the request was taken
};
callback_answer after_callback(const runtime_clinic& clinic, std::string_view digits, std::string_view caller,
                               bool repeated);
inline constexpr std::string_view callback_requested_reason = "callback requested";
inline constexpr std::string_view callback_retry_reason = "callback retry";

// A call followed past its first answer, for `eval` and `test`: the first
// decision, then the menu's or the callback offer's answer to `digits` when it reaches one, the
// forward's follow-on for `dial_status` when it reaches a forward, the AI
// leg's for `ai_status` when it reaches the AI, or the AI's transfer to
// `transfer` (E.164; read at `call`) before that, each input used once, in
// the order the flow meets them.
struct call_flow {
  std::vector<decision> steps;  // never empty; the last is what the caller ends with
  bool digits_unused = false;   // `digits` given but the flow met no menu or callback offer
  bool dial_unused = false;     // `dial_status` given but the flow met no forward
  bool ai_unused = false;       // `ai_status` given but the flow met no AI
  bool transfer_unused = false;  // `transfer` given but the flow met no AI
  bool menu_repeated = false;   // the last step plays the menu again
  std::string callback_number;  // the number a callback request was taken for
};
call_flow follow_flow(const runtime_clinic& clinic, const decision& first, std::optional<std::string_view> digits,
                      std::optional<std::string_view> dial_status,
                      std::optional<std::string_view> ai_status = std::nullopt,
                      std::optional<std::string_view> transfer = std::nullopt, const call_context& call = {});

// The first instant after `call.at`, and no later than `call.at + horizon`, at
// which the same call (its count, caller and via) would be answered with
// another action than now; nullopt when the answer holds past the horizon.
// Exact: it tries every instant at which the local time crosses one of the
// clinic's window boundaries or midnight, and every change of UTC offset.
std::optional<std::chrono::sys_seconds> next_change(const runtime_clinic& clinic, const call_context& call,
                                                    std::chrono::seconds horizon);

// Whether the clinic can answer a call with `action` outright, as an
// operator's override does: a forward needs its number, a menu its block.
bool can_answer_with(const compiled_clinic& clinic, action_kind action) noexcept;

// The clinic's local time at an instant, for eval output and logs:
// "2026-12-24T18:00:00-05:00".
std::string format_local_time(const runtime_clinic& clinic, std::chrono::sys_seconds at);

}  // namespace callpolicy
