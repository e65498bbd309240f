#include "runtime/week_grid.h"

#include <algorithm>

#include "model/time_tables.h"
#include "model/zones.h"

namespace callpolicy {

week_grid compute_week(const runtime_clinic& clinic, const week_options& options) {
  week_grid grid;
  grid.slot_minutes = options.slot_minutes;
  const clinic_tables& tables = *clinic.tables;
  for (day_number date = options.from; date < options.from + 7; ++date) {
    week_day day;
    day.date = date;
    day.holiday = is_holiday(tables, date);
    day.special = std::binary_search(tables.special_dates.begin(), tables.special_dates.end(), date);
    for (int minute = 0; minute < minutes_per_day; minute += options.slot_minutes) {
      const local_resolution at =
          resolve_local_time(clinic.zone, std::int64_t{date} * 86400 + minute * 60);
      week_cell cell;
      if (at.type != local_resolution::kind::nonexistent) {
        cell.decided = decide(clinic, {at.instant, options.calls, options.caller, options.via});
      }
      day.cells.push_back(cell);
    }
    grid.days.push_back(std::move(day));
  }
  return grid;
}

}  // namespace callpolicy
