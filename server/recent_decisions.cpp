#include "server/recent_decisions.h"

#include <algorithm>
#include <cstring>

namespace callpolicy::server {

template <std::size_t N>
void recent_decisions::field<N>::assign(std::string_view text) {
  static_assert(N - 1 <= 255, "the size is kept in a byte");
  std::size_t n = std::min(text.size(), N - 1);
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  }
  // An absent form field is an empty view whose data() may be null, and
  // memcpy from null is undefined even for no bytes.
  if (n > 0) std::memcpy(bytes.data(), text.data(), n);
  size = static_cast<std::uint8_t>(n);
}

void recent_decisions::add(std::string_view clinic, const recent_decision_view& d) {
  std::lock_guard lock(mutex_);
  auto it = rings_.find(clinic);
  if (it == rings_.end()) it = rings_.try_emplace(std::string(clinic)).first;
  ring& r = it->second;
  entry& slot = r.entries[r.next];
  slot.time_ms = d.time_ms;
  slot.call_sid.assign(d.call_sid);
  slot.step.assign(d.step);
  slot.caller.assign(d.caller);
  slot.action.assign(d.action);
  slot.reason.assign(d.reason);
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
    const entry& e = r.entries[(r.next + kept_per_clinic - i) % kept_per_clinic];
    out.push_back({e.time_ms, e.call_sid.text(), e.step.text(), e.caller.text(), e.action.text(), e.reason.text()});
  }
  return out;
}

}  // namespace callpolicy::server
