// Diagnostics are data (as in Clang): a stable code, a severity, a position
// and a short message. The messages are a table of their own
// (compiler/diagnostic_messages.h); the renderers in diagnostic_render.h are
// the only code that knows text, JSON, SARIF or the GitHub workflow syntax.
//
// Codes: errors are numbered (E001...), warnings are named
// (W-default-fallback). The catalogue below is the list; docs/language.md
// has an example of each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
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

// One kind of diagnostic: its code, its severity and what it means, in
// docs/language.md's words (tests/compiler/diagnostic_catalogue_test.cpp
// holds the two to each other). A kind stands for its code wherever a code
// is read.
struct diagnostic_kind {
  std::string_view code;
  severity level = severity::error;
  std::string_view meaning;
  constexpr operator std::string_view() const { return code; }
  friend bool operator==(std::string_view text, const diagnostic_kind& kind) { return text == kind.code; }
};
// Its code, as a test's failed comparison prints it.
std::ostream& operator<<(std::ostream& out, const diagnostic_kind& kind);


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
  // Call sites report a row of compiler/diagnostic_messages.h, which builds
  // the diagnostic; this keeps it.
  diagnostic& report(diagnostic d) { return items_.emplace_back(std::move(d)); }

  const std::vector<diagnostic>& all() const { return items_; }
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool has_errors() const { return error_count() != 0; }

  // Stable order for output: by file, line, column, then the order reported.
  void sort();

 private:
  std::vector<diagnostic> items_;
};

