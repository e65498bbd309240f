// `callpolicy plan` (docs/tooling.md, "plan"): what a policy change does to calls before it
// ships, as `terraform plan` shows what a change does to infrastructure.
//
// Week mode compares two compiled sets clinic by clinic, exactly rather
// than by sampling: a clinic's answer can change only at its windows'
// edges, at its call-count thresholds and for the callers it names (the
// input classes of compiler/exact_lints.h), so the union of both sets'
// classes partitions every day into stretches where both answers are
// constant, and each stretch is decided once per set. The differences are
// merged into readable ranges (days, times, integrations, call counts).
// Dated days (holidays, special days, dated schedule lines and `on` dates)
// of the next 90 days are listed by date where they change otherwise than
// their weekday does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "model/compiled_policy.h"

namespace callpolicy {

struct plan_change {
  std::string when;         // "Mon-Fri" or "2026-12-24 (Thu)"
  std::uint16_t from = 0;   // minutes of the day, [from, to)
  std::uint16_t to = 0;
  std::string calls;        // "" for any number of active calls, else "calls 0-2", "calls >= 3"
  std::string caller;       // "" for any caller, else the caller the change concerns
  std::string old_action, old_reason, new_action, new_reason;
};

struct plan_group {
  std::vector<via_kind> vias;  // the integrations these changes concern
  std::vector<plan_change> week;
  std::vector<plan_change> dated;
};

struct clinic_plan {
  std::string id;
  location where;  // the clinic in the new set's files (for annotations)
  day_number week_start = 0;
  std::vector<plan_group> groups;
  std::vector<std::string> settings;  // "forward number: +14165550000 -> +14165550001"
  std::vector<std::string> numbers_added, numbers_removed;  // "ported +1...", "sip user x"
};

struct policy_plan {
  std::vector<std::string> clinics_added, clinics_removed;
  std::vector<std::string> numbers_moved;  // "ported +1... from a to b"
  std::vector<clinic_plan> clinics;        // clinics in both sets that changed
  bool empty() const { return clinics_added.empty() && clinics_removed.empty() && clinics.empty(); }
};

struct plan_options {
  day_number week = 0;  // the week's first day for every clinic; 0: today in each clinic's zone
  int dated_days = 90;
  std::string clinic;   // only this clinic; empty: all
};

// `from` and `to` are compiled sets without errors (and their files, for
// where clinics are written).
policy_plan plan_week(const compile_output& from, const compile_output& to, const plan_options& options);

std::string format_minute(std::uint16_t minutes);  // "09:00", "24:00"

}  // namespace callpolicy
