#include "compiler/canonical.h"

#include <array>

#include <fmt/format.h>

namespace callpolicy {

std::string canonical_days(day_mask days) {
  days &= all_days;
  if (days == all_days) return "daily";
  if (days == weekdays_mask) return "weekdays";
  if (days == weekends_mask) return "weekends";
  if (days == 0) return "";
  // Start after a gap so that a run across Sunday-Monday stays one run.
  int start = 0;
  while (days & day_bit((start + 6) % 7)) start = (start + 1) % 7;
  std::string out;
  for (int i = 0; i < 7;) {
    const int d = (start + i) % 7;
    if (!(days & day_bit(d))) {
      ++i;
      continue;
    }
    int length = 1;
    while (i + length < 7 && (days & day_bit((d + length) % 7))) ++length;
    if (!out.empty()) out += ',';
    if (length >= 3) {
      out += fmt::format("{}-{}", weekday_name(d), weekday_name((d + length - 1) % 7));
    } else {
      for (int k = 0; k < length; ++k) {
        if (k) out += ',';
        out += weekday_name((d + k) % 7);
      }
    }
    i += length;
  }
  return out;
}

std::string canonical_window(const window& w) {
  return format_clock(w.start) + "-" + format_clock(w.end);
}

std::string canonical_windows(const std::vector<window>& windows) {
  std::string out;
  for (const window& w : windows) {
    if (!out.empty()) out += ", ";
    out += canonical_window(w);
  }
  return out;
}

std::string canonical_dates(const date_range& dates) { return format_date_range(dates); }

std::string canonical_vias(via_mask vias) {
  std::string out;
  for (int v = 0; v < 3; ++v) {
    if (!(vias & via_bit(static_cast<via_kind>(v)))) continue;
    if (!out.empty()) out += ", ";
    out += via_name(static_cast<via_kind>(v));
  }
  return out;
}

std::string canonical_duration(std::uint32_t seconds) {
  if (seconds % 3600 == 0) return fmt::format("{}h", seconds / 3600);
  if (seconds % 60 == 0) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}s", seconds);
}

namespace {

int precedence(const ast::condition& c) {
  switch (c.type) {
    case ast::condition::kind::or_: return 1;
    case ast::condition::kind::and_: return 2;
    case ast::condition::kind::not_: return 3;
    default: return 4;
  }
}

std::string print(const ast::condition& c);

std::string operand(const ast::condition& c, int needed) {
  const std::string text = print(c);
  return precedence(c) < needed ? "(" + text + ")" : text;
}

std::string_view compare_op_text(ast::compare_op op) {
  static constexpr std::array<std::string_view, 5> ops{">=", ">", "<=", "<", "=="};
  return ops.at(static_cast<std::size_t>(op));
}

std::string print(const ast::condition& c) {
  using k = ast::condition::kind;
  switch (c.type) {
    case k::holiday: return "holiday";
    case k::open: return "open";
    case k::closed: return "closed";
    case k::scheduled: return "scheduled";
    case k::overflow: return "overflow";
    case k::calls: return fmt::format("calls {} {}", compare_op_text(c.op), c.count);
    case k::wait:
      return fmt::format("wait {} {}", compare_op_text(c.op), canonical_duration(static_cast<std::uint32_t>(c.count)));
    case k::caller: return "caller " + fmt::format("{}", fmt::join(c.callers, ", "));
    case k::via: return "via " + canonical_vias(c.vias);
    case k::during: return "during " + canonical_days(c.days) + " " + canonical_windows(c.windows);
    case k::on: return "on " + canonical_dates(c.dates);
    case k::to: return "to " + fmt::format("{}", fmt::join(c.callers, ", "));
    case k::not_: return "not " + operand(c.operands.at(0), 3);
    case k::and_:
    case k::or_: {
      const bool conjunction = c.type == k::and_;
      std::string out;
      for (const ast::condition& o : c.operands) {
        if (!out.empty()) out += conjunction ? " and " : " or ";
        out += operand(o, conjunction ? 2 : 1);
      }
      return out;
    }
  }
  return {};
}

}  // namespace

std::string canonical_condition(const ast::condition& condition) { return print(condition); }

std::string condition_reason(const ast::condition& condition) {
  std::string text = print(condition);
  if (text.size() <= max_reason_bytes) return text;
  constexpr std::string_view ellipsis = " ...";
  const std::size_t space = text.rfind(' ', max_reason_bytes - ellipsis.size());
  text.resize(space == std::string::npos || space == 0 ? max_reason_bytes - ellipsis.size() : space);
  text += ellipsis;
  return text;
}

std::string_view canonical_action(ast::action_ref action) {
  static constexpr std::array<std::string_view, 8> names{"ai",   "voicemail", "forward",  "busy",
                                                         "menu", "hangup",    "callback", "fallback"};
  return names.at(static_cast<std::size_t>(action));
}

std::string_view canonical_mode(ast::mode_kind mode) {
  static constexpr std::array<std::string_view, 5> names{"always", "after-hours-only",
                                                         "overflow-only", "scheduled", "disabled"};
  return names.at(static_cast<std::size_t>(mode));
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace callpolicy
