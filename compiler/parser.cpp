// Text -> parse tree (PEGTL, grammar/policy_grammar.h) -> AST (compiler/ast.h).
//
// The grammar matches shapes; this file decodes values and checks what the
// shape cannot: ranges of times and dates, E.164 lengths, durations, string
// escapes and UTF-8, items given twice, a second clinic in a file. Syntax
// errors are recorded by the control's raise() before PEGTL unwinds to the
// try_catch of the enclosing item, which is how one file reports several.
#include "compiler/parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "compiler/syntax_hints.h"
#include "grammar/policy_grammar.h"

namespace callpolicy {
namespace {

namespace pegtl = tao::pegtl;
namespace g = callpolicy::grammar;
using node = pegtl::parse_tree::node;

// ---- Recording syntax errors

struct syntax_errors {
  std::string_view path;
  diagnostic_sink* sink = nullptr;
  std::vector<std::size_t> offsets;  // byte offsets of the errors, to find the items they broke
  // Errors at or past `cut` are dropped, but the one at `relocated` (a block
  // left open, reported where its brace is missing).
  std::size_t cut = std::numeric_limits<std::size_t>::max();
  std::size_t relocated = std::numeric_limits<std::size_t>::max();
};

template <typename Input>
std::string word_at(const Input& in) {
  const char* p = in.current();
  const char* end = in.end();
  std::size_t n = 0;
  while (p + n < end && n < 32) {
    const char c = p[n];
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '+' || c == ':' || c == '.';
    if (!word) break;
    ++n;
  }
  if (n == 0 && p < end) n = 1;
  std::string w(p, n);
  if (w == "\n") w = "end of line";
  return w;
}

template <typename Rule>
struct recording_control : pegtl::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... states) {
    std::string message(g::error_message<Rule>.empty() ? std::string_view("syntax error")
                                                        : g::error_message<Rule>);
    if (const auto at = message.find("{word}"); at != std::string::npos) {
      message.replace(at, 6, in.empty() ? std::string("end of file") : word_at(in));
    }
    const auto position = in.position();
    const std::string_view text(in.begin(), static_cast<std::size_t>(in.end() - in.begin()));
    (record(states, position, g::error_code<Rule>, message, syntax_hints(text, position.byte, message)), ...);
    throw pegtl::parse_error(message, in);
  }

  static void record(syntax_errors& errors, const pegtl::position& at, std::string_view code,
                     const std::string& message, syntax_hint hint) {
    if (hint.moved_to) {
      // Reported where the brace is missing; what was said after that
      // point followed from it.
      const syntax_hint::moved& m = *hint.moved_to;
      errors.cut = std::min(errors.cut, m.offset);
      errors.offsets.push_back(m.offset);
      errors.sink->error(code, location{std::string(errors.path), m.line, m.column}, m.message, std::move(hint.notes));
      errors.relocated = errors.offsets.size() - 1;
      return;
    }
    errors.offsets.push_back(at.byte);
    errors.sink->error(code,
                       location{std::string(errors.path), static_cast<std::uint32_t>(at.line),
                                static_cast<std::uint32_t>(at.column)},
                       message, std::move(hint.notes));
  }
};

template <typename Rule>
using selector = pegtl::parse_tree::selector<
    Rule,
    pegtl::parse_tree::store_content::on<
        g::clinic, g::calendar, g::test_block, g::clinic_id, g::calendar_name, g::test_name,
        g::name_item, g::timezone_item, g::language_item, g::voice_item, g::overflow_item,
        g::mode_item, g::fallback_item, g::numbers_block, g::numbers_ported, g::numbers_forwarded,
        g::numbers_sip, g::hours_block, g::hours_line, g::holidays_block, g::holiday_use,
        g::holiday_yearly, g::holiday_dated, g::holiday_label, g::month_day, g::nth_weekday,
        g::ordinal, g::nth_weekday_day, g::month_name, g::special_block, g::special_entry,
        g::closed_keyword, g::schedule_block, g::schedule_line, g::schedule_enable,
        g::schedule_disable, g::route_block, g::route_rule, g::otherwise_keyword, g::rule_action,
        g::rule_label, g::condition, g::conjunction, g::or_operand, g::negation, g::cond_holiday,
        g::cond_open, g::cond_closed, g::cond_scheduled, g::cond_overflow, g::cond_calls,
        g::cond_caller, g::cond_via, g::cond_during, g::cond_on, g::compare_op, g::ai_block,
        g::ai_sip, g::ai_redirect, g::forward_block, g::forward_number, g::say_item,
        g::timeout_item, g::voicemail_block, g::greeting_item, g::max_item, g::busy_block,
        g::reject_item, g::test_clinic, g::test_at, g::test_calls, g::test_caller, g::test_via,
        g::test_expect, g::test_reason, g::slug, g::string_literal, g::phone, g::integer,
        g::duration, g::time_value, g::window, g::window_end, g::date_value, g::range_end,
        g::day_range, g::day_name, g::day_range_end, g::days_daily, g::days_weekdays,
        g::days_weekends, g::action_name, g::via_name, g::mode_name, g::date_time,
        g::date_time_time, g::time_seconds, g::utc_designator, g::utc_offset, g::step_action,
        g::unanswered_item, g::caller_id_item, g::menu_block, g::menu_key_item, g::menu_key_value,
        g::menu_timeout_item, g::region_item, g::national_number, g::test_digits, g::digits_value,
        g::test_dial, g::dial_status>>;

