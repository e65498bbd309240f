// A call waiting for a shared store's count: what its decision needs, kept
// beside the connection's response until the count comes (or the wait ends)
// and twilio_handlers::finish_call decides it. Copied here, since the form
// is the thread's and is reused by the next request meanwhile.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/policy_set.h"
#include "server/clock.h"

namespace callpolicy::server {

struct pending_call {
  bool awaiting_state = false;
  std::shared_ptr<const policy_set> set;  // the set the call arrived on, held until it is answered
  const runtime_clinic* clinic = nullptr;
  via_kind via = via_kind::ported;
  clock_type::time_point received{};
  std::string to, from, forwarded_from;
  std::string ai_wanted;  // ai_by_count's pattern for the call
  std::uint32_t ai_clinic_capacity = 0;
  std::int32_t mean_call_seconds = 0;  // the clinic's, for the estimated wait; 0: unknown

  // Keeping the strings' capacity.
  void clear() {
    awaiting_state = false;
    set.reset();
    clinic = nullptr;
    via = via_kind::ported;
    received = {};
    to.clear();
    from.clear();
    forwarded_from.clear();
    ai_wanted.clear();
    ai_clinic_capacity = 0;
    mean_call_seconds = 0;
  }
};

}  // namespace callpolicy::server
