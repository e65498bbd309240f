// Lexical values: times, windows, dates, days, numbers, durations and strings,
// decoded and range-checked.
#include "compiler/ast_builder.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "grammar/policy_grammar.h"

namespace callpolicy::detail {

namespace g = callpolicy::grammar;

std::optional<std::uint16_t> ast_builder::clock(const node& n, bool may_be_24) {
  const std::string t = n.string();
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h == 24 && m == 0 && may_be_24) return static_cast<std::uint16_t>(minutes_per_day);
  if (h > 23 || m > 59) {
    if (h == 24 && m == 0) {
      report<messages::midnight_not_window_end>(sink_, where(n));
    } else {
      report<messages::not_a_time_of_day>(sink_, where(n), t);
    }
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(h * 60 + m);
}

std::optional<window> ast_builder::window_value(const node& n) {
  const auto start = clock(*n.children.at(0), false);
  const auto end = clock(*n.children.at(1), true);
  if (!start || !end) return std::nullopt;
  if (*start == *end) {
    report<messages::empty_window>(sink_, where(n), n.string());
    return std::nullopt;
  }
  return window{*start, *end};
}

std::vector<ast::located<window>> ast_builder::windows_of(const node& parent) {
  std::vector<ast::located<window>> out;
  for (const auto& c : parent.children) {
    if (c->is_type<g::window>()) {
      if (auto w = window_value(*c)) out.push_back({*w, where(*c)});
    }
  }
  return out;
}

std::optional<day_number> ast_builder::date_value(const node& n) {
  const std::string t = n.string();
  const int y = std::stoi(t.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(t.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(t.substr(8, 2)));
  if (!is_valid_civil(y, m, d)) {
    report<messages::not_a_date>(sink_, where(n), t);
    return std::nullopt;
  }
  return days_from_civil(y, m, d);
}

// A date or a range among the children of `parent` (date_value, range_end).
std::optional<date_range> ast_builder::dates_of(const node& parent) {
  const node* first = nullptr;
  const node* last = nullptr;
  for (const auto& c : parent.children) {
    if (c->is_type<g::date_value>() && !first) first = c.get();
    if (c->is_type<g::range_end>()) last = c.get();
  }
  if (!first) return std::nullopt;
  const auto a = date_value(*first);
  const auto b = last ? date_value(*last) : a;
  if (!a || !b) return std::nullopt;
  if (*b < *a) {
    report<messages::range_ends_before_start>(sink_, where(*first), first->string(), last->string());
    return std::nullopt;
  }
  return date_range{*a, *b};
}

bool ast_builder::has_dates(const node& parent) const {
  return std::any_of(parent.children.begin(), parent.children.end(),
                     [](const auto& c) { return c->template is_type<g::date_value>(); });
}

// day_set children of `parent`: day ranges or daily/weekdays/weekends.
std::optional<day_mask> ast_builder::days_of(const node& parent) {
  day_mask mask = 0;
  bool any = false;
  for (const auto& c : parent.children) {
    if (c->is_type<g::days_daily>()) {
      mask |= all_days, any = true;
    } else if (c->is_type<g::days_weekdays>()) {
      mask |= weekdays_mask, any = true;
    } else if (c->is_type<g::days_weekends>()) {
      mask |= weekends_mask, any = true;
    } else if (c->is_type<g::day_range>()) {
      any = true;
      const int from = day_index(*c->children.at(0));
      const int to = c->children.size() > 1 ? day_index(*c->children.at(1)) : from;
      for (int d = from;; d = (d + 1) % 7) {
        mask |= day_bit(d);
        if (d == to) break;
      }
    }
  }
  if (!any) return std::nullopt;
  return mask;
}

std::optional<std::string> ast_builder::phone_value(const node& n) {
  const std::string t = n.string();
  const std::size_t digits = t.size() - 1;
  if (digits < 8 || digits > 15 || t[1] == '0') {
    report<messages::not_e164>(sink_, where(n), t);
    return std::nullopt;
  }
  return t;
}

std::vector<ast::located<std::string>> ast_builder::phones_of(const node& parent) {
  std::vector<ast::located<std::string>> out;
  for (const auto& c : parent.children) {
    if (c->is_type<g::phone>()) {
      if (auto p = phone_value(*c)) out.push_back({*p, where(*c)});
    }
  }
  return out;
}

std::optional<std::uint32_t> ast_builder::integer_value(const node& n) {
  std::uint32_t value = 0;
  const std::string t = n.string();
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || ptr != t.data() + t.size() || value > 1'000'000) {
    report<messages::number_too_large>(sink_, where(n), t);
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint32_t> ast_builder::duration_value(const node& n) {
  const std::string t = n.string();
  std::uint64_t amount = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size() - 1, amount);
  const char unit = t.back();
  const std::uint64_t scale = unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
  if (ec != std::errc() || amount == 0 || amount * scale > 86'400 || amount > 86'400) {
    report<messages::duration_out_of_range>(sink_, where(n), t);
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(amount * scale);
}

bool ast_builder::valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t continuation = lead < 0x80             ? 0
                                     : (lead & 0xe0) == 0xc0 ? 1
                                     : (lead & 0xf0) == 0xe0 ? 2
                                     : (lead & 0xf8) == 0xf0 ? 3
                                                             : 4;
    if (continuation == 4 || i + continuation >= s.size()) return false;
    for (std::size_t k = 1; k <= continuation; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += continuation + 1;
  }
  return true;
}

std::string ast_builder::string_value(const node& n) {
  const std::string raw = n.string();
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 2 < raw.size()) {
      const char e = raw[++i];
      out += e == 'n' ? '\n' : e;
    } else {
      out += raw[i];
    }
  }
  if (!valid_utf8(out)) {
    report<messages::invalid_utf8>(sink_, where(n));
  }
  return out;
}

// An action_name or step_action node.
ast::action_ref ast_builder::action_value(const node& n) {
  const std::string t = n.string();
  if (t == "fallback") return ast::action_ref::fallback;
  return static_cast<ast::action_ref>(*action_from_name(t));
}

}  // namespace callpolicy::detail
