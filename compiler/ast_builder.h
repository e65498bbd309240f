// The parse tree to the AST: what the grammar matched, decoded and checked
// where the shape cannot say (ranges of times and dates, E.164 lengths,
// durations, string escapes and UTF-8, items given twice, a second clinic in
// a file). One class, its methods written by concern:
//   ast_builder_values.cpp      lexical values (times, dates, days, numbers, strings)
//   ast_builder_blocks.cpp      a file's items and a clinic's blocks
//   ast_builder_conditions.cpp  route conditions and rules
//   ast_builder_tests.cpp       calendars and tests
// Private to compiler/: the parser's files include it, nothing else does
// (it brings PEGTL's parse tree).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "compiler/ast.h"
#include "compiler/diagnostic_messages.h"
#include "model/diagnostic.h"

namespace callpolicy::detail {

using node = tao::pegtl::parse_tree::node;

class ast_builder {
 public:
  ast_builder(std::string_view path, diagnostic_sink& sink) : path_(path), sink_(sink) {}

  location where(const node& n) const {
    const auto p = n.begin();
    return {std::string(path_), static_cast<std::uint32_t>(p.line),
            static_cast<std::uint32_t>(p.column)};
  }

  void build_file(const node& root, ast::policy_file& file,
                  const std::vector<std::size_t>& error_offsets);

  std::string text(const node& n) const { return n.string(); }

  std::optional<std::uint16_t> clock(const node& n, bool may_be_24);

  std::optional<window> window_value(const node& n);

  std::vector<ast::located<window>> windows_of(const node& parent);

  std::optional<day_number> date_value(const node& n);

  // A date or a range among the children of `parent` (date_value, range_end).
  std::optional<date_range> dates_of(const node& parent);
  // Month and day of an `MM-DD`, or none when it is no day of the year (reported).
  std::optional<std::pair<std::uint8_t, std::uint8_t>> day_of_year(const node& month_day);

  bool has_dates(const node& parent) const;

  static int day_index(const node& n) { return *weekday_from_name(n.string()); }

  // day_set children of `parent`: day ranges or daily/weekdays/weekends.
  std::optional<day_mask> days_of(const node& parent);

  std::optional<std::string> phone_value(const node& n);

  std::vector<ast::located<std::string>> phones_of(const node& parent);

  std::optional<std::uint32_t> integer_value(const node& n);

  std::optional<std::uint32_t> duration_value(const node& n);

  static bool valid_utf8(std::string_view s);

  std::string string_value(const node& n);

  // An action_name or step_action node.
  static ast::action_ref action_value(const node& n);

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
    report<messages::item_given_twice_at>(sink_, where(item), what, slot->where.line, slot->where.column);
    return false;
  }

  ast::clinic build_clinic(const node& n);

  ast::numbers_block build_numbers(const node& n);

  ast::block<ast::hours_line> build_hours(const node& n);

  std::vector<ast::holiday_entry> build_holiday_entries(const node& n);
  bool build_holiday_rule(const node& entry, ast::holiday_entry& out);
  bool build_holiday_years(const node& years, holiday_rule& rule);
  bool build_holiday_observed(const node& observed, holiday_rule& rule);

  ast::block<ast::special_entry> build_special(const node& n);

  ast::block<ast::schedule_line> build_schedule(const node& n);

  ast::condition build_condition(const node& n);

  ast::condition fold(const node& n, ast::condition::kind how);

  ast::block<ast::route_rule> build_route(const node& n);

  ast::ai_block build_ai(const node& n);

  void say_into(std::optional<std::string>& slot, const node& item, std::string_view block);

  std::optional<std::uint32_t> duration_into(const std::optional<std::uint32_t>& slot,
                                             const node& item, std::string_view what);

  ast::forward_block build_forward(const node& n);

  ast::menu_block build_menu(const node& n);
  ast::callback_block build_callback(const node& n);

  ast::voicemail_block build_voicemail(const node& n);

  ast::busy_block build_busy(const node& n);

  ast::calendar build_calendar(const node& n);

  std::optional<ast::date_time> date_time_value(const node& n);

  ast::test_case build_test(const node& n);
  // A test's phone number (its caller, its transfer target) as written:
  // E.164, or a national form the compiler reads with the clinic's region.
  std::optional<ast::located<std::string>> number_as_written(const node& item);

 private:
  std::string_view path_;
  diagnostic_sink& sink_;
};

}  // namespace callpolicy::detail
