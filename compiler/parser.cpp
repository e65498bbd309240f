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
#include <optional>
#include <string>

#include <fmt/format.h>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "compiler/ast_builder.h"
#include "compiler/syntax_hints.h"
#include "model/edit_distance.h"
#include "grammar/policy_errors.h"
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
  if (n == 0 && p < end) {
    // One character: a whole UTF-8 sequence, not the first byte of one.
    n = 1;
    while (p + n < end && n < 4 && (static_cast<unsigned char>(p[n]) & 0xC0) == 0x80) ++n;
  }
  std::string w(p, n);
  if (w == "\n") w = "end of line";
  return w;
}

// The byte at `p` when it does not start a valid UTF-8 sequence.
std::optional<unsigned char> invalid_utf8_byte(const char* p, const char* end) {
  const auto b = static_cast<unsigned char>(*p);
  if (b < 0x80) return std::nullopt;
  const std::size_t length = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
  if (length == 0 || static_cast<std::size_t>(end - p) < length) return b;
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(p[i]) & 0xC0) != 0x80) return b;
  }
  return std::nullopt;
}

template <typename Rule>
struct recording_control : pegtl::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... states) {
    // A point the parser can fail at with no message of its own would tell
    // the user only "syntax error", as PEGTL's json_errors example refuses.
    static_assert(!g::error_message<Rule>.empty(),
                  "a rule the grammar raises on has no error message: add a CALLPOLICY_ERROR for it in "
                  "grammar/policy_errors.h");
    std::string message(g::error_message<Rule>);
    if (const auto at = message.find("'{word}'"); at != std::string::npos) {
      const auto byte = in.empty() ? std::optional<unsigned char>() : invalid_utf8_byte(in.current(), in.end());
      // A byte that is not UTF-8 would print as a replacement character
      // nobody can find in the file: it is named by its value instead.
      message.replace(at, 8, in.empty() ? std::string("end of file")
                             : byte     ? fmt::format("byte 0x{:02X}, which is not UTF-8", *byte)
                                        : "'" + word_at(in) + "'");
    }
    const auto position = in.position();
    const std::string_view text(in.begin(), static_cast<std::size_t>(in.end() - in.begin()));
    syntax_hint hint = syntax_hints(text, position.byte, message);
    if constexpr (!g::expected_words<Rule>.empty()) {
      if (!in.empty()) {
        const std::string found = word_at(in);
        if (const std::string_view meant = closest_word(found, g::expected_words<Rule>); !meant.empty()) {
          hint.notes.insert(hint.notes.begin(), fmt::format(messages::did_you_mean, meant));
        }
      }
    }
    // The grammar names codes as text (it knows nothing of ours); each is a kind of the catalogue.
    static const diagnostic_kind& kind = *find_diagnostic_kind(g::error_code<Rule>);
    (record(states, position, kind, message, hint), ...);
    throw pegtl::parse_error(message, in);
  }

  static void record(syntax_errors& errors, const pegtl::position& at, const diagnostic_kind& code,
                     const std::string& message, syntax_hint hint) {
    if (hint.moved_to) {
      // Reported where the brace is missing; what was said after that
      // point followed from it.
      const syntax_hint::moved& m = *hint.moved_to;
      errors.cut = std::min(errors.cut, m.offset);
      errors.offsets.push_back(m.offset);
      errors.sink->report({std::string(code.code), code.level, location{std::string(errors.path), m.line, m.column},
                           m.message, std::move(hint.notes)});
      errors.relocated = errors.offsets.size() - 1;
      return;
    }
    errors.offsets.push_back(at.byte);
    errors.sink->report({std::string(code.code), code.level,
                         location{std::string(errors.path), static_cast<std::uint32_t>(at.line),
                                  static_cast<std::uint32_t>(at.column)},
                         message, std::move(hint.notes)});
  }
};

template <typename Rule>
using selector = pegtl::parse_tree::selector<
    Rule,
    pegtl::parse_tree::store_content::on<
        g::clinic, g::calendar, g::test_block, g::clinic_id, g::calendar_name, g::test_name,
        g::name_item, g::timezone_item, g::language_item, g::voice_item, g::overflow_item,
        g::mode_item, g::fallback_item, g::unreachable_item, g::numbers_block, g::numbers_ported, g::numbers_forwarded,
        g::numbers_sip, g::hours_block, g::hours_line, g::holidays_block, g::holiday_use,
        g::holiday_yearly, g::holiday_dated, g::holiday_label, g::month_day, g::nth_weekday,
        g::ordinal, g::nth_weekday_day, g::month_name, g::weekday_beside, g::beside_ordinal, g::beside_day, g::beside_before,
        g::beside_after, g::beside_anchor, g::special_block, g::special_entry,
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
        g::unanswered_item, g::unavailable_item, g::capacity_item, g::caller_id_item, g::screen_item, g::menu_block, g::menu_key_item, g::menu_key_value,
        g::menu_timeout_item, g::callback_block, g::confirm_item, g::cond_wait, g::lines_item, g::test_mean_call, g::callback_otherwise_item, g::notify_block, g::notify_url_item, g::holiday_easter, g::easter_orthodox, g::easter_offset, g::holiday_observed, g::observed_shift, g::observed_day, g::observed_target, g::holiday_years, g::holiday_from_year, g::holiday_until_year, g::holiday_every_count, g::region_item, g::national_number, g::test_digits, g::digits_value,
        g::test_dial, g::test_ai, g::dial_status, g::transfer_block, g::cond_to, g::test_transfer>>;


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
  // A UTF-8 byte-order mark (Windows editors write one) is no part of the
  // text; columns on the first line count from after it, as editors do.
  if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
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
    if (root) detail::ast_builder(path, local).build_file(*root, file, errors.offsets);
  } catch (const pegtl::parse_error& e) {
    file.lost_items = true;
    // Every must<> point sits inside an item's try_catch; reaching here means
    // an error outside any item, already recorded by raise().
    if (local.all().empty()) {
      const auto& p = e.positions().front();
      report<messages::syntax_error>(
          local, {std::string(path), static_cast<std::uint32_t>(p.line), static_cast<std::uint32_t>(p.column)},
          e.message());
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
    detail::ast_builder b("--at", sink);
    auto value = b.date_time_value(*root->children.front());
    if (sink.has_errors()) return std::nullopt;
    return value;
  } catch (const pegtl::parse_error&) {
    return std::nullopt;
  }
}

}  // namespace callpolicy
