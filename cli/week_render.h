// The week grid as text (a letter per slot, a legend) and as SVG (a colour per
// action, hour and day labels, a legend) for a clinic manager.
#pragma once

#include <string>

#include "runtime/week_grid.h"

namespace callpolicy::cli {

std::string render_week_text(const runtime_clinic& clinic, const week_grid& grid, const week_options& options);
std::string render_week_svg(const runtime_clinic& clinic, const week_grid& grid, const week_options& options);

// The fill colour of each action in the SVG, "#rrggbb".
std::string_view action_colour(action_kind action);
inline constexpr std::string_view gap_colour = "#bdbdbd";

}  // namespace callpolicy::cli
