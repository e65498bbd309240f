#include "runtime/week_render.h"

#include <array>
#include <set>

#include <fmt/format.h>

#include "model/holiday_text.h"
#include "model/time_tables.h"
#include "runtime/twiml.h"

namespace callpolicy {
namespace {

char action_letter(action_kind a) {
  static constexpr std::array<char, action_count> letters{'A', 'V', 'F', 'B', 'M', 'X', 'C'};
  return letters.at(static_cast<std::size_t>(a));
}

std::string day_label(const week_day& d) {
  const civil_date c = civil_from_days(d.date);
  std::string name(weekday_name(weekday_of(d.date)));
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return fmt::format("{} {:04}-{:02}-{:02}", name, c.year, c.month, c.day);
}

std::string heading(const runtime_clinic& clinic, const week_options& o) {
  return fmt::format("{} ({}), {} to {}, {}-minute slots, {} active call{}, via {}", clinic.policy.id,
                     clinic.policy.timezone, format_date(o.from), format_date(o.from + 6), o.slot_minutes,
                     o.calls, o.calls == 1 ? "" : "s", via_name(o.via));
}

std::set<std::string> reasons_of(const week_grid& grid) {
  std::set<std::string> reasons;
  for (const auto& d : grid.days) {
    for (const auto& c : d.cells) {
      if (c.decided) reasons.insert(fmt::format("{} {}", action_letter(c.decided->action), c.decided->reason));
    }
  }
  return reasons;
}

// What follows the first answer, for the actions the grid shows: where a
// forward nobody picks up goes, and what each menu key does.
std::string flow_text(const compiled_clinic& c, const week_grid& grid) {
  bool shows[action_count] = {};
  for (const auto& d : grid.days) {
    for (const auto& cell : d.cells) {
      if (cell.decided) shows[static_cast<std::size_t>(cell.decided->action)] = true;
    }
  }
  const bool menu = shows[static_cast<std::size_t>(action_kind::menu)];
  bool forward = shows[static_cast<std::size_t>(action_kind::forward)];
  std::string out;
  if (menu) {
    out += "  M menu:";
    for (std::size_t k = 0; k < menu_key_count; ++k) {
      if (!c.menu.keys[k]) continue;
      out += fmt::format(" {} {},", menu_key_char(k), action_name(*c.menu.keys[k]));
      forward |= *c.menu.keys[k] == action_kind::forward;
    }
    out += fmt::format(" no key in {}s {}\n", c.menu.timeout_seconds, action_name(c.menu.on_timeout));
    forward |= c.menu.on_timeout == action_kind::forward;
  }
  if (forward) {
    out += fmt::format("  F forward to {}: unanswered after {}s -> {}\n", c.forward.number, c.forward.timeout_seconds,
                       action_name(c.forward.unanswered));
  }
  return out;
}

std::string xml(std::string_view text) {
  std::string out;
  append_xml_escaped(out, text);
  return out;
}

}  // namespace

std::string holiday_names(const compiled_clinic& c, day_number date) {
  std::string out = describe_holidays_on(c.holidays, date);
  return out.empty() ? "holiday" : out;
}

std::string_view action_colour(action_kind action) {
  static constexpr std::array<std::string_view, action_count> colours{"#2e7d32", "#1565c0", "#ef6c00",
                                                                      "#c62828", "#6a1b9a", "#424242",
                                                                      "#00838f"};
  return colours.at(static_cast<std::size_t>(action));
}

std::string render_week_text(const runtime_clinic& clinic, const week_grid& grid, const week_options& o) {
  std::string out = heading(clinic, o) + "\n\n";
  const int per_hour = 60 / o.slot_minutes > 0 ? 60 / o.slot_minutes : 1;
  const int hours_per_label = per_hour >= 2 ? 2 : 4;
  std::string ruler(18, ' ');
  for (int h = 0; h < 24; h += hours_per_label) {
    std::string label = fmt::format("{:02}", h);
    label.resize(static_cast<std::size_t>(hours_per_label * 60 / o.slot_minutes), ' ');
    ruler += label;
  }
  out += ruler + "\n";
  for (const week_day& d : grid.days) {
    std::string row = day_label(d);
    row += d.special ? " S " : d.holiday ? " H " : "   ";
    row += ' ';
    for (const week_cell& c : d.cells) row += c.decided ? action_letter(c.decided->action) : '-';
    if (d.holiday) row += "  " + holiday_names(clinic.policy, d.date);
    out += row + "\n";
  }
  out += "\nA ai   V voicemail   F forward   B busy   M menu   - no such local time (DST)   H holiday   S special "
         "hours\n";
  out += "reasons:";
  for (const std::string& r : reasons_of(grid)) out += "\n  " + r;
  out += "\n";
  const std::string flow = flow_text(clinic.policy, grid);
  if (!flow.empty()) out += "then:\n" + flow;
  return out;
}

std::string render_week_svg(const runtime_clinic& clinic, const week_grid& grid, const week_options& o) {
  const int cells = static_cast<int>(grid.days.front().cells.size());
  const int cell_width = std::max(4, 960 / cells);
  const int left = 170;
  const int top = 60;
  const int row_height = 36;
  const int width = left + cells * cell_width + 20;
  // Every (action, reason) the week shows, numbered in order of appearance:
  // a run too narrow for its reason carries the number, the legend the words.
  std::vector<std::pair<action_kind, std::string>> reasons;
  const auto reason_index = [&](const decision& d) {
    for (std::size_t i = 0; i < reasons.size(); ++i) {
      if (reasons[i].first == d.action && reasons[i].second == d.reason) return i;
    }
    reasons.emplace_back(d.action, std::string(d.reason));
    return reasons.size() - 1;
  };
  for (const week_day& d : grid.days) {
    for (const week_cell& c : d.cells) {
      if (c.decided) reason_index(*c.decided);
    }
  }
  const int legend_top = top + 7 * row_height + 24;
  const int legend_rows = static_cast<int>(reasons.size()) + 1;
  const int height = legend_top + legend_rows * 20 + 16;
  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" font-family="DejaVu Sans, Arial, sans-serif" role="img" aria-label="{}">)"
      "\n",
      width, height, width, height, xml(clinic.policy.name + ": who answers calls when"));
  out += fmt::format(R"(<rect width="{}" height="{}" fill="#ffffff"/>)" "\n", width, height);
  out += fmt::format(R"(<text x="10" y="24" font-size="16" font-weight="bold">{}</text>)" "\n",
                     xml(clinic.policy.name + " - who answers when"));
  out += fmt::format(R"(<text x="10" y="44" font-size="12" fill="#444444">{}</text>)" "\n", xml(heading(clinic, o)));
  const int slots_per_hour = 60 / o.slot_minutes > 0 ? 60 / o.slot_minutes : 1;
  for (std::size_t r = 0; r < grid.days.size(); ++r) {
    const week_day& d = grid.days[r];
    const int y = top + static_cast<int>(r) * row_height;
    std::string label = day_label(d);
    if (d.holiday) label += " (holiday)";
    if (d.special) label += " (special)";
    // The run's words name the holiday; its tooltip adds the rule and source.
    const std::string holiday = d.holiday ? holiday_names_on(clinic.policy.holidays, d.date) : std::string();
    const std::string holiday_described = d.holiday ? holiday_names(clinic.policy, d.date) : std::string();
    out += fmt::format(R"(<text x="10" y="{}" font-size="12">{}</text>)" "\n", y + row_height / 2 + 4, xml(label));
    // Runs of one decision become one rectangle, its reason written inside.
    int start = 0;
    while (start < cells) {
      const auto& first = d.cells[static_cast<std::size_t>(start)];
      int end = start + 1;
      while (end < cells) {
        const auto& c = d.cells[static_cast<std::size_t>(end)];
        const bool same = c.decided.has_value() == first.decided.has_value() &&
                          (!c.decided || (c.decided->action == first.decided->action &&
                                          c.decided->reason == first.decided->reason));
        if (!same) break;
        ++end;
      }
      const std::string_view colour = first.decided ? action_colour(first.decided->action) : gap_colour;
      std::string title = first.decided ? fmt::format("{} ({})", action_name(first.decided->action), first.decided->reason)
                                        : std::string("no such local time");
      if (!holiday.empty()) title += "; " + holiday_described;
      const int x = left + start * cell_width;
      const int w = (end - start) * cell_width;
      out += fmt::format(
          R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="1"><title>{}</title></rect>)" "\n",
          x, y + 2, w, row_height - 4, colour, xml(title));
      if (first.decided) {
        // A holiday's run says which holiday.
        std::string words = std::string(first.decided->reason);
        if (!holiday.empty()) words += " (" + holiday + ")";
        const std::string number = std::to_string(reason_index(*first.decided) + 1);
        // About 6.5 px a character at 11 px; a run too narrow gets the number.
        const std::string shown = static_cast<int>(words.size()) * 13 / 2 + 8 <= w ? words
                                  : static_cast<int>(number.size()) * 7 + 4 <= w   ? number
                                                                                   : std::string();
        if (!shown.empty()) {
          out += fmt::format(
              R"(<text x="{}" y="{}" font-size="11" fill="#ffffff" text-anchor="middle">{}</text>)" "\n",
              x + w / 2, y + row_height - 8, xml(shown));  // low in the row: its middle shows the colour alone
        }
      }
      start = end;
    }
  }
  // Hour lines over the cells, so that a time can be read off the grid.
  for (int h = 0; h <= 24; ++h) {
    const int x = left + h * slots_per_hour * cell_width;
    const bool labelled = h % 2 == 0;
    if (labelled) {
      out += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="middle">{:02}:00</text>)" "\n", x, top - 4,
                         h % 24);
    }
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000000" stroke-opacity="{}" stroke-width="1"/>)" "\n",
                       x, top, x, top + 7 * row_height, labelled ? "0.45" : "0.2");
  }
  for (int r = 0; r <= 7; ++r) {
    const int y = top + r * row_height;
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000000" stroke-opacity="0.3" stroke-width="1"/>)" "\n",
                       left, y, left + cells * cell_width, y);
  }
  // The legend: one line per reason, then what the colours are.
  int y = legend_top;
  for (std::size_t i = 0; i < reasons.size(); ++i, y += 20) {
    out += fmt::format(R"(<rect x="10" y="{}" width="16" height="16" fill="{}"/>)" "\n", y, action_colour(reasons[i].first));
    out += fmt::format(R"(<text x="18" y="{}" font-size="11" fill="#ffffff" text-anchor="middle">{}</text>)" "\n",
                       y + 12, i + 1);
    out += fmt::format(R"(<text x="34" y="{}" font-size="12">{}: {}</text>)" "\n", y + 13,
                       action_name(reasons[i].first), xml(reasons[i].second));
  }
  const std::array<std::pair<std::string_view, std::string_view>, 6> legend{
      {{"AI receptionist", action_colour(action_kind::ai)},
       {"voicemail", action_colour(action_kind::voicemail)},
       {"forward to staff", action_colour(action_kind::forward)},
       {"busy message", action_colour(action_kind::busy)},
       {"keypad menu", action_colour(action_kind::menu)},
       {"no such local time", gap_colour}}};
  int x = 10;
  for (const auto& [label, colour] : legend) {
    out += fmt::format(R"(<rect x="{}" y="{}" width="16" height="16" fill="{}"/>)" "\n", x, y, colour);
    out += fmt::format(R"(<text x="{}" y="{}" font-size="12">{}</text>)" "\n", x + 22, y + 13, label);
    x += 40 + static_cast<int>(label.size()) * 7;
  }
  out += "</svg>\n";
  return out;
}

}  // namespace callpolicy