// ---- Building the AST

class builder {
 public:
  builder(std::string_view path, diagnostic_sink& sink) : path_(path), sink_(sink) {}

  location where(const node& n) const {
    const auto p = n.begin();
    return {std::string(path_), static_cast<std::uint32_t>(p.line),
            static_cast<std::uint32_t>(p.column)};
  }

  void build_file(const node& root, ast::policy_file& file, const std::vector<std::size_t>& error_offsets) {
    std::vector<bool> inside_an_item(error_offsets.size(), false);
    // Whether an error lies in `n`, marking those that do.
    const auto broken = [&](const node& n) {
      bool any = false;
      for (std::size_t i = 0; i < error_offsets.size(); ++i) {
        if (n.begin().byte <= error_offsets[i] && error_offsets[i] <= n.end().byte) {
          inside_an_item[i] = true;
          any = true;
        }
      }
      return any;
    };
    for (const auto& child : root.children) {
      if (child->is_type<g::clinic>()) {
        ast::clinic c = build_clinic(*child);
        c.incomplete = broken(*child);
        if (!file.clinics.empty()) {
          sink_.error(codes::second_clinic, c.where,
                      fmt::format("a file holds at most one clinic; '{}' is the second here", c.id),
                      {fmt::format("'{}' is defined at {}:{}", file.clinics.front().id,
                                   file.clinics.front().where.line,
                                   file.clinics.front().where.column)});
        }
        file.clinics.push_back(std::move(c));
      } else if (child->is_type<g::calendar>()) {
        broken(*child);
        file.calendars.push_back(build_calendar(*child));
      } else if (child->is_type<g::test_block>()) {
        file.tests.push_back(build_test(*child));
        file.tests.back().incomplete = broken(*child);
      }
    }
    file.lost_items = std::find(inside_an_item.begin(), inside_an_item.end(), false) != inside_an_item.end();
  }

  // ---- values

  std::string text(const node& n) const { return n.string(); }

