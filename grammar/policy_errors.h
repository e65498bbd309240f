// What the parser says at each point where the grammar (policy_grammar.h)
// can fail: the message, the code when it is not E001, and the words that
// were expected there, for "did you mean". Apart from the rules so that the
// grammar reads as the language and this as its diagnostics.
#pragma once

#include <array>
#include <string_view>

#include "grammar/policy_grammar.h"

namespace callpolicy::grammar {

// Error messages for each need<> point. `{word}` is replaced by the word
// found at the error position. A rule raised on without a message fails the
// build (compiler/parser.cpp's control asserts it).
template <typename Rule>
inline constexpr std::string_view error_message{};
template <typename Rule>
inline constexpr std::string_view error_code = "E001";

#define CALLPOLICY_ERROR(rule, text) \
  template <>                        \
  inline constexpr std::string_view error_message<rule> = text

CALLPOLICY_ERROR(top_item, "expected 'clinic', 'calendar' or 'test', found '{word}'");
CALLPOLICY_ERROR(clinic_item, "unknown item '{word}' in clinic");
CALLPOLICY_ERROR(clinic_id, "expected a clinic id like smile-dental");
CALLPOLICY_ERROR(calendar_name, "expected a calendar name like ontario");
CALLPOLICY_ERROR(test_name, "expected the test's name as a string");
CALLPOLICY_ERROR(open_brace, "expected '{'");
CALLPOLICY_ERROR(clinic_close, "expected '}' to close the 'clinic' block");
CALLPOLICY_ERROR(calendar_close, "expected '}' to close the 'calendar' block");
CALLPOLICY_ERROR(test_close, "expected '}' to close the 'test' block");
CALLPOLICY_ERROR(numbers_close, "expected '}' to close the 'numbers' block");
CALLPOLICY_ERROR(hours_close, "expected '}' to close the 'hours' block");
CALLPOLICY_ERROR(holidays_close, "expected '}' to close the 'holidays' block");
CALLPOLICY_ERROR(special_close, "expected '}' to close the 'special' block");
CALLPOLICY_ERROR(schedule_close, "expected '}' to close the 'schedule' block");
CALLPOLICY_ERROR(route_close, "expected '}' to close the 'route' block");
CALLPOLICY_ERROR(ai_close, "expected '}' to close the 'ai' block");
CALLPOLICY_ERROR(forward_close, "expected '}' to close the 'forward' block");
CALLPOLICY_ERROR(voicemail_close, "expected '}' to close the 'voicemail' block");
CALLPOLICY_ERROR(busy_close, "expected '}' to close the 'busy' block");
CALLPOLICY_ERROR(string_literal, "expected a string in double quotes");
CALLPOLICY_ERROR(string_close, "expected '\"' to end the string on this line");
CALLPOLICY_ERROR(escaped_char, "unknown escape: a string allows \\\" \\\\ and \\n");
CALLPOLICY_ERROR(phone_list, "expected a phone number like +14165551234");
CALLPOLICY_ERROR(phone, "expected a phone number like +14165551234");
CALLPOLICY_ERROR(slug_list, "expected a SIP user like smile-dental");
CALLPOLICY_ERROR(slug, "expected a name like smile-dental");
CALLPOLICY_ERROR(window_list, "expected a window like 09:00-17:00");
CALLPOLICY_ERROR(window_end, "expected a time like 17:00 to end the window");
CALLPOLICY_ERROR(date_time_time, "expected a time like 10:00 after 'T'");
CALLPOLICY_ERROR(range_end, "expected a date like 2027-01-02 to end the range");
CALLPOLICY_ERROR(day_range_end, "expected a day (mon, tue, wed, thu, fri, sat, sun)");
CALLPOLICY_ERROR(day_range, "expected days like mon-fri or sat after ','");
CALLPOLICY_ERROR(window, "expected a window like 09:00-17:00 after ','");
CALLPOLICY_ERROR(day_set, "expected days like mon-fri, sat, daily, weekdays or weekends");
CALLPOLICY_ERROR(hours_line, "expected days and windows like 'mon-fri 09:00-17:00'");
CALLPOLICY_ERROR(holiday_entry, "expected a holiday: a date, a date range, 'yearly', 'easter', 'orthodox-easter' or 'use'");
CALLPOLICY_ERROR(yearly_spec, "expected MM-DD, a weekday like '1st mon of sep' or 'mon before 05-25' after 'yearly'");
CALLPOLICY_ERROR(beside_relation, "expected 'before' or 'after' and a day of the year, as in 'mon before 05-25'");
CALLPOLICY_ERROR(observed_shift, "expected a shift like 'sat -> fri' or 'sun -> mon' after 'observed'");
CALLPOLICY_ERROR(observed_arrow, "expected '->' and the weekday the holiday is kept on, as in 'sun -> mon'");
CALLPOLICY_ERROR(observed_target, "expected the weekday the holiday is kept on (mon, tue, wed, thu, fri, sat, sun)");
CALLPOLICY_ERROR(holiday_from_year, "expected a year like 2021 after 'from'");
CALLPOLICY_ERROR(holiday_until_year, "expected a year like 2030 after 'until'");
CALLPOLICY_ERROR(holiday_every_count, "expected a number of years after 'every', as in 'every 4 years'");
CALLPOLICY_ERROR(years_keyword, "expected 'years' after the count, as in 'every 4 years'");
CALLPOLICY_ERROR(ranged_rule, "expected a 'yearly', 'easter' or 'orthodox-easter' holiday after the years, as in 'from 2021 yearly 09-30'");
CALLPOLICY_ERROR(beside_anchor, "expected a day of the year like 05-25 or a weekday like '1st mon of nov' after 'before' or 'after'");
CALLPOLICY_ERROR(nth_weekday_day, "expected a day (mon, tue, wed, thu, fri, sat, sun)");
CALLPOLICY_ERROR(of_keyword, "expected 'of'");
CALLPOLICY_ERROR(month_name, "expected a month (jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec)");
CALLPOLICY_ERROR(special_entry, "expected a date or date range like 2026-12-31");
CALLPOLICY_ERROR(special_hours, "expected windows like 09:00-12:00 or 'closed'");
CALLPOLICY_ERROR(schedule_line, "expected 'enable' or 'disable'");
CALLPOLICY_ERROR(schedule_target, "expected days like mon-fri or a date like 2026-12-24");
CALLPOLICY_ERROR(integer, "expected a whole number");
CALLPOLICY_ERROR(duration, "expected a duration like 20s, 5m or 1h");
CALLPOLICY_ERROR(mode_name,
                 "expected a mode: always, after-hours-only, overflow-only, scheduled or disabled");
CALLPOLICY_ERROR(action_name, "expected an action: ai, voicemail, forward, busy, menu, callback or fallback");
CALLPOLICY_ERROR(rule_action, "expected an action: ai, voicemail, forward, busy, menu, callback or fallback");
CALLPOLICY_ERROR(step_action,
                 "expected an action: ai, voicemail, forward, busy, menu, callback, hangup or fallback");
CALLPOLICY_ERROR(rule_label, "expected the rule's label as a string after 'as'");
CALLPOLICY_ERROR(route_rule, "expected a condition or 'otherwise'");
CALLPOLICY_ERROR(arrow, "expected '->' and an action");
CALLPOLICY_ERROR(condition,
                 "expected a condition: holiday, open, closed, scheduled, overflow, calls, caller, "
                 "via, during, on, wait, to, not or '('");
CALLPOLICY_ERROR(negated_operand, "expected a condition after 'not'");
CALLPOLICY_ERROR(and_operand, "expected a condition after 'and'");
CALLPOLICY_ERROR(or_operand, "expected a condition after 'or'");
CALLPOLICY_ERROR(close_paren, "expected ')'");
CALLPOLICY_ERROR(too_deep, "conditions nest more than 256 levels deep (parentheses and 'not')");
CALLPOLICY_ERROR(compare_op, "expected a comparison: >=, >, <=, < or ==");
CALLPOLICY_ERROR(via_list, "expected ported, forwarded or sip");
CALLPOLICY_ERROR(via_name, "expected ported, forwarded or sip");
CALLPOLICY_ERROR(date_or_range, "expected a date like 2026-12-24 or a range like 2026-12-28..2027-01-02");
CALLPOLICY_ERROR(ai_item, "expected 'sip \"URI\"', 'redirect \"URL\"', 'timeout 15s', 'unavailable ACTION' or 'capacity N' in the 'ai' block");
CALLPOLICY_ERROR(forward_target, "expected a phone number like +14165550000 or '{'");
CALLPOLICY_ERROR(forward_item,
                 "expected 'say', 'timeout', 'unanswered', 'caller-id' or 'screen' in the 'forward' block");
CALLPOLICY_ERROR(menu_item,
                 "expected 'say', a key like '1 -> ai' (0-9 or *) or 'timeout 6s -> ACTION' in the "
                 "'menu' block");
CALLPOLICY_ERROR(menu_close, "expected '}' to close the 'menu' block");
CALLPOLICY_ERROR(callback_item,
                 "expected 'say', 'confirm', 'timeout 8s' or 'otherwise ACTION' (no '->') in the 'callback' block");
CALLPOLICY_ERROR(callback_close, "expected '}' to close the 'callback' block");
CALLPOLICY_ERROR(notify_url_item, "expected 'url \"https://...\"' in the 'notify' block");
CALLPOLICY_ERROR(notify_close, "expected '}' to close the 'notify' block");
CALLPOLICY_ERROR(caller_value, "expected a phone number like +14165550111 or 4165550111");
CALLPOLICY_ERROR(digits_value, "expected the key pressed, like 2, or 'none'");
CALLPOLICY_ERROR(dial_status,
                 "expected how the forward ended: no-answer, busy, failed, canceled or completed");
CALLPOLICY_ERROR(voicemail_item, "expected 'greeting' or 'max' in the 'voicemail' block");
CALLPOLICY_ERROR(busy_item, "expected 'say' or 'reject' in the 'busy' block");
CALLPOLICY_ERROR(numbers_item, "expected 'ported', 'forwarded' or 'sip' in the 'numbers' block");
CALLPOLICY_ERROR(test_item,
                 "unknown item '{word}' in test: expected clinic, at, calls, mean-call, caller, via, "
                 "digits, dial, ai, transfer, expect or reason");
CALLPOLICY_ERROR(date_time, "expected a date-time like 2026-12-24T10:00");

#undef CALLPOLICY_ERROR
// A nesting level raises as the rule it counts.
template <typename Rule>
inline constexpr std::string_view error_message<nested<Rule>> = error_message<Rule>;

// ---- The words each need<> point expects, for "did you mean" when the word
// found is close to one of them. Kept beside the rules they name.
template <typename Rule>
inline constexpr std::array<std::string_view, 0> expected_words{};

#define CALLPOLICY_WORDS(rule, ...)                                                         \
  template <>                                                                               \
  inline constexpr auto expected_words<rule> = std::to_array<std::string_view>({__VA_ARGS__})

template <typename Rule>
inline constexpr auto expected_words<nested<Rule>> = expected_words<Rule>;

CALLPOLICY_WORDS(top_item, "clinic", "calendar", "test");
CALLPOLICY_WORDS(clinic_item, "name", "timezone", "language", "voice", "numbers", "hours", "holidays", "special",
                 "overflow", "schedule", "mode", "fallback", "route", "ai", "forward", "menu", "region", "voicemail",
                 "busy", "unreachable", "transfer", "callback", "lines", "notify");
CALLPOLICY_WORDS(numbers_item, "ported", "forwarded", "sip");
CALLPOLICY_WORDS(holiday_entry, "use", "yearly", "easter", "orthodox-easter", "from", "until");
CALLPOLICY_WORDS(mode_name, "always", "after-hours-only", "overflow-only", "scheduled", "disabled");
CALLPOLICY_WORDS(action_name, "ai", "voicemail", "forward", "busy", "menu", "callback", "fallback");
CALLPOLICY_WORDS(rule_action, "ai", "voicemail", "forward", "busy", "menu", "callback", "fallback");
CALLPOLICY_WORDS(step_action, "ai", "voicemail", "forward", "busy", "menu", "callback", "hangup", "fallback");
CALLPOLICY_WORDS(route_rule, "otherwise", "holiday", "open", "closed", "scheduled", "overflow", "calls", "caller",
                 "via", "during", "on", "wait", "to", "not");
CALLPOLICY_WORDS(condition, "holiday", "open", "closed", "scheduled", "overflow", "calls", "caller", "via",
                 "during", "on", "wait", "to", "not");
CALLPOLICY_WORDS(negated_operand, "holiday", "open", "closed", "scheduled", "overflow", "calls", "caller", "via",
                 "during", "on", "wait", "to");
CALLPOLICY_WORDS(and_operand, "holiday", "open", "closed", "scheduled", "overflow", "calls", "caller", "via",
                 "during", "on", "wait", "to", "not");
CALLPOLICY_WORDS(or_operand, "holiday", "open", "closed", "scheduled", "overflow", "calls", "caller", "via",
                 "during", "on", "wait", "to", "not");
CALLPOLICY_WORDS(via_list, "ported", "forwarded", "sip");
CALLPOLICY_WORDS(via_name, "ported", "forwarded", "sip");
CALLPOLICY_WORDS(day_set, "mon", "tue", "wed", "thu", "fri", "sat", "sun", "daily", "weekdays", "weekends");
CALLPOLICY_WORDS(month_name, "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
CALLPOLICY_WORDS(schedule_line, "enable", "disable");
CALLPOLICY_WORDS(special_hours, "closed");
CALLPOLICY_WORDS(ai_item, "sip", "redirect", "timeout", "unavailable", "capacity");
CALLPOLICY_WORDS(forward_item, "say", "timeout", "unanswered", "caller-id", "screen");
CALLPOLICY_WORDS(voicemail_item, "greeting", "max");
CALLPOLICY_WORDS(busy_item, "say", "reject");
CALLPOLICY_WORDS(menu_item, "say", "timeout");
CALLPOLICY_WORDS(callback_item, "say", "confirm", "timeout", "otherwise");
CALLPOLICY_WORDS(notify_url_item, "url");
CALLPOLICY_WORDS(test_item, "clinic", "at", "calls", "mean-call", "caller", "via", "digits", "dial", "ai", "transfer", "expect",
                 "reason");
CALLPOLICY_WORDS(dial_status, "no-answer", "busy", "failed", "canceled", "completed");

#undef CALLPOLICY_WORDS

template <>
inline constexpr std::string_view error_code<escaped_char> = "E008";
template <>
inline constexpr std::string_view error_code<too_deep> = "E014";

}  // namespace callpolicy::grammar
