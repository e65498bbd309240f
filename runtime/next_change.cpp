// When a clinic's answer next changes, for the status page's "until".
#include <algorithm>

#include "model/time_tables.h"
#include "runtime/evaluator.h"

namespace callpolicy {

std::optional<std::chrono::sys_seconds> next_change(const runtime_clinic& clinic, const call_context& call,
                                                    std::chrono::seconds horizon) {
  const std::vector<std::uint16_t> minutes = minute_classes(clinic.policy);
  const auto end = call.at + horizon;
  // The local dates the horizon spans, a day either side for the offsets.
  const day_number first = to_local(clinic.zone, call.at).date - 1;
  const day_number last = to_local(clinic.zone, end).date + 1;
  std::vector<std::chrono::sys_seconds> candidates;
  candidates.reserve(static_cast<std::size_t>(last - first + 1) * minutes.size() * 3);
  for (day_number day = first; day <= last; ++day) {
    for (const std::uint16_t minute : minutes) {
      const local_resolution r = resolve_local_time(clinic.zone, std::int64_t{day} * 86400 + minute * 60);
      // A repeated local time is crossed twice, and a change of offset
      // moves the local time past boundaries without showing them.
      for (const std::chrono::sys_seconds t : {r.instant, r.later, r.change}) {
        if (r.type == local_resolution::kind::nonexistent && t != r.change) continue;
        if (t > call.at && t <= end) candidates.push_back(t);
      }
    }
  }
  std::sort(candidates.begin(), candidates.end());
  const action_kind now = decide(clinic, call).action;
  call_context later = call;
  for (const std::chrono::sys_seconds t : candidates) {
    later.at = t;
    if (decide(clinic, later).action != now) return t;
  }
  return std::nullopt;
}

}  // namespace callpolicy
