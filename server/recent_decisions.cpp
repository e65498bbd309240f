#include "server/recent_decisions.h"

namespace callpolicy::server {
namespace {

// `to` holds `from` cut to the bound, never inside a UTF-8 sequence.
void assign_bounded(std::string& to, std::string_view from) {
  std::size_t size = from.size();
  if (size > recent_decisions::field_bytes_at_most) {
    size = recent_decisions::field_bytes_at_most;
    while (size > 0 && (static_cast<unsigned char>(from[size]) & 0xC0) == 0x80) --size;
  }
  to.assign(from.substr(0, size));
}

}  // namespace

void recent_decisions::add(std::string_view clinic, const recent_decision_view& d) {
  std::lock_guard lock(mutex_);
  auto it = rings_.find(clinic);
  if (it == rings_.end()) it = rings_.try_emplace(std::string(clinic)).first;
  ring& r = it->second;
  recent_decision& slot = r.entries[r.next];
  slot.time_ms = d.time_ms;
  assign_bounded(slot.call_sid, d.call_sid);
  assign_bounded(slot.step, d.step);
  assign_bounded(slot.caller, d.caller);
  assign_bounded(slot.action, d.action);
  assign_bounded(slot.reason, d.reason);
  r.next = (r.next + 1) % kept_per_clinic;
  if (r.size < kept_per_clinic) ++r.size;
}

std::vector<recent_decision> recent_decisions::of(std::string_view clinic) const {
  std::vector<recent_decision> out;
  std::lock_guard lock(mutex_);
  const auto it = rings_.find(clinic);
  if (it == rings_.end()) return out;
  const ring& r = it->second;
  out.reserve(r.size);
  for (std::size_t i = 1; i <= r.size; ++i) {
    out.push_back(r.entries[(r.next + kept_per_clinic - i) % kept_per_clinic]);
  }
  return out;
}

}  // namespace callpolicy::server
