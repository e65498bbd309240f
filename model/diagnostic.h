// Diagnostics are data (as in Clang): a stable code, a severity, a position
// and a short message. Call sites never format output; the renderers in
// diagnostic_render.h are the only code that knows text, JSON, SARIF or the
// GitHub workflow syntax.
//
// Codes: errors are numbered (E001...), warnings are named (W-default-fallback),
// as SPEC 2.4 names them. The full catalogue, with an example for each, is in
// docs/language.md; codes never change meaning once released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callpolicy {

// 1-based line and column; column counts bytes, as GCC and Clang do.
struct location {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

enum class severity : std::uint8_t { error, warning };

// "file:line:col", as diagnostics and notes name a place.
std::string where_text(const location& where);

struct diagnostic {
  std::string code;  // "E001", "W-default-fallback"
  severity level = severity::error;
  location where;
  std::string message;             // lower case, no final period, 'quoted' names
  std::vector<std::string> notes;  // extra lines, e.g. "did you mean 'America/Toronto'?"
};

class diagnostic_sink {
 public:
  void report(diagnostic d) { items_.push_back(std::move(d)); }
  void error(std::string_view code, const location& where, std::string message,
             std::vector<std::string> notes = {});
  void warning(std::string_view code, const location& where, std::string message,
               std::vector<std::string> notes = {});

  const std::vector<diagnostic>& all() const { return items_; }
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool has_errors() const { return error_count() != 0; }

  // Stable order for output: by file, line, column, then the order reported.
  void sort();

 private:
  std::vector<diagnostic> items_;
};

// The catalogue. Keep docs/language.md in step with this list.
namespace codes {
// Syntax and lexical values (parser).
inline constexpr std::string_view syntax = "E001";             // expected ...
inline constexpr std::string_view bad_time = "E002";           // 25:00, 24:00 as a start
inline constexpr std::string_view bad_date = "E003";           // 2026-02-30, month 13
inline constexpr std::string_view bad_number = "E004";         // not E.164
inline constexpr std::string_view bad_window = "E005";         // 09:00-09:00
inline constexpr std::string_view bad_duration = "E006";       // 0s, too long
inline constexpr std::string_view bad_date_range = "E007";     // last before first
inline constexpr std::string_view bad_string = "E008";         // unknown escape, bad UTF-8
inline constexpr std::string_view special_range_too_long = "E009";  // over a year of special days
// Structure of a file (parser).
inline constexpr std::string_view unknown_time_zone = "E010";
inline constexpr std::string_view missing_time_zone = "E011";
inline constexpr std::string_view duplicate_item = "E012";     // an item given twice in a block
inline constexpr std::string_view second_clinic = "E013";      // more than one clinic in a file
inline constexpr std::string_view too_deep = "E014";           // conditions nested past 256 levels
// Set-wide (compiler).
inline constexpr std::string_view duplicate_clinic = "E020";
inline constexpr std::string_view duplicate_number = "E021";
inline constexpr std::string_view duplicate_sip_user = "E022";
inline constexpr std::string_view duplicate_calendar = "E023";
inline constexpr std::string_view empty_set = "E024";  // no clinic in a set that will answer calls
inline constexpr std::string_view unknown_calendar = "E030";
inline constexpr std::string_view calendar_cycle = "E031";
inline constexpr std::string_view calendar_too_deep = "E032";  // `use` chained past 64 calendars
// Routing (compiler).
inline constexpr std::string_view mode_and_route = "E040";
inline constexpr std::string_view missing_otherwise = "E041";
inline constexpr std::string_view otherwise_not_last = "E042";
inline constexpr std::string_view action_not_configured = "E043";  // forward without a number
inline constexpr std::string_view overflow_without_threshold = "E044";
inline constexpr std::string_view scheduled_without_schedule = "E045";
inline constexpr std::string_view forward_loop = "E046";
inline constexpr std::string_view fallback_is_fallback = "E047";   // `fallback fallback`
// Call flow past the first answer (compiler).
inline constexpr std::string_view duplicate_menu_key = "E060";
inline constexpr std::string_view empty_menu = "E061";             // a menu without keys
inline constexpr std::string_view menu_names_menu = "E062";
inline constexpr std::string_view forward_unanswered_by_forward = "E063";
inline constexpr std::string_view bad_caller = "E064";             // a test's caller no number
inline constexpr std::string_view unknown_region = "E065";
inline constexpr std::string_view ai_unavailable_by_ai = "E066";  // `ai { unavailable ai }`
inline constexpr std::string_view unreachable_needs_the_server = "E067";  // `unreachable ai`
inline constexpr std::string_view ai_capacity_zero = "E068";  // `ai { capacity 0 }`
inline constexpr std::string_view transfer_loop = "E069";     // a transfer back to the AI
inline constexpr std::string_view to_outside_transfer = "E070";  // `to` in a route
// Tests (compiler).
inline constexpr std::string_view test_unknown_clinic = "E050";
inline constexpr std::string_view test_needs_clinic = "E051";      // several clinics, none named
inline constexpr std::string_view test_incomplete = "E052";        // no `at` or no `expect`
inline constexpr std::string_view test_time_nonexistent = "E053";  // local time in a DST gap
// Warnings.
inline constexpr std::string_view duplicate_day = "W-duplicate-day";
inline constexpr std::string_view overlapping_windows = "W-overlapping-windows";
inline constexpr std::string_view unreachable_rule = "W-unreachable-rule";
inline constexpr std::string_view shadowed_schedule = "W-shadowed-schedule";
inline constexpr std::string_view holiday_on_closed_day = "W-holiday-on-closed-day";
inline constexpr std::string_view past_dates = "W-past-dates";
inline constexpr std::string_view default_fallback = "W-default-fallback";
inline constexpr std::string_view never_answered = "W-never-answered";
inline constexpr std::string_view ambiguous_time = "W-ambiguous-time";
inline constexpr std::string_view legacy_time_zone = "W-legacy-time-zone";  // EST, US/Eastern
inline constexpr std::string_view forward_without_caller_id = "W-forward-without-caller-id";
inline constexpr std::string_view unused_setting = "W-unused-setting";  // hours an overflow-only clinic never reads
inline constexpr std::string_view no_numbers = "W-no-numbers";
inline constexpr std::string_view lints_skipped = "W-lints-skipped";  // a clinic too large to lint exactly
}  // namespace codes

}  // namespace callpolicy
