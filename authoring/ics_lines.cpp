#include "authoring/ics_lines.h"

#include <algorithm>

namespace callpolicy {
namespace {

// libical's parser recurses per nested component; a calendar nests two deep
// (VCALENDAR, VEVENT, VALARM), so anything deeper is refused first.
constexpr int deepest_nesting = 8;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

std::variant<scanned_file, ics_error> scan_ics_lines(std::string_view text) {
  scanned_file out;
  std::vector<std::pair<std::string, std::size_t>> open;  // kind, line
  // Content lines unfolded (a line that starts with a space or tab goes on
  // the one before, even inside a name), each with its first line's number.
  std::vector<std::pair<std::size_t, std::string>> logical;
  std::size_t physical_line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view physical = text.substr(pos, end - pos);
    pos = end + 1;
    ++physical_line;
    if (!physical.empty() && physical.back() == '\r') physical.remove_suffix(1);
    if (physical.empty()) continue;
    if (physical.front() == ' ' || physical.front() == '\t') {
      if (logical.empty()) return ics_error{physical_line, "the file starts with a folded line, not BEGIN:VCALENDAR"};
      logical.back().second.append(physical.substr(1));
      continue;
    }
    logical.emplace_back(physical_line, std::string(physical));
  }
  std::size_t calendars = 0;
  for (const auto& [line, content] : logical) {
    const std::string_view physical = content;
    const std::size_t colon = physical.find(':');
    const std::size_t name_end = std::min(colon, physical.find(';'));
    const std::string name = upper(physical.substr(0, std::min(name_end, physical.size())));
    const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
    std::string shown(physical.substr(0, 40));
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    if (colon == std::string_view::npos || !name_ok) {
      return ics_error{line, calendars == 0 ? "this is no iCalendar file: it starts with '" + shown +
                                             "', not BEGIN:VCALENDAR"
                                       : "'" + shown + "' is no iCalendar content line (NAME:value)"};
    }
    const std::string value = upper(physical.substr(colon + 1));
    if (calendars == 0 && open.empty() && !(name == "BEGIN" && value == "VCALENDAR")) {
      return ics_error{line, "this is no iCalendar file: it starts with '" + shown +
                                 "', not BEGIN:VCALENDAR"};
    }
    if (name == "BEGIN") {
      if (open.empty()) {
        if (value != "VCALENDAR") return ics_error{line, "BEGIN:" + value + " outside the VCALENDAR"};
        if (++calendars > 1) return ics_error{line, "a second VCALENDAR: export one calendar per file"};
        out.calendar_line = line;
      } else if (open.size() == 1) {
        out.children.push_back({value, line, {}});
      }
      if (static_cast<int>(open.size()) >= deepest_nesting) {
        return ics_error{line, "components nest more than " + std::to_string(deepest_nesting) + " deep"};
      }
      open.emplace_back(value, line);
    } else if (name == "END") {
      if (open.empty()) return ics_error{line, "END:" + value + " with nothing open"};
      if (open.back().first != value) {
        return ics_error{line, "END:" + value + " closes BEGIN:" + open.back().first + " of line " +
                                   std::to_string(open.back().second)};
      }
      open.pop_back();
    } else if (open.empty()) {
      return ics_error{line, name + " outside the VCALENDAR"};
    } else if (open.size() == 2) {
      auto& properties = out.children.back().properties;
      if (std::none_of(properties.begin(), properties.end(), [&](const auto& p) { return p.first == name; })) {
        properties.emplace_back(name, line);
      }
    }
  }
  if (!open.empty()) {
    return ics_error{open.back().second, "BEGIN:" + open.back().first + " is never ended (END:" + open.back().first + ")"};
  }
  if (calendars == 0) return ics_error{1, "the file holds no VCALENDAR"};
  return out;
}

}  // namespace callpolicy
