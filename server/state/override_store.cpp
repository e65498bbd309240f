#include "server/state/override_store.h"

#include <algorithm>

#include "server/clock.h"
#include "server/journal/record.h"

namespace callpolicy::server {

void append_override_record(std::string& out, const clinic_override& o, clock_type::time_point now) {
  journal_record::append(out, journal_record::override_set{.time_ms = unix_ms(now),
                                                           .clinic = o.clinic,
                                                           .action = action_name(o.action),
                                                           .until_ms = unix_ms(o.until),
                                                           .reason = o.reason,
                                                           .set_at = o.set_at});
}

bool override_store::set(const clinic_override& o, clock_type::time_point now, std::string& journal_record,
                         std::string& error) {
  if (state_.shares_overrides()) {
    if (!state_.put_override(o, error)) return false;
  } else {
    append_override_record(journal_record, o, now);
  }
  table_.put(o);
  return true;
}

bool override_store::clear(std::string_view clinic, clock_type::time_point now, bool& existed,
                           std::string& journal_record, std::string& error) {
  if (state_.shares_overrides()) {
    if (!state_.erase_override(clinic, existed, error)) return false;
    table_.erase(clinic);
    return true;
  }
  existed = table_.erase(clinic);
  if (existed) {
    journal_record::append(journal_record,
                           journal_record::override_cleared{.time_ms = unix_ms(now), .clinic = clinic});
  }
  return true;
}

std::vector<clinic_override> override_store::current(clock_type::time_point now) {
  if (state_.shares_overrides()) {
    // What Redis holds is what every server obeys; the table follows it.
    std::vector<clinic_override> shared;
    std::vector<std::string> cleared;
    std::string error;
    if (state_.load_overrides(shared, cleared, error)) {
      for (const clinic_override& o : table_.all(now)) {
        if (std::any_of(shared.begin(), shared.end(), [&](const auto& s) { return s.clinic == o.clinic; })) continue;
        if (std::find(cleared.begin(), cleared.end(), o.clinic) != cleared.end()) {
          table_.erase(o.clinic);  // cleared through another server
          continue;
        }
        // Neither held nor cleared: Redis lost it (a restart without
        // persistence, a failover). Written back, never dropped in silence.
        bool written = false;
        std::string why;
        const bool ok = state_.restore_override(o, written, why);
        log_override_restored(o.clinic, ok, why);
        shared.push_back(o);
      }
      for (const clinic_override& o : shared) table_.put(o);
      std::erase_if(shared, [&](const clinic_override& o) { return o.until <= now; });
      return shared;
    }
  }
  return table_.all(now);
}

void override_store::restore(clinic_override o, clock_type::time_point now) {
  if (state_.shares_overrides() || o.until <= now) return;
  table_.put(std::move(o));
}

void override_store::forget(std::string_view clinic) {
  if (!state_.shares_overrides()) table_.erase(clinic);
}

std::vector<clinic_override> override_store::journaled(clock_type::time_point now) const {
  if (state_.shares_overrides()) return {};
  return table_.all(now);
}

}  // namespace callpolicy::server
