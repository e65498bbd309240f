// The lines of an iCalendar file, which libical does not report: content
// lines (unfolded), BEGIN and END matched, one VCALENDAR. What libical then
// finds wrong in a component is said at its line (docs/tooling.md,
// "import-ics").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "authoring/ics_reader.h"

namespace callpolicy {

struct component_lines {
  std::string kind;                                 // "VEVENT"
  std::size_t begin = 0;                            // its BEGIN line
  std::vector<std::pair<std::string, std::size_t>> properties;  // its own, first line of each
};

struct scanned_file {
  std::vector<component_lines> children;  // of the VCALENDAR, in order
  std::size_t calendar_line = 0;
};

std::variant<scanned_file, ics_error> scan_ics_lines(std::string_view text);

}  // namespace callpolicy