// The catalogue, one row per kind: X(name, code, severity, meaning). Codes
// never change meaning once released; a new one is a new row here and in
// docs/language.md.
#define CALLPOLICY_DIAGNOSTICS(X) \
  /* Syntax and lexical values (parser). */ \
  X(syntax, "E001", error, "syntax error: what was expected") \
  X(bad_time, "E002", error, "a time out of range, or 24:00 anywhere but a window end") \
  X(bad_date, "E003", error, "an impossible date") \
  X(bad_number, "E004", error, "a number that is not E.164") \
  X(bad_window, "E005", error, "an empty window") \
  X(bad_duration, "E006", error, "a zero or over-long duration") \
  X(bad_date_range, "E007", error, "a date range, or a holiday's `from … until … every …`, that ends before it starts or before 1583, or repeats without a first year") \
  X(bad_string, "E008", error, "an unknown string escape or invalid UTF-8") \
  X(special_range_too_long, "E009", error, "a `special` range of more than 366 days (special days are planned one by one; a longer closure is a holiday range)") \
  /* Structure of a file (parser). */ \
  X(unknown_time_zone, "E010", error, "an unknown IANA time zone, with a suggestion") \
  X(missing_time_zone, "E011", error, "a clinic without a timezone") \
  X(duplicate_item, "E012", error, "an item given twice in one block") \
  X(second_clinic, "E013", error, "a second clinic in one file") \
  X(too_deep, "E014", error, "conditions nested more than 256 levels deep (parentheses and `not`); a chain of `and`/`or` is not nesting and may be as long as it likes") \
  /* Set-wide (compiler). */ \
  X(duplicate_clinic, "E020", error, "a clinic id defined twice in the set") \
  X(duplicate_number, "E021", error, "a number claimed twice in the set") \
  X(duplicate_sip_user, "E022", error, "a SIP user claimed twice in the set") \
  X(duplicate_calendar, "E023", error, "a calendar defined twice") \
  X(empty_set, "E024", error, "a set with no clinic, where the set will answer calls (`check`, `compile`, `serve` and its reloads; `--allow-empty` allows it)") \
  X(empty_file, "E025", error, "a policy file that declares nothing (empty, or only blanks and comments), which is how a file cut short by a full disk or read mid-write looks; a clinic is removed by deleting its file") \
  X(unknown_calendar, "E030", error, "`use` of an unknown calendar") \
  X(calendar_cycle, "E031", error, "a cycle of calendars") \
  X(calendar_too_deep, "E032", error, "a chain of `use` through more than 64 calendars") \
  /* Routing (compiler). */ \
  X(mode_and_route, "E040", error, "`mode` and `route` together") \
  X(missing_otherwise, "E041", error, "a route without `otherwise`") \
  X(otherwise_not_last, "E042", error, "`otherwise` not last") \
  X(action_not_configured, "E043", error, "an action used but not configurable") \
  X(overflow_without_threshold, "E044", error, "`overflow` without a threshold") \
  X(scheduled_without_schedule, "E045", error, "`scheduled` without a schedule") \
  X(forward_loop, "E046", error, "a forward to one of the clinic's own numbers") \
  X(fallback_is_fallback, "E047", error, "`fallback fallback`") \
  /* Call flow past the first answer (compiler). */ \
  X(duplicate_menu_key, "E060", error, "a menu key mapped twice") \
  X(empty_menu, "E061", error, "a menu without keys") \
  X(menu_names_menu, "E062", error, "a menu that names `menu`, directly or through `fallback`") \
  X(forward_unanswered_by_forward, "E063", error, "a forward unanswered by `forward`") \
  X(bad_caller, "E064", error, "a test's caller that is no phone number in E.164 or the clinic's national form") \
  X(unknown_region, "E065", error, "an unknown `region`") \
  X(ai_unavailable_by_ai, "E066", error, "an AI `unavailable` that is the AI") \
  X(unreachable_needs_the_server, "E067", error, "an `unreachable` action a static document cannot play (`ai`, `menu`, `fallback`)") \
  X(ai_capacity_zero, "E068", error, "an AI `capacity` of 0") \
  X(transfer_loop, "E069", error, "a transfer rule that goes back to the AI, directly, through the fallback or through a forward whose `unanswered` is `ai`") \
  X(to_outside_transfer, "E070", error, "`to` outside the `transfer` block") \
  X(callback_loop, "E071", error, "a callback offer's `otherwise` that is `callback` or `menu`, directly or through `fallback`") \
  X(bad_notify_url, "E073", error, "a `notify` url that is not an http:// or https:// URL with a host") \
  X(wait_without_lines, "E072", error, "`wait` in a clinic with no staff lines: no `lines` and no `overflow`, or `lines 0`") \
  /* Tests (compiler). */ \
  X(test_unknown_clinic, "E050", error, "a test naming an unknown clinic") \
  X(test_needs_clinic, "E051", error, "a test whose clinic cannot be inferred") \
  X(test_incomplete, "E052", error, "a test without `at` or `expect`") \
  X(test_time_nonexistent, "E053", error, "a test time inside a daylight-saving gap") \
  /* Warnings. */ \
  X(duplicate_day, "W-duplicate-day", warning, "a day given twice in `hours` (the later line wins)") \
  X(overlapping_windows, "W-overlapping-windows", warning, "windows that overlap, overnight spill included") \
  X(unreachable_rule, "W-unreachable-rule", warning, "a route rule that can never decide, judged exactly over the week, the dates, call counts, callers and vias") \
  X(shadowed_schedule, "W-shadowed-schedule", warning, "a schedule line that later lines override everywhere it applies") \
  X(holiday_on_closed_day, "W-holiday-on-closed-day", warning, "a dated holiday on days the clinic is closed anyway") \
  X(past_dates, "W-past-dates", warning, "every dated entry of the clinic is in the past") \
  X(default_fallback, "W-default-fallback", warning, "no `fallback` while the fallback is used") \
  X(never_answered, "W-never-answered", warning, "an ordinary week in which no call goes to the AI or to staff, directly or through a menu") \
  X(ambiguous_time, "W-ambiguous-time", warning, "a test time repeated by a daylight-saving change (the earlier instant is used)") \
  X(legacy_time_zone, "W-legacy-time-zone", warning, "a zone name users rarely mean: a fixed offset, a POSIX zone, an old alias") \
  X(forward_without_caller_id, "W-forward-without-caller-id", warning, "a clinic reached only over SIP whose forward has no `caller-id`: Twilio refuses the `<Dial>` (error 13214)") \
  X(unused_setting, "W-unused-setting", warning, "a setting nothing reads: `hours`, `holidays` or `special` when no call reaches the AI (which is told whether the clinic is open, when it next opens and which holiday it is) and the mode or route does not decide by them (`disabled`, a route without `open`, `closed` or `holiday`); `schedule` outside `scheduled`; `overflow` outside `overflow-only`; for a route, a setting no rule's condition reads (`open`/`closed` read hours, holidays and special days; `holiday` reads holidays and special days)") \
  X(no_numbers, "W-no-numbers", warning, "a clinic without ported, forwarded or SIP numbers: no call reaches it") \
  X(lints_skipped, "W-lints-skipped", warning, "a clinic whose route is too large to lint exactly (about 10^8 evaluations: thousands of rules over thousands of callers or call counts); `W-unreachable-rule` and `W-never-answered` are not checked for it, so that no policy can stall a check or a reload")

namespace codes {
#define CALLPOLICY_DIAGNOSTIC_KIND(name, code, level, meaning) \
  inline constexpr diagnostic_kind name{code, severity::level, meaning};
CALLPOLICY_DIAGNOSTICS(CALLPOLICY_DIAGNOSTIC_KIND)
#undef CALLPOLICY_DIAGNOSTIC_KIND
}  // namespace codes

#define CALLPOLICY_DIAGNOSTIC_ROW(name, code, level, meaning) codes::name,
inline constexpr diagnostic_kind catalogue[] = {CALLPOLICY_DIAGNOSTICS(CALLPOLICY_DIAGNOSTIC_ROW)};
#undef CALLPOLICY_DIAGNOSTIC_ROW

// The kind of a code that arrives as text (the grammar's, which knows no
// kinds); null for a code not in the catalogue.
const diagnostic_kind* find_diagnostic_kind(std::string_view code);

}  // namespace callpolicy
