// A loaded policy set: the compiled clinics with their time zones resolved and
// their time tables built, plus the indexes that identify a clinic from a
// call's `To`. Immutable once built; the server swaps whole sets on reload
// through a shared_ptr, so a request finishes on the set it started with.
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/compiled_policy.h"

namespace cctz {
class time_zone;
}

namespace callpolicy {

// A clinic ready for evaluation. `tables` holds the precomputed time data
// (per-minute day plans, expanded holidays, schedule and `during` maps).
struct clinic_tables;
struct runtime_clinic {
  compiled_clinic policy;
  const cctz::time_zone* zone = nullptr;
  std::shared_ptr<const clinic_tables> tables;
  bool reads_wait = false;  // reads_wait(policy), found once at load
};

struct clinic_match {
  const runtime_clinic* clinic = nullptr;
  via_kind via = via_kind::ported;
};

// Lets the indexes be searched with a string_view, so a lookup on the request
// path allocates nothing.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
template <typename Value>
using string_map = std::unordered_map<std::string, Value, string_hash, std::equal_to<>>;

// E.164 numbers as integers (the digits after '+'; the first is never 0, so
// the value names the number) in an open-addressing table at most half
// full: a lookup reads one cache line, where a string-keyed unordered_map
// read three (bucket, node, string) and was the largest user-space cost of a
// webhook at 10,000 clinics.
class number_index {
 public:
  struct entry {
    std::uint64_t number = 0;  // 0: an empty slot
    std::uint32_t clinic = 0;  // index into the set's clinics
    via_kind via = via_kind::ported;
  };
  // `entries` with distinct numbers.
  void build(const std::vector<entry>& entries);
  const entry* find(std::string_view e164) const;
  // The number of an E.164 string, or 0 when it is not one.
  static std::uint64_t key_of(std::string_view e164);

 private:
  std::vector<entry> slots_;
  unsigned shift_ = 64;
};

class policy_set {
 public:
  struct load_result {
    std::shared_ptr<const policy_set> set;
    std::string error;  // set when `set` is null (unknown zone in a bundle, ...)
  };
  static load_result load(compiled_set compiled);

  // E.164 `To`: ported numbers first, then forwarded ones.
  std::optional<clinic_match> find_by_number(std::string_view e164) const;
  // The user part of a SIP URI, already percent-decoded.
  const runtime_clinic* find_by_sip_user(std::string_view user) const;
  const runtime_clinic* find_by_id(std::string_view id) const;

  std::span<const runtime_clinic> clinics() const { return clinics_; }
  // The clinics' regions (`region`, docs/language.md), the most used first.
  std::span<const std::string> regions() const { return regions_; }
  const compiled_set& source() const { return source_; }

 private:
  compiled_set source_;  // sources and calendars, for /status; clinics moved out
  std::vector<runtime_clinic> clinics_;
  number_index by_number_;
  string_map<const runtime_clinic*> by_sip_user_;
  string_map<const runtime_clinic*> by_id_;
  std::vector<std::string> regions_;
};

}  // namespace callpolicy
