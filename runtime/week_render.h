// The week grid as text (a letter per slot, a legend) and as SVG (a colour per
// action, hour and day labels, a legend) for a clinic manager; shared by
// `callpolicy week` and the status page, so both show the same picture.
#pragma once

#include <string>

#include "runtime/week_grid.h"

namespace callpolicy {

std::string render_week_text(const runtime_clinic& clinic, const week_grid& grid, const week_options& options);
std::string render_week_svg(const runtime_clinic& clinic, const week_grid& grid, const week_options& options);

// The holidays on `date`, each with its rule and where it is written
// ("Victoria Day (yearly mon before 05-25, ca-on:10)"), or "holiday" when
// no rule makes it one.
std::string holiday_names(const compiled_clinic& clinic, day_number date);

// The fill colour of each action in the SVG, "#rrggbb".
std::string_view action_colour(action_kind action);
inline constexpr std::string_view gap_colour = "#bdbdbd";

}  // namespace callpolicy
