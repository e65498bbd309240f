#include "runtime/policy_set.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include <fmt/format.h>

#include "model/time_tables.h"
#include "model/zones.h"

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
    r.reads_wait = reads_wait(c);
    r.policy = std::move(c);
    r.zone = zone;
    set->clinics_.push_back(std::move(r));
  }
  // Indexes point into clinics_, which no longer changes size.
  for (const runtime_clinic& r : set->clinics_) {
    set->by_id_.emplace(r.policy.id, &r);
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
  // Ported numbers win over forwarded ones (the compiler refuses a number
  // claimed twice; a bundle written by hand may still hold one).
  std::vector<number_index::entry> numbers;
  std::unordered_set<std::uint64_t> seen;
  for (const via_kind via : {via_kind::ported, via_kind::forwarded}) {
    for (std::size_t i = 0; i < set->clinics_.size(); ++i) {
      const compiled_clinic& c = set->clinics_[i].policy;
      for (const std::string& n : via == via_kind::ported ? c.ported : c.forwarded) {
        const std::uint64_t key = number_index::key_of(n);
        if (key == 0 || !seen.insert(key).second) continue;
        numbers.push_back({key, static_cast<std::uint32_t>(i), via});
      }
    }
  }
  set->by_number_.build(numbers);
  return {std::move(set), {}};
}

std::uint64_t number_index::key_of(std::string_view e164) {
  if (e164.size() < 2 || e164.size() > 16 || e164[0] != '+' || e164[1] == '0') return 0;
  std::uint64_t key = 0;
  for (const char c : e164.substr(1)) {
    if (c < '0' || c > '9') return 0;
    key = key * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return key;
}

namespace {
// Fibonacci hashing: the top bits of the product spread consecutive numbers
// (a clinic's block of lines) over the table.
std::size_t slot_of(std::uint64_t key, unsigned shift) {
  return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift);
}
}  // namespace

void number_index::build(const std::vector<entry>& entries) {
  unsigned bits = 4;
  while ((std::size_t{1} << bits) < 2 * entries.size()) ++bits;
  shift_ = 64 - bits;
  slots_.assign(std::size_t{1} << bits, entry{});
  const std::size_t mask = slots_.size() - 1;
  for (const entry& e : entries) {
    std::size_t i = slot_of(e.number, shift_);
    while (slots_[i].number != 0) i = (i + 1) & mask;
    slots_[i] = e;
  }
}

const number_index::entry* number_index::find(std::string_view e164) const {
  const std::uint64_t key = key_of(e164);
  if (key == 0 || slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(key, shift_);; i = (i + 1) & mask) {
    if (slots_[i].number == key) return &slots_[i];
    if (slots_[i].number == 0) return nullptr;
  }
}

std::optional<clinic_match> policy_set::find_by_number(std::string_view e164) const {
  const number_index::entry* e = by_number_.find(e164);
  if (!e) return std::nullopt;
  return clinic_match{&clinics_[e->clinic], e->via};
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
