#include "runtime/evaluator.h"

#include "compiler/time_tables.h"

namespace callpolicy {

decision decide(const runtime_clinic& clinic, const call_context& call) noexcept {
  const local_parts local = to_local(clinic.zone, call.at);
  const local_call lc{local.date, static_cast<std::uint16_t>(local.seconds / 60), call.active_calls,
                      call.caller, call.via};
  const std::int32_t leaf = decide_leaf(clinic.policy, *clinic.tables, lc);
  const tree_leaf& l = clinic.policy.leaves[static_cast<std::size_t>(leaf)];
  return {l.action, l.reason};
}

std::string format_local_time(const runtime_clinic& clinic, std::chrono::sys_seconds at) {
  return format_rfc3339_local(clinic.zone, at);
}

}  // namespace callpolicy
