// Who answers when, over seven local days: the decision at the start of each
// slot, in the clinic's local time. A slot whose local start does not exist
// (a daylight-saving gap) has no decision.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "runtime/evaluator.h"

namespace callpolicy {

struct week_cell {
  std::optional<decision> decided;  // empty in a DST gap
};

struct week_day {
  day_number date = 0;
  bool holiday = false;
  bool special = false;
  std::vector<week_cell> cells;
};

struct week_grid {
  std::uint16_t slot_minutes = 30;
  std::vector<week_day> days;
};

struct week_options {
  day_number from = 0;
  std::uint16_t slot_minutes = 30;  // divides 1440
  std::int32_t calls = 0;
  via_kind via = via_kind::ported;
  std::string_view caller;
};

week_grid compute_week(const runtime_clinic& clinic, const week_options& options);

}  // namespace callpolicy
