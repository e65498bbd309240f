// The decision for one call: one zone conversion, a walk down the clinic's
// decision tree, a few table lookups per predicate. Never throws, never
// allocates; the reason points into the policy set, which outlives the call.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "compiler/zones.h"
#include "runtime/policy_set.h"

namespace callpolicy {

struct call_context {
  std::chrono::sys_seconds at{};
  std::int32_t active_calls = 0;  // calls already active for the clinic, this one not counted
  std::string_view caller;        // E.164 when known, else empty
  via_kind via = via_kind::ported;
};

struct decision {
  action_kind action = action_kind::ai;
  std::string_view reason;
};

decision decide(const runtime_clinic& clinic, const call_context& call) noexcept;

// The clinic's local time at an instant, for eval output and logs:
// "2026-12-24T18:00:00-05:00".
std::string format_local_time(const runtime_clinic& clinic, std::chrono::sys_seconds at);

}  // namespace callpolicy