  std::optional<std::uint16_t> clock(const node& n, bool may_be_24) {
    const std::string t = n.string();
    const int h = (t[0] - '0') * 10 + (t[1] - '0');
    const int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h == 24 && m == 0 && may_be_24) return static_cast<std::uint16_t>(minutes_per_day);
    if (h > 23 || m > 59) {
      sink_.error(codes::bad_time, where(n),
                  h == 24 && m == 0
                      ? std::string("24:00 is only allowed as the end of a window")
                      : fmt::format("'{}' is not a time of day (00:00 to 23:59)", t));
      return std::nullopt;
    }
    return static_cast<std::uint16_t>(h * 60 + m);
  }

  std::optional<window> window_value(const node& n) {
    const auto start = clock(*n.children.at(0), false);
    const auto end = clock(*n.children.at(1), true);
    if (!start || !end) return std::nullopt;
    if (*start == *end) {
      sink_.error(codes::bad_window, where(n),
                  fmt::format("window '{}' is empty: its start and end are the same", n.string()),
                  {"for a whole day write 00:00-24:00"});
      return std::nullopt;
    }
    return window{*start, *end};
  }

  std::vector<ast::located<window>> windows_of(const node& parent) {
    std::vector<ast::located<window>> out;
    for (const auto& c : parent.children) {
      if (c->is_type<g::window>()) {
        if (auto w = window_value(*c)) out.push_back({*w, where(*c)});
      }
    }
    return out;
  }

  std::optional<day_number> date_value(const node& n) {
    const std::string t = n.string();
    const int y = std::stoi(t.substr(0, 4));
    const unsigned m = static_cast<unsigned>(std::stoi(t.substr(5, 2)));
    const unsigned d = static_cast<unsigned>(std::stoi(t.substr(8, 2)));
    if (!is_valid_civil(y, m, d)) {
      sink_.error(codes::bad_date, where(n), fmt::format("'{}' is not a date of the calendar", t));
      return std::nullopt;
    }
    return days_from_civil(y, m, d);
  }

  // A date or a range among the children of `parent` (date_value, range_end).
  std::optional<date_range> dates_of(const node& parent) {
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
      sink_.error(codes::bad_date_range, where(*first),
                  fmt::format("range '{}..{}' ends before it starts", first->string(),
                              last->string()));
      return std::nullopt;
    }
    return date_range{*a, *b};
  }

  bool has_dates(const node& parent) const {
    return std::any_of(parent.children.begin(), parent.children.end(),
                       [](const auto& c) { return c->template is_type<g::date_value>(); });
  }

  static int day_index(const node& n) { return *weekday_from_name(n.string()); }

  // day_set children of `parent`: day ranges or daily/weekdays/weekends.
  std::optional<day_mask> days_of(const node& parent) {
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

  std::optional<std::string> phone_value(const node& n) {
    const std::string t = n.string();
    const std::size_t digits = t.size() - 1;
    if (digits < 8 || digits > 15 || t[1] == '0') {
      sink_.error(codes::bad_number, where(n),
                  fmt::format("'{}' is not an E.164 number: '+' then 8 to 15 digits, the first "
                              "not 0",
                              t));
      return std::nullopt;
    }
    return t;
  }

  std::vector<ast::located<std::string>> phones_of(const node& parent) {
    std::vector<ast::located<std::string>> out;
    for (const auto& c : parent.children) {
      if (c->is_type<g::phone>()) {
        if (auto p = phone_value(*c)) out.push_back({*p, where(*c)});
      }
    }
    return out;
  }

  std::optional<std::uint32_t> integer_value(const node& n) {
    std::uint32_t value = 0;
    const std::string t = n.string();
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || ptr != t.data() + t.size() || value > 1'000'000) {
      sink_.error(codes::syntax, where(n), fmt::format("'{}' is too large", t));
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::uint32_t> duration_value(const node& n) {
    const std::string t = n.string();
    std::uint64_t amount = 0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size() - 1, amount);
    const char unit = t.back();
    const std::uint64_t scale = unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
    if (ec != std::errc() || amount == 0 || amount * scale > 86'400 || amount > 86'400) {
      sink_.error(codes::bad_duration, where(n),
                  fmt::format("duration '{}' must be more than 0s and at most 24h", t));
      return std::nullopt;
    }
    return static_cast<std::uint32_t>(amount * scale);
  }

  static bool valid_utf8(std::string_view s) {
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

  std::string string_value(const node& n) {
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
      sink_.error(codes::bad_string, where(n), "string is not valid UTF-8");
    }
    return out;
  }

  // An action_name or step_action node.
  static ast::action_ref action_value(const node& n) {
    const std::string t = n.string();
    if (t == "fallback") return ast::action_ref::fallback;
    return static_cast<ast::action_ref>(*action_from_name(t));
  }

  static const node* child(const node& n, auto predicate) {
    for (const auto& c : n.children) {
      if (predicate(*c)) return c.get();
    }
    return nullptr;
  }
  template <typename Rule>
  static const node* child_of(const node& n) {
    return child(n, [](const node& c) { return c.is_type<Rule>(); });
  }

  // Reports E012 when `slot` is already set; the first value is kept. Every
  // slot (a located value or a block) knows where it was first given.
  template <typename T>
  bool first_time(const std::optional<T>& slot, const node& item, std::string_view what) {
    if (!slot) return true;
    sink_.error(codes::duplicate_item, where(item),
                fmt::format("'{}' is given twice; the first stays", what),
                {fmt::format("first given at {}:{}", slot->where.line, slot->where.column)});
    return false;
  }

  // ---- clinic

  ast::clinic build_clinic(const node& n) {
    ast::clinic c;
    const node* id = child_of<g::clinic_id>(n);
    c.id = id ? id->string() : "";
    c.where = id ? where(*id) : where(n);
    for (const auto& item_ptr : n.children) {
      const node& item = *item_ptr;
      auto string_item = [&](std::optional<ast::located<std::string>>& slot, std::string_view what) {
        if (!first_time(slot, item, what)) return;
        if (const node* s = child_of<g::string_literal>(item)) {
          slot = ast::located<std::string>{string_value(*s), where(*s)};
        }
      };
      if (item.is_type<g::name_item>()) {
        string_item(c.name, "name");
      } else if (item.is_type<g::timezone_item>()) {
        string_item(c.timezone, "timezone");
      } else if (item.is_type<g::language_item>()) {
        string_item(c.language, "language");
      } else if (item.is_type<g::voice_item>()) {
        string_item(c.voice, "voice");
      } else if (item.is_type<g::region_item>()) {
        string_item(c.region, "region");
      } else if (item.is_type<g::overflow_item>()) {
        if (!first_time(c.overflow, item, "overflow")) continue;
        if (const node* v = child_of<g::integer>(item)) {
          if (auto value = integer_value(*v)) c.overflow = ast::located<std::uint32_t>{*value, where(*v)};
        }
      } else if (item.is_type<g::mode_item>()) {
        if (!first_time(c.mode, item, "mode")) continue;
        if (const node* v = child_of<g::mode_name>(item)) {
          static constexpr std::array<std::string_view, 5> names{
              "always", "after-hours-only", "overflow-only", "scheduled", "disabled"};
          const auto at = std::find(names.begin(), names.end(), v->string()) - names.begin();
          c.mode = ast::located<ast::mode_kind>{static_cast<ast::mode_kind>(at), where(*v)};
        }
      } else if (item.is_type<g::fallback_item>()) {
        if (!first_time(c.fallback, item, "fallback")) continue;
        if (const node* v = child_of<g::action_name>(item)) {
          c.fallback = ast::located<ast::action_ref>{action_value(*v), where(*v)};
        }
      } else if (item.is_type<g::numbers_block>()) {
        if (!first_time(c.numbers, item, "numbers")) continue;
        c.numbers = build_numbers(item);
      } else if (item.is_type<g::hours_block>()) {
        if (!first_time(c.hours, item, "hours")) continue;
        c.hours = build_hours(item);
      } else if (item.is_type<g::holidays_block>()) {
        if (!first_time(c.holidays, item, "holidays")) continue;
        c.holidays = ast::block<ast::holiday_entry>{build_holiday_entries(item), where(item)};
      } else if (item.is_type<g::special_block>()) {
        if (!first_time(c.special, item, "special")) continue;
        c.special = build_special(item);
      } else if (item.is_type<g::schedule_block>()) {
        if (!first_time(c.schedule, item, "schedule")) continue;
        c.schedule = build_schedule(item);
      } else if (item.is_type<g::route_block>()) {
        if (!first_time(c.route, item, "route")) continue;
        c.route = build_route(item);
      } else if (item.is_type<g::ai_block>()) {
        if (!first_time(c.ai, item, "ai")) continue;
        c.ai = build_ai(item);
      } else if (item.is_type<g::forward_block>()) {
        if (!first_time(c.forward, item, "forward")) continue;
        c.forward = build_forward(item);
      } else if (item.is_type<g::menu_block>()) {
        if (!first_time(c.menu, item, "menu")) continue;
        c.menu = build_menu(item);
      } else if (item.is_type<g::voicemail_block>()) {
        if (!first_time(c.voicemail, item, "voicemail")) continue;
        c.voicemail = build_voicemail(item);
      } else if (item.is_type<g::busy_block>()) {
        if (!first_time(c.busy, item, "busy")) continue;
        c.busy = build_busy(item);
      }
    }
    return c;
  }

  ast::numbers_block build_numbers(const node& n) {
    ast::numbers_block b;
    b.where = where(n);
    for (const auto& item : n.children) {
      if (item->is_type<g::numbers_ported>()) {
        auto phones = phones_of(*item);
        b.ported.insert(b.ported.end(), phones.begin(), phones.end());
      } else if (item->is_type<g::numbers_forwarded>()) {
        auto phones = phones_of(*item);
        b.forwarded.insert(b.forwarded.end(), phones.begin(), phones.end());
      } else if (item->is_type<g::numbers_sip>()) {
        for (const auto& s : item->children) {
          if (s->is_type<g::slug>()) b.sip.push_back({s->string(), where(*s)});
        }
      }
    }
    return b;
  }

  ast::block<ast::hours_line> build_hours(const node& n) {
    ast::block<ast::hours_line> b;
    b.where = where(n);
    for (const auto& line : n.children) {
      if (!line->is_type<g::hours_line>()) continue;
      ast::hours_line h;
      h.where = where(*line);
      h.days = days_of(*line).value_or(0);
      h.windows = windows_of(*line);
      b.items.push_back(std::move(h));
    }
    return b;
  }

  std::vector<ast::holiday_entry> build_holiday_entries(const node& n) {
    std::vector<ast::holiday_entry> out;
    for (const auto& e : n.children) {
      ast::holiday_entry h;
      h.where = where(*e);
      if (const node* label = child_of<g::holiday_label>(*e)) h.rule.label = string_value(*label);
      if (e->is_type<g::holiday_use>()) {
        h.type = ast::holiday_entry::kind::use;
        if (const node* s = child_of<g::slug>(*e)) h.calendar = s->string();
      } else if (e->is_type<g::holiday_dated>()) {
        h.type = ast::holiday_entry::kind::dates;
        h.rule.type = holiday_rule::kind::dates;
        const auto dates = dates_of(*e);
        if (!dates) continue;
        h.rule.dates = *dates;
      } else if (e->is_type<g::holiday_yearly>()) {
        if (const node* md = child_of<g::month_day>(*e)) {
          const std::string t = md->string();
          const unsigned month = static_cast<unsigned>(std::stoi(t.substr(0, 2)));
          const unsigned day = static_cast<unsigned>(std::stoi(t.substr(3, 2)));
          if (!is_valid_civil(2000, month, day)) {  // a leap year, so 02-29 passes
            sink_.error(codes::bad_date, where(*md),
                        fmt::format("'{}' is not a day of the year", t));
            continue;
          }
          h.type = ast::holiday_entry::kind::yearly_date;
          h.rule.type = holiday_rule::kind::yearly_date;
          h.rule.month = static_cast<std::uint8_t>(month);
          h.rule.day = static_cast<std::uint8_t>(day);
        } else if (const node* nth = child_of<g::nth_weekday>(*e)) {
          h.type = ast::holiday_entry::kind::yearly_nth;
          h.rule.type = holiday_rule::kind::yearly_nth;
          const std::string ordinal = child_of<g::ordinal>(*nth)->string();
          h.rule.nth = ordinal == "last" ? -1 : static_cast<std::int8_t>(ordinal[0] - '0');
          h.rule.weekday = static_cast<std::uint8_t>(day_index(*child_of<g::nth_weekday_day>(*nth)));
          static constexpr std::array<std::string_view, 12> months{
              "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
          const std::string month = child_of<g::month_name>(*nth)->string();
          h.rule.month = static_cast<std::uint8_t>(
              std::find(months.begin(), months.end(), month) - months.begin() + 1);
        } else {
          continue;
        }
      } else {
        continue;
      }
      out.push_back(std::move(h));
    }
    return out;
  }

  ast::block<ast::special_entry> build_special(const node& n) {
    ast::block<ast::special_entry> b;
    b.where = where(n);
    for (const auto& e : n.children) {
      if (!e->is_type<g::special_entry>()) continue;
      const auto dates = dates_of(*e);
      if (!dates) continue;
      ast::special_entry s;
      s.where = where(*e);
      s.dates = *dates;
      s.windows = windows_of(*e);
      if (s.windows.empty() && !child_of<g::closed_keyword>(*e)) continue;  // bad windows, reported
      b.items.push_back(std::move(s));
    }
    return b;
  }

  ast::block<ast::schedule_line> build_schedule(const node& n) {
    ast::block<ast::schedule_line> b;
    b.where = where(n);
    for (const auto& e : n.children) {
      if (!e->is_type<g::schedule_line>()) continue;
      ast::schedule_line s;
      s.where = where(*e);
      s.enable = child_of<g::schedule_enable>(*e) != nullptr;
      if (has_dates(*e)) {
        s.dates = dates_of(*e);
        if (!s.dates) continue;
      } else {
        s.days = days_of(*e);
        if (!s.days) continue;
      }
      s.windows = windows_of(*e);
      b.items.push_back(std::move(s));
    }
    return b;
  }

  // ---- conditions

  ast::condition build_condition(const node& n) {
    if (n.is_type<g::condition>()) return fold(n, ast::condition::kind::or_);
    if (n.is_type<g::conjunction>() || n.is_type<g::or_operand>()) {
      return fold(n, ast::condition::kind::and_);
    }
    ast::condition c;
    c.where = where(n);
    using k = ast::condition::kind;
    if (n.is_type<g::negation>()) {
      c.type = k::not_;
      c.operands.push_back(build_condition(*n.children.at(0)));
    } else if (n.is_type<g::cond_holiday>()) {
      c.type = k::holiday;
    } else if (n.is_type<g::cond_open>()) {
      c.type = k::open;
    } else if (n.is_type<g::cond_closed>()) {
      c.type = k::closed;
    } else if (n.is_type<g::cond_scheduled>()) {
      c.type = k::scheduled;
    } else if (n.is_type<g::cond_overflow>()) {
      c.type = k::overflow;
    } else if (n.is_type<g::cond_calls>()) {
      c.type = k::calls;
      const std::string op = child_of<g::compare_op>(n)->string();
      c.op = op == ">=" ? ast::compare_op::ge
             : op == ">" ? ast::compare_op::gt
             : op == "<=" ? ast::compare_op::le
             : op == "<" ? ast::compare_op::lt
                         : ast::compare_op::eq;
      if (auto v = integer_value(*child_of<g::integer>(n))) c.count = static_cast<std::int32_t>(*v);
    } else if (n.is_type<g::cond_caller>()) {
      c.type = k::caller;
      for (auto& p : phones_of(n)) c.callers.push_back(std::move(p.value));
    } else if (n.is_type<g::cond_via>()) {
      c.type = k::via;
      for (const auto& v : n.children) {
        if (v->is_type<g::via_name>()) c.vias |= via_bit(*via_from_name(v->string()));
      }
    } else if (n.is_type<g::cond_during>()) {
      c.type = k::during;
      c.days = days_of(n).value_or(0);
      for (const auto& w : windows_of(n)) c.windows.push_back(w.value);
    } else if (n.is_type<g::cond_on>()) {
      c.type = k::on;
      c.dates = dates_of(n).value_or(date_range{});
    }
    return c;
  }

  ast::condition fold(const node& n, ast::condition::kind how) {
    ast::condition result = build_condition(*n.children.at(0));
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      ast::condition combined;
      combined.type = how;
      combined.where = result.where;
      combined.operands.push_back(std::move(result));
      combined.operands.push_back(build_condition(*n.children[i]));
      result = std::move(combined);
    }
    return result;
  }

  ast::block<ast::route_rule> build_route(const node& n) {
    ast::block<ast::route_rule> b;
    b.where = where(n);
    for (const auto& r : n.children) {
      if (!r->is_type<g::route_rule>()) continue;
      ast::route_rule rule;
      rule.where = where(*r);
      if (const node* cond = child_of<g::condition>(*r)) rule.when = build_condition(*cond);
      if (const node* action = child_of<g::rule_action>(*r)) {
        rule.action = {action_value(*action), where(*action)};
      }
      if (const node* label = child_of<g::rule_label>(*r)) {
        rule.label = ast::located<std::string>{string_value(*label), where(*label)};
      }
      b.items.push_back(std::move(rule));
    }
    return b;
  }

  // ---- action blocks

  ast::ai_block build_ai(const node& n) {
    ast::ai_block b;
    b.where = where(n);
    bool seen = false;
    for (const auto& item : n.children) {
      const bool sip = item->is_type<g::ai_sip>();
      if (!sip && !item->is_type<g::ai_redirect>()) continue;
      if (seen) {
        sink_.error(codes::duplicate_item, where(*item),
                    "the 'ai' block takes one 'sip' or one 'redirect'; the first stays");
        continue;
      }
      seen = true;
      b.type = sip ? ast::ai_block::kind::sip : ast::ai_block::kind::redirect;
      b.target = string_value(*child_of<g::string_literal>(*item));
    }
    return b;
  }

  void say_into(std::optional<std::string>& slot, const node& item, std::string_view block) {
    if (slot) {
      sink_.error(codes::duplicate_item, where(item),
                  fmt::format("'say' is given twice in the '{}' block; the first stays", block));
      return;
    }
    slot = string_value(*child_of<g::string_literal>(item));
  }

  std::optional<std::uint32_t> duration_into(const std::optional<std::uint32_t>& slot,
                                             const node& item, std::string_view what) {
    if (slot) {
      sink_.error(codes::duplicate_item, where(item),
                  fmt::format("'{}' is given twice; the first stays", what));
      return slot;
    }
    return duration_value(*child_of<g::duration>(item));
  }

  ast::forward_block build_forward(const node& n) {
    ast::forward_block b;
    b.where = where(n);
    for (const auto& item : n.children) {
      if (item->is_type<g::forward_number>()) {
        if (auto number = phone_value(*item)) b.number = ast::located<std::string>{*number, where(*item)};
      } else if (item->is_type<g::say_item>()) {
        say_into(b.say, *item, "forward");
      } else if (item->is_type<g::timeout_item>()) {
        b.timeout_seconds = duration_into(b.timeout_seconds, *item, "timeout");
      } else if (item->is_type<g::unanswered_item>()) {
        if (!first_time(b.unanswered, *item, "unanswered")) continue;
        const node* v = child_of<g::step_action>(*item);
        b.unanswered = ast::located<ast::action_ref>{action_value(*v), where(*v)};
      } else if (item->is_type<g::caller_id_item>()) {
        if (!first_time(b.caller_id, *item, "caller-id")) continue;
        const node* v = child_of<g::phone>(*item);
        if (auto number = phone_value(*v)) b.caller_id = ast::located<std::string>{*number, where(*v)};
      }
    }
    return b;
  }

  ast::menu_block build_menu(const node& n) {
    ast::menu_block b;
    b.where = where(n);
    for (const auto& item : n.children) {
      if (item->is_type<g::say_item>()) {
        if (!b.say) b.say_where = where(*item);
        say_into(b.say, *item, "menu");
      } else if (item->is_type<g::menu_key_item>()) {
        const node* action = child_of<g::step_action>(*item);
        b.keys.push_back({child_of<g::menu_key_value>(*item)->string()[0],
                          {action_value(*action), where(*action)},
                          where(*item)});
      } else if (item->is_type<g::menu_timeout_item>()) {
        if (!first_time(b.on_timeout, *item, "timeout")) continue;
        if (const node* d = child_of<g::duration>(*item)) b.timeout_seconds = duration_value(*d);
        const node* action = child_of<g::step_action>(*item);
        b.on_timeout = ast::located<ast::action_ref>{action_value(*action), where(*action)};
      }
    }
    return b;
  }

  ast::voicemail_block build_voicemail(const node& n) {
    ast::voicemail_block b;
    b.where = where(n);
    for (const auto& item : n.children) {
      if (item->is_type<g::greeting_item>()) {
        if (b.greeting) {
          sink_.error(codes::duplicate_item, where(*item),
                      "'greeting' is given twice; the first stays");
        } else {
          b.greeting = string_value(*child_of<g::string_literal>(*item));
        }
      } else if (item->is_type<g::max_item>()) {
        b.max_seconds = duration_into(b.max_seconds, *item, "max");
      }
    }
    return b;
  }

  ast::busy_block build_busy(const node& n) {
    ast::busy_block b;
    b.where = where(n);
    for (const auto& item : n.children) {
      if (item->is_type<g::say_item>()) {
        say_into(b.say, *item, "busy");
      } else if (item->is_type<g::reject_item>()) {
        if (b.reject) {
          sink_.error(codes::duplicate_item, where(*item), "'reject' is given twice");
        }
        b.reject = true;
      }
    }
    return b;
  }

  // ---- calendar and test

  ast::calendar build_calendar(const node& n) {
    ast::calendar c;
    const node* name = child_of<g::calendar_name>(n);
    c.name = name ? name->string() : "";
    c.where = name ? where(*name) : where(n);
    c.entries = build_holiday_entries(n);
    return c;
  }

  std::optional<ast::date_time> date_time_value(const node& n) {
    ast::date_time dt;
    const auto date = date_value(*child_of<g::date_value>(n));
    const auto clock_minutes = clock(*child_of<g::date_time_time>(n), false);
    if (!date || !clock_minutes) return std::nullopt;
    dt.date = *date;
    dt.seconds = *clock_minutes * 60u;
    if (const node* s = child_of<g::time_seconds>(n)) {
      const std::string t = s->string();
      const int seconds = (t[1] - '0') * 10 + (t[2] - '0');
      if (seconds > 59) {
        sink_.error(codes::bad_time, where(*s), fmt::format("'{}' has more than 59 seconds", t));
        return std::nullopt;
      }
      dt.seconds += static_cast<std::uint32_t>(seconds);
    }
    if (child_of<g::utc_designator>(n)) dt.offset_minutes = 0;
    if (const node* o = child_of<g::utc_offset>(n)) {
      const std::string t = o->string();
      const int h = (t[1] - '0') * 10 + (t[2] - '0');
      const int m = (t[4] - '0') * 10 + (t[5] - '0');
      if (h > 23 || m > 59) {
        sink_.error(codes::bad_time, where(*o), fmt::format("'{}' is not a UTC offset", t));
        return std::nullopt;
      }
      dt.offset_minutes = (t[0] == '-' ? -1 : 1) * (h * 60 + m);
    }
    return dt;
  }

  ast::test_case build_test(const node& n) {
    ast::test_case t;
    const node* name = child_of<g::test_name>(n);
    t.name = name ? string_value(*name) : "";
    t.where = where(n);
    for (const auto& item_ptr : n.children) {
      const node& item = *item_ptr;
      if (item.is_type<g::test_clinic>()) {
        if (first_time(t.clinic, item, "clinic")) {
          const node* s = child_of<g::slug>(item);
          t.clinic = ast::located<std::string>{s->string(), where(*s)};
        }
      } else if (item.is_type<g::test_at>()) {
        if (first_time(t.at, item, "at")) {
          const node* v = child_of<g::date_time>(item);
          if (auto dt = date_time_value(*v)) t.at = ast::located<ast::date_time>{*dt, where(*v)};
        }
      } else if (item.is_type<g::test_calls>()) {
        if (first_time(t.calls, item, "calls")) {
          const node* v = child_of<g::integer>(item);
          if (auto value = integer_value(*v)) t.calls = ast::located<std::uint32_t>{*value, where(*v)};
        }
      } else if (item.is_type<g::test_caller>()) {
        if (first_time(t.caller, item, "caller")) {
          // The compiler reads national forms with the clinic's region.
          if (const node* v = child_of<g::phone>(item)) {
            if (auto p = phone_value(*v)) t.caller = ast::located<std::string>{*p, where(*v)};
          } else if (const node* d = child_of<g::national_number>(item)) {
            t.caller = ast::located<std::string>{d->string(), where(*d)};
          } else if (const node* q = child_of<g::string_literal>(item)) {
            t.caller = ast::located<std::string>{string_value(*q), where(*q)};
          }
        }
      } else if (item.is_type<g::test_digits>()) {
        if (first_time(t.digits, item, "digits")) {
          const node* v = child_of<g::digits_value>(item);
          const std::string text = v->string();
          t.digits = ast::located<std::string>{text == "none" ? std::string() : text, where(*v)};
        }
      } else if (item.is_type<g::test_dial>()) {
        if (first_time(t.dial, item, "dial")) {
          const node* v = child_of<g::dial_status>(item);
          t.dial = ast::located<std::string>{v->string(), where(*v)};
        }
      } else if (item.is_type<g::test_via>()) {
        if (first_time(t.via, item, "via")) {
          const node* v = child_of<g::via_name>(item);
          t.via = ast::located<via_kind>{*via_from_name(v->string()), where(*v)};
        }
      } else if (item.is_type<g::test_expect>()) {
        if (first_time(t.expect, item, "expect")) {
          const node* v = child_of<g::step_action>(item);
          t.expect = ast::located<ast::action_ref>{action_value(*v), where(*v)};
        }
      } else if (item.is_type<g::test_reason>()) {
        if (first_time(t.reason, item, "reason")) {
          const node* v = child_of<g::string_literal>(item);
          t.reason = ast::located<std::string>{string_value(*v), where(*v)};
        }
      }
    }
    return t;
  }

 private:
  std::string_view path_;
  diagnostic_sink& sink_;
};

