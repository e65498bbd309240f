#include "model/compiled_policy.h"

#include <algorithm>
#include <array>

namespace callpolicy {

namespace {

// Whether `holds` is true of `action` or of a step the flow can take after
// it: a menu's keys and timeout, a callback offer's `otherwise`, and, when
// `through_people`, a forward's `unanswered` and the AI's `unavailable`.
// The compiler refuses a step back to the same action, so a flow has few
// steps; the depth only bounds a bundle written by hand.
template <typename Holds>
bool flow_reaches(const compiled_clinic& c, action_kind action, const Holds& holds, bool through_people,
                  int depth = 4) {
  if (holds(action)) return true;
  if (depth == 0) return false;
  const auto next = [&](action_kind a) { return flow_reaches(c, a, holds, through_people, depth - 1); };
  switch (action) {
    case action_kind::menu:
      return next(c.menu.on_timeout) ||
             std::any_of(c.menu.keys.begin(), c.menu.keys.end(), [&](const auto& k) { return k && next(*k); });
    case action_kind::callback:
      return next(c.callback.otherwise);
    case action_kind::forward:
      return through_people && next(c.forward.unanswered);
    case action_kind::ai:
      return through_people && next(c.ai.unavailable);
    default:
      return false;
  }
}

}  // namespace

namespace {
constexpr std::array<std::string_view, predicate::kind_count> predicate_kind_names{
    "open",    "holiday",  "scheduled",  "calls_at_least", "caller_in",     "via_in",
    "during",  "on_dates", "transfer_to", "wait_known",    "wait_above",    "wait_at_least"};
}  // namespace

std::string_view predicate_kind_name(predicate::kind kind) {
  return predicate_kind_names.at(static_cast<std::size_t>(kind));
}

std::optional<predicate::kind> predicate_kind_from_name(std::string_view name) {
  const auto it = std::find(predicate_kind_names.begin(), predicate_kind_names.end(), name);
  if (it == predicate_kind_names.end()) return std::nullopt;
  return static_cast<predicate::kind>(it - predicate_kind_names.begin());
}

bool reads_wait(const compiled_clinic& clinic) {
  return std::any_of(clinic.predicates.begin(), clinic.predicates.end(), [](const predicate& p) {
    return p.type == predicate::kind::wait_above || p.type == predicate::kind::wait_at_least;
  });
}

std::optional<std::int64_t> compare_wait(std::uint32_t lines, std::int32_t active_calls,
                                         std::int32_t mean_call_seconds, std::int64_t seconds) {
  if (lines == 0 || mean_call_seconds <= 0) return std::nullopt;
  // estimate = waiting x mean / lines, compared as waiting x mean against seconds x lines.
  const std::int64_t waiting = std::max<std::int64_t>(0, std::int64_t{active_calls} - lines + 1);
  return waiting * mean_call_seconds - seconds * std::int64_t{lines};
}

bool reaches_someone(const compiled_clinic& clinic, action_kind action) {
  return flow_reaches(
      clinic, action, [](action_kind a) { return a == action_kind::ai || a == action_kind::forward; }, false);
}

bool can_reach_ai(const compiled_clinic& clinic) {
  const auto is_ai = [](action_kind a) { return a == action_kind::ai; };
  return std::any_of(clinic.leaves.begin(), clinic.leaves.end(),
                     [&](const tree_leaf& leaf) { return flow_reaches(clinic, leaf.action, is_ai, true); });
}

std::string_view forward_caller_id(const compiled_clinic& clinic, bool caller_is_e164) {
  if (!clinic.forward.caller_id.empty()) return clinic.forward.caller_id;
  if (caller_is_e164) return {};
  if (!clinic.ported.empty()) return clinic.ported.front();
  if (!clinic.forwarded.empty()) return clinic.forwarded.front();
  return {};
}

via_kind default_via(const compiled_clinic& clinic) {
  if (clinic.ported.empty() && clinic.forwarded.empty() && !clinic.sip_users.empty()) return via_kind::sip;
  if (clinic.ported.empty() && !clinic.forwarded.empty()) return via_kind::forwarded;
  return via_kind::ported;
}

}  // namespace callpolicy
