// Compiled clinics built by hand, so the runtime is tested without the parser.
#pragma once

#include "model/compiled_policy.h"
#include "runtime/policy_set.h"

namespace callpolicy::testing {

inline window w(int start_hour, int start_minute, int end_hour, int end_minute) {
  return {static_cast<std::uint16_t>(start_hour * 60 + start_minute),
          static_cast<std::uint16_t>(end_hour * 60 + end_minute)};
}

inline day_number d(int y, unsigned m, unsigned day) { return days_from_civil(y, m, day); }

// "open? -> voicemail (business-hours) : ai (after-hours)".
inline compiled_clinic open_or_ai(std::string zone) {
  compiled_clinic c;
  c.id = "c";
  c.name = "C";
  c.timezone = std::move(zone);
  c.predicates.push_back({});
  c.leaves = {{action_kind::voicemail, "business-hours"}, {action_kind::ai, "after-hours"}};
  c.nodes = {{0, leaf_target(0), leaf_target(1)}};
  c.root = 0;
  c.voicemail.greeting = "Thank you for calling C. Please leave a message.";
  return c;
}

inline std::shared_ptr<const policy_set> load_one(compiled_clinic c) {
  compiled_set set;
  set.clinics.push_back(std::move(c));
  return policy_set::load(std::move(set)).set;
}

}  // namespace callpolicy::testing