// Comments are found by a scan of their own, outside the grammar, so that the
// formatter sees each exactly once whatever the parser backtracked over.
std::vector<ast::comment> scan_comments(std::string_view path, std::string_view text) {
  std::vector<ast::comment> out;
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      in_string = false;
    } else if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '#') {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      std::string_view body = text.substr(i, end - i);
      while (!body.empty() && (body.back() == '\r' || body.back() == ' ' || body.back() == '\t')) {
        body.remove_suffix(1);
      }
      const std::string_view before = text.substr(line_start, i - line_start);
      const bool own_line = before.find_first_not_of(" \t") == std::string_view::npos;
      out.push_back({std::string(body),
                     {std::string(path), line, static_cast<std::uint32_t>(i - line_start + 1)},
                     own_line});
      i = end - 1;
    }
  }
  return out;
}

}  // namespace

ast::policy_file parse_policy(std::string_view path, std::string_view text, diagnostic_sink& sink) {
  ast::policy_file file;
  file.path = std::string(path);
  file.comments = scan_comments(path, text);
  // Syntax errors come first, value errors while building: collect both here
  // and hand them over in source order.
  diagnostic_sink local;
  syntax_errors errors{path, &local, {}, std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::size_t>::max()};
  pegtl::memory_input<> in(text.data(), text.size(), std::string(path));
  try {
    auto root = pegtl::parse_tree::parse<g::file, selector, pegtl::nothing, recording_control>(
        in, errors);
    if (root) builder(path, local).build_file(*root, file, errors.offsets);
  } catch (const pegtl::parse_error& e) {
    file.lost_items = true;
    // Every must<> point sits inside an item's try_catch; reaching here means
    // an error outside any item, already recorded by raise().
    if (local.all().empty()) {
      const auto& p = e.positions().front();
      local.error(codes::syntax,
                 {std::string(path), static_cast<std::uint32_t>(p.line),
                  static_cast<std::uint32_t>(p.column)},
                 std::string(e.message()));
    }
  }
  // The syntax errors come first in `local`, in the order recorded.
  const auto& recorded = local.all();
  diagnostic_sink kept;
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    const bool syntax = i < errors.offsets.size();
    if (syntax && errors.offsets[i] >= errors.cut && i != errors.relocated) continue;
    kept.report(recorded[i]);
  }
  kept.sort();
  for (const diagnostic& d : kept.all()) sink.report(d);
  return file;
}

std::optional<ast::date_time> parse_date_time(std::string_view text) {
  diagnostic_sink sink;
  syntax_errors errors{"--at", &sink, {}, std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::size_t>::max()};
  pegtl::memory_input<> in(text.data(), text.size(), "--at");
  try {
    auto root = pegtl::parse_tree::parse<g::date_time_only, selector, pegtl::nothing,
                                         recording_control>(in, errors);
    if (!root || root->children.empty()) return std::nullopt;
    builder b("--at", sink);
    auto value = b.date_time_value(*root->children.front());
    if (sink.has_errors()) return std::nullopt;
    return value;
  } catch (const pegtl::parse_error&) {
    return std::nullopt;
  }
}

}  // namespace callpolicy
