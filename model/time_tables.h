// The precomputed time data of one clinic and the predicate test over it
// (docs/language.md, "Time semantics" and "Diagnostics"). Shared by the runtime evaluator (which adds the zone
// conversion and the tree walk) and the compiler's exact lints (which judge
// rules over every minute class of the week, the dates and call counts), so
// that there is one definition of what `open`, `holiday`, `scheduled`,
// `during` and `on` mean.
//
// Lookups never allocate: bitsets for the weekly plans and `during` maps,
// sorted vectors with binary search for dated overrides and holidays.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "model/compiled_policy.h"
#include "model/holiday_days.h"

namespace callpolicy {

// Minutes from the plan day's midnight to the next day's midnight: bits
// [0, 1440) are the day itself, [1440, 2880) the spill of windows that cross
// midnight into the following day.
using day_plan = std::bitset<2 * minutes_per_day>;
using week_bits = std::bitset<7 * minutes_per_day>;  // Monday 00:00 = bit 0

struct clinic_tables {
  std::array<day_plan, 7> weekly;            // from weekly_hours
  std::vector<day_number> special_dates;     // sorted, parallel to special_plans
  std::vector<day_plan> special_plans;
  // Holidays as their rules, not expanded into dates: dated entries as
  // merged ranges (a closure of decades is one range), yearly ones tested
  // against the civil date. Expanding 230 years of yearly rules was 7 KB a
  // clinic, a third of the server's memory at 10,000 clinics.
  std::vector<date_range> holiday_ranges;    // sorted, disjoint, not adjacent
  std::vector<yearly_holiday> yearly_holidays;
  bool any_observed = false;                 // some yearly rule has an `observed` shift
  // `scheduled` for dates no dated schedule line touches (nor the day before).
  week_bits scheduled_weekly;
  std::vector<date_range> scheduled_dated_spans;  // dates whose `scheduled` needs the full rule walk
  std::vector<week_bits> during;             // one per predicate of kind `during`, by predicate index
  std::vector<std::int32_t> during_index;    // predicate index -> index into `during`, or -1
  bool ever_open = false;                    // some weekly or special plan has an open minute
};

clinic_tables build_tables(const compiled_clinic& clinic);

// The minutes of a day at which a clinic's answer can change: midnight and
// every window boundary of its hours, special days, schedule and `during`
// conditions. Between two of them on one local date, nothing that decides
// changes but the call count, the caller and the via.
std::vector<std::uint16_t> minute_classes(const compiled_clinic& clinic);

// What a local date is, found once for all the predicates that ask: its
// plan (special, closed for a holiday, or weekly), the plan of the day
// before (whose overnight windows spill into it), and whether it is a
// holiday. Finding a date's holidays takes a civil-date conversion; a
// decision asks several predicates, and the lints ask millions.
struct day_context {
  const day_plan* today = nullptr;
  const day_plan* yesterday = nullptr;
  bool holiday = false;
};
day_context context_of(const clinic_tables& tables, day_number date);

// A call as the predicates see it: the clinic's local date and minute.
struct local_call {
  day_number date = 0;
  std::uint16_t minute = 0;  // 0..1439
  std::int32_t active_calls = 0;
  std::string_view caller;
  via_kind via = via_kind::ported;
  const day_context* day = nullptr;  // context_of(date), when the caller has it; else found as needed
  std::string_view transfer_target{};  // E.164; for the transfer tree's `to`
  std::int32_t mean_call_seconds = 0;  // the clinic's mean call length in the last hour; 0: unknown
};

bool is_open(const clinic_tables& tables, day_number date, std::uint16_t minute);
// The first local minute after (`date`, `minute`) at which the clinic opens
// (a closed minute followed by an open one), looking at most `days` dates on.
struct local_minute {
  day_number date = 0;
  std::uint16_t minute = 0;
};
std::optional<local_minute> next_opening(const clinic_tables& tables, day_number date, std::uint16_t minute, int days);
bool is_open(const day_context& day, std::uint16_t minute);
// Whether a holiday rule holds on `date`, special days aside.
bool holiday_rules_hold(const clinic_tables& tables, day_number date);
bool is_holiday(const clinic_tables& tables, day_number date);
bool is_scheduled(const compiled_clinic& clinic, const clinic_tables& tables, day_number date,
                  std::uint16_t minute);
// Whether one schedule line covers the local date and minute (its windows,
// or the whole day, with spill past midnight from the day before).
bool schedule_rule_matches(const schedule_rule& rule, day_number date, std::uint16_t minute);

bool test_predicate(const compiled_clinic& clinic, const clinic_tables& tables,
                    std::uint32_t predicate_index, const local_call& call);

// Walks the tree; the returned leaf index is into clinic.leaves.
std::int32_t decide_leaf(const compiled_clinic& clinic, const clinic_tables& tables,
                         const local_call& call);
// The same walk down the clinic's transfer tree (clinic.transfer.configured).
std::int32_t decide_transfer_leaf(const compiled_clinic& clinic, const clinic_tables& tables, const local_call& call);

}  // namespace callpolicy
