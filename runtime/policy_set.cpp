#include "runtime/policy_set.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "compiler/time_tables.h"
#include "compiler/zones.h"

namespace callpolicy {

policy_set::load_result policy_set::load(compiled_set compiled) {
  auto set = std::make_shared<policy_set>();
  std::vector<compiled_clinic> clinics = std::move(compiled.clinics);
  set->source_ = std::move(compiled);
  set->clinics_.reserve(clinics.size());
  for (compiled_clinic& c : clinics) {
    const cctz::time_zone* zone = find_zone(c.timezone);
    if (!zone) {
      return {nullptr, fmt::format("clinic '{}': unknown time zone '{}'", c.id, c.timezone)};
    }
    // The first conversion in a zone loads its transitions; pay it now, not
    // on a patient's call.
    (void)to_local(zone, std::chrono::sys_seconds{});
    runtime_clinic r;
    r.tables = std::make_shared<const clinic_tables>(build_tables(c));
    r.policy = std::move(c);
    r.zone = zone;
    set->clinics_.push_back(std::move(r));
  }
  // Indexes point into clinics_, which no longer changes size.
  for (const runtime_clinic& r : set->clinics_) {
    set->by_id_.emplace(r.policy.id, &r);
    for (const std::string& n : r.policy.ported) set->by_number_.emplace(n, clinic_match{&r, via_kind::ported});
    for (const std::string& u : r.policy.sip_users) set->by_sip_user_.emplace(u, &r);
  }
  // The regions a PBX's national-form number may be read in, most clinics' first.
  std::map<std::string, std::size_t> region_clinics;
  for (const runtime_clinic& r : set->clinics_) {
    if (!r.policy.region.empty()) ++region_clinics[r.policy.region];
  }
  for (const auto& [region, count] : region_clinics) set->regions_.push_back(region);
  std::stable_sort(set->regions_.begin(), set->regions_.end(),
                   [&](const std::string& a, const std::string& b) { return region_clinics[a] > region_clinics[b]; });
  // Ported numbers win over forwarded ones: emplace keeps the first.
  for (const runtime_clinic& r : set->clinics_) {
    for (const std::string& n : r.policy.forwarded) {
      set->by_number_.emplace(n, clinic_match{&r, via_kind::forwarded});
    }
  }
  return {std::move(set), {}};
}

std::optional<clinic_match> policy_set::find_by_number(std::string_view e164) const {
  const auto it = by_number_.find(e164);
  if (it == by_number_.end()) return std::nullopt;
  return it->second;
}

const runtime_clinic* policy_set::find_by_sip_user(std::string_view user) const {
  const auto it = by_sip_user_.find(user);
  return it == by_sip_user_.end() ? nullptr : it->second;
}

const runtime_clinic* policy_set::find_by_id(std::string_view id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

}  // namespace callpolicy
