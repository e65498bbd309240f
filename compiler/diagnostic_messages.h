// What the compiler says, as data: one row per message, with the kind it
// reports (its code and severity, model/diagnostic.h), its text and up to two
// notes. A call site names a row and gives its arguments; it never composes
// words. Text and notes are fmt format strings over the same arguments (a
// note may use arguments the text does not: "{1}:{2}"), checked when the call
// site compiles, so a row and its callers cannot disagree on the arguments.
//
// The parser's syntax errors are the grammar's own table
// (grammar/policy_errors.h); `syntax_error` carries its text.
//
// Messages are lower case, with no final period, and 'quote' what the policy
// wrote (tests/compiler/diagnostic_catalogue_test.cpp holds them to it).
#pragma once

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "model/diagnostic.h"

namespace callpolicy {

struct diagnostic_message {
  const diagnostic_kind& kind;
  std::string_view name;
  std::string_view text;
  std::array<std::string_view, 2> notes;
};

// X(name, kind, text, first note, second note); "" for no note.
#define CALLPOLICY_MESSAGES(X) \
  /* Values and blocks as written (the AST builder). */ \
  X(syntax_error, syntax, "{}", "", "") \
  X(number_too_large, syntax, "'{}' is too large", "", "") \
  X(not_a_time_of_day, bad_time, "'{}' is not a time of day (00:00 to 23:59)", "", "") \
  X(midnight_not_window_end, bad_time, "24:00 is only allowed as the end of a window", "", "") \
  X(seconds_out_of_range, bad_time, "'{}' has more than 59 seconds", "", "") \
  X(not_a_utc_offset, bad_time, "'{}' is not a UTC offset", "", "") \
  X(not_a_date, bad_date, "'{}' is not a date of the calendar", "", "") \
  X(not_a_day_of_the_year, bad_date, "'{}' is not a day of the year", "", "") \
  X(easter_offset_too_far, bad_date, "'easter {}' is more than {} days from Easter", "", "") \
  X(observed_moves_nothing, bad_date, "'{} -> {}' keeps the holiday on its own day", "", "") \
  X(observed_day_twice, bad_date, "'{}' is shifted twice in one 'observed'", "", "") \
  X(years_end_before_start, bad_date_range, "'from {} until {}' ends before it starts", "", "") \
  X(year_before_gregorian, bad_date_range, "'{}' is before 1583, the first whole year of the Gregorian calendar", "", "") \
  X(every_years_without_start, bad_date_range, "'every {0} years' counts from a year", "write the first one: 'from 2024 every {0} years'", "") \
  X(every_years_out_of_range, bad_date_range, "'every {} years' repeats every 2 to 100 years", "", "") \
  X(not_e164, bad_number, "'{}' is not an E.164 number: '+' then 8 to 15 digits, the first not 0", "", "") \
  X(empty_window, bad_window, "window '{}' is empty: its start and end are the same", \
    "for a whole day write 00:00-24:00", "") \
  X(duration_out_of_range, bad_duration, "duration '{}' must be more than 0s and at most 24h", "", "") \
  X(range_ends_before_start, bad_date_range, "range '{}..{}' ends before it starts", "", "") \
  X(invalid_utf8, bad_string, "string is not valid UTF-8", "", "") \
  X(item_given_twice, duplicate_item, "'{}' is given twice; the first stays", "", "") \
  X(item_given_twice_at, duplicate_item, "'{0}' is given twice; the first stays", "first given at {1}:{2}", "") \
  X(say_given_twice, duplicate_item, "'say' is given twice in the '{}' block; the first stays", "", "") \
  X(ai_target_given_twice, duplicate_item, "the 'ai' block takes one 'sip' or one 'redirect'; the first stays", "", \
    "") \
  X(reject_given_twice, duplicate_item, "'reject' is given twice", "", "") \
  X(second_clinic_in_file, second_clinic, "a file holds at most one clinic; '{0}' is the second here", \
    "'{1}' is defined at {2}:{3}", "") \
  /* One clinic (the clinic compiler). */ \
  X(no_timezone, missing_time_zone, "clinic '{}' has no timezone", "add a line like: timezone \"America/Toronto\"", \
    "") \
  X(unknown_zone, unknown_time_zone, "unknown time zone '{}'", "", "") \
  X(zone_is_fixed_offset, legacy_time_zone, "'{}' is a fixed offset that never changes for daylight saving time", \
    "", "") \
  X(zone_is_posix, legacy_time_zone, "'{}' is a legacy POSIX zone that follows no place's own history", "", "") \
  X(zone_is_inverted_offset, legacy_time_zone, \
    "'{}' is a fixed offset with no daylight saving time, and its sign is inverted (Etc/GMT+5 is UTC-05:00)", "", "") \
  X(zone_is_old_name, legacy_time_zone, "'{}' is an old name kept for compatibility", "", "") \
  X(day_given_again, duplicate_day, "'{0}' is given again; this line replaces the earlier one", "earlier at {1}", "") \
  X(special_range_too_long_here, special_range_too_long, \
    "special range '{}' covers {} days; a special range covers at most {}", \
    "for a longer closure, use a holiday range", "") \
  X(unreachable_cannot_be, unreachable_needs_the_server, \
    "'unreachable' cannot be '{}': with no server to answer, a call can only be forwarded, take a message or " \
    "hear the busy message", \
    "name forward, voicemail or busy", "") \
  X(forward_not_configured, action_not_configured, "'forward' is used but the clinic has no forward number", \
    "add a line like: forward +14165550000", "") \
  X(menu_not_configured, action_not_configured, "'menu' is used but the clinic has no 'menu' block", \
    "add a block like: menu {{ say \"Press 1 for our assistant.\" 1 -> ai }}", "") \
  X(menu_without_keys, empty_menu, "the menu maps no key", "add lines like: 1 -> ai", "") \
  X(menu_key_mapped_twice, duplicate_menu_key, "key {0} is mapped twice in the menu", "first mapped at {1}", "") \
  X(menu_leads_to_menu, menu_names_menu, "{} cannot be 'menu'", \
    "a menu never leads to itself; name ai, voicemail, forward, busy or hangup", "") \
  X(menu_leads_to_menu_by_fallback, menu_names_menu, "{} cannot be 'menu' (the clinic's fallback)", \
    "a menu never leads to itself; name ai, voicemail, forward, busy or hangup", "") \
  X(ai_unavailable_is_ai, ai_unavailable_by_ai, "{} cannot be 'ai'", \
    "an AI that cannot be reached goes on to voicemail, forward, busy, menu or hangup", "") \
  X(ai_unavailable_is_ai_by_fallback, ai_unavailable_by_ai, "{} cannot be 'ai' (the clinic's fallback)", \
    "an AI that cannot be reached goes on to voicemail, forward, busy, menu or hangup", "") \
  X(forward_unanswered_is_forward, forward_unanswered_by_forward, "{} cannot be 'forward'", \
    "a forward nobody answers goes on to ai, voicemail, busy, menu or hangup", "") \
  X(forward_unanswered_is_forward_by_fallback, forward_unanswered_by_forward, \
    "{} cannot be 'forward' (the clinic's fallback)", \
    "a forward nobody answers goes on to ai, voicemail, busy, menu or hangup", "") \
  X(callback_otherwise_loops, callback_loop, "the callback offer's 'otherwise' cannot be '{}'", \
    "silence at a callback offer goes on to ai, voicemail, forward, busy or hangup", "") \
  X(callback_otherwise_loops_by_fallback, callback_loop, \
    "the callback offer's 'otherwise' cannot be '{}' (the clinic's fallback)", \
    "silence at a callback offer goes on to ai, voicemail, forward, busy or hangup", "") \
  X(notify_url_not_http, bad_notify_url, "'{}' is not an http:// or https:// URL with a host", \
    "deliveries are POSTed to it: notify {{ url \"https://desk.example.com/hooks/callpolicy\" }}", "") \
  X(unknown_region_code, unknown_region, \
    "unknown region '{}': expected a two-letter country code like \"CA\" or \"US\"", "", "") \
  X(ai_takes_no_call, ai_capacity_zero, \
    "an AI with 'capacity 0' takes no call; to keep the AI from answering, use 'mode disabled'", "", "") \
  X(forward_to_own_number, forward_loop, \
    "forward to '{}', one of the clinic's own numbers, would call the clinic again", "", "") \
  X(sip_forward_without_caller_id, forward_without_caller_id, \
    "calls over SIP are forwarded to '{}' without a caller ID Twilio accepts", \
    "a PBX's caller is a SIP address and the clinic has no number of its own; Twilio refuses the <Dial> (error " \
    "13214)", \
    "add 'caller-id +1...' with a Twilio or verified number") \
  X(unknown_calendar_name, unknown_calendar, "unknown calendar '{}'", "", "") \
  X(calendars_in_a_cycle, calendar_cycle, "calendar cycle: {}", "", "") \
  X(calendar_chain_too_long, calendar_too_deep, \
    "calendar '{}' is used through more than {} calendars in a chain from '{}'", "", "") \
  /* Modes, routes and transfers. */ \
  X(to_outside_transfer_block, to_outside_transfer, \
    "'to' tests where the AI transfers a call: it belongs in the 'transfer' block", \
    "a call's own number is what 'numbers' matches; its caller is 'caller'", "") \
  X(overflow_needs_threshold, overflow_without_threshold, \
    "'overflow' needs a threshold: add 'overflow N' to the clinic", "", "") \
  X(overflow_mode_needs_threshold, overflow_without_threshold, \
    "mode 'overflow-only' needs a threshold: add 'overflow N' to the clinic", "", "") \
  X(wait_needs_lines, wait_without_lines, \
    "'wait' needs the staff's lines: add 'lines N' (or 'overflow N') to the clinic", \
    "the estimate is max(0, calls - lines + 1) x the mean call length / lines", "") \
  X(zero_lines, wait_without_lines, "'lines 0' leaves no line to answer; the estimated wait needs at least one", "", \
    "") \
  X(scheduled_needs_schedule, scheduled_without_schedule, "'scheduled' needs a 'schedule' block in the clinic", "", \
    "") \
  X(scheduled_mode_needs_schedule, scheduled_without_schedule, \
    "mode 'scheduled' needs a 'schedule' block in the clinic", "", "") \
  X(fallback_names_fallback, fallback_is_fallback, \
    "'fallback' must name an action: ai, voicemail, forward, busy or menu", "", "") \
  X(mode_beside_route, mode_and_route, "a clinic has 'mode' or 'route', not both", "'mode' is given at {}", "") \
  X(route_without_otherwise, missing_otherwise, "the route has no 'otherwise' rule; add one as its last line", "", \
    "") \
  X(otherwise_not_last_in_route, otherwise_not_last, "'otherwise' must be the last rule of the route", \
    "{} rule(s) after it could never decide", "") \
  X(otherwise_not_last_in_transfer, otherwise_not_last, "'otherwise' must be the last rule of the transfer block", \
    "{} rule(s) after it could never decide", "") \
  X(no_fallback_given, default_fallback, "clinic '{}' gives no 'fallback'; voicemail answers when the AI does not", \
    "add 'fallback voicemail' (or forward, busy) to make the choice explicit", "") \
  X(transfer_back_to_ai, transfer_loop, "a transfer from the AI cannot go back to the AI", \
    "name forward, voicemail, busy or menu", "") \
  X(transfer_back_to_ai_by_fallback, transfer_loop, \
    "a transfer from the AI cannot go back to the AI (the clinic's fallback)", \
    "name forward, voicemail, busy or menu", "") \
  X(transfer_forward_loops, transfer_loop, "this transfer's forward would loop back to the AI", \
    "the forward's 'unanswered' is 'ai': a transfer nobody answers would go back to the AI that gave it up", "") \
  /* The set and its tests. */ \
  X(clinic_defined_twice, duplicate_clinic, "clinic '{0}' is defined twice", "first defined at {1}", "") \
  X(number_claimed_twice, duplicate_number, "number '{0}' is claimed twice", "first claimed at {1}", "") \
  X(sip_user_claimed_twice, duplicate_sip_user, "SIP user '{0}' is claimed twice", "first claimed at {1}", "") \
  X(calendar_defined_twice, duplicate_calendar, "calendar '{0}' is defined twice", "first defined at {1}", "") \
  X(calendar_named_as_built_in, duplicate_calendar, "calendar '{0}' has the name of a built-in calendar", \
    "built in at {1} ('callpolicy calendars show {0}' lists its days)", \
    "give this calendar another name; to add days to the built-in one, 'use {0}' in it") \
  X(file_declares_nothing, empty_file, "the file declares nothing: no clinic, calendar or test", \
    "a clinic is removed by deleting its file; an empty file is taken for one cut short", "") \
  X(set_without_files, empty_set, \
    "the set holds no policy file and no clinic: every call would hear 'this number is not in service'", \
    "pass --allow-empty if a set without clinics is meant", "") \
  X(set_without_clinics, empty_set, "the set holds no clinic: every call would hear 'this number is not in service'", \
    "pass --allow-empty if a set without clinics is meant", "") \
  X(test_clinic_not_inferred, test_needs_clinic, \
    "test \"{}\" must name its clinic: its file holds none and the set holds {}", "", "") \
  X(test_names_unknown_clinic, test_unknown_clinic, "test \"{}\" names unknown clinic '{}'", "", "") \
  X(test_needs_at_and_expect, test_incomplete, "test \"{}\" needs 'at' and 'expect'", "", "") \
  X(test_needs_at, test_incomplete, "test \"{}\" needs 'at'", "", "") \
  X(test_needs_expect, test_incomplete, "test \"{}\" needs 'expect'", "", "") \
  X(not_a_phone_number, bad_caller, \
    "{} '{}' is not a phone number in E.164 (the clinic has no region for national forms)", "", "") \
  X(not_a_phone_number_in_region, bad_caller, \
    "{} '{}' is not a phone number in E.164 or in the national form of {}", "", "") \
  X(local_time_in_gap, test_time_nonexistent, "local time does not exist in '{}' (a daylight-saving gap)", "", "") \
  X(local_time_repeated, ambiguous_time, "local time occurs twice in '{}'; the earlier instant is used", "", "") \
  /* Lints. */ \
  X(windows_overlap, overlapping_windows, "window '{}' overlaps '{}'", "merge them into one window", "") \
  X(window_spills_into_next_day, overlapping_windows, "window '{}' on {} runs past midnight into '{}' on {}", "", \
    "") \
  X(holiday_on_a_closed_day, holiday_on_closed_day, "holiday '{}' falls on a day the clinic is closed anyway", \
    "it changes nothing unless the hours change", "") \
  X(holidays_on_closed_days, holiday_on_closed_day, "holiday '{}' falls on days the clinic is closed anyway", \
    "it changes nothing unless the hours change", "") \
  X(every_date_past, past_dates, "every dated entry of clinic '{}' is in the past (before {})", \
    "add this year's dates, or remove the old ones", "") \
  X(setting_never_read, unused_setting, "{0} never reads '{1}'", \
    "{2}; remove it, or use a route that reads it (e.g. 'closed -> ai')", "") \
  X(clinic_without_numbers, no_numbers, "clinic '{}' has no numbers: no call ever reaches it", \
    "add a 'numbers' block: ported, forwarded or sip", "") \
  X(rule_never_holds, unreachable_rule, "{} can never decide: its condition never holds", \
    "check the numbers and windows it names", "") \
  X(rule_covered_by_earlier, unreachable_rule, "{} can never decide: earlier rules decide every call it matches", \
    "move it before the rules that cover it, or remove it", "") \
  X(schedule_line_overridden, shadowed_schedule, \
    "this schedule line never decides: later lines override every minute it covers", \
    "the last matching line wins; move it after the lines that override it, or remove it", "") \
  X(clinic_never_answered, never_answered, \
    "no call to clinic '{}' is ever answered in an ordinary week: every call ends in voicemail, a busy message or " \
    "a menu that leads to neither", \
    "a call counts as answered when it goes to the AI or is forwarded to staff, directly or through a menu key", \
    "") \
  X(clinic_too_large_to_lint, lints_skipped, \
    "clinic '{}' is too large to lint exactly ({:.0f} classes of call, {:.0f} terms); unreachable rules and " \
    "never-answered weeks were not checked", \
    "a list ('caller A, B, C', 'calls >= N') says in one term what many rules say in many", "")

namespace messages {
#define CALLPOLICY_MESSAGE(name, kind, text, note, second_note) \
  inline constexpr diagnostic_message name{codes::kind, #name, text, {note, second_note}};
CALLPOLICY_MESSAGES(CALLPOLICY_MESSAGE)
#undef CALLPOLICY_MESSAGE

// Notes a call site adds when it has them: suggestions and places.
inline constexpr std::string_view did_you_mean = "did you mean '{}'?";
inline constexpr std::string_view use_zone_instead = "use the place's own zone, e.g. '{}'";
inline constexpr std::string_view loaded_calendars = "the loaded calendars are {}";
inline constexpr std::string_view unanswered_given_at = "'unanswered' is given at {}";
}  // namespace messages

#define CALLPOLICY_MESSAGE_ROW(name, kind, text, note, second_note) &messages::name,
inline constexpr const diagnostic_message* message_table[] = {CALLPOLICY_MESSAGES(CALLPOLICY_MESSAGE_ROW)};
#undef CALLPOLICY_MESSAGE_ROW

// Reports message M at `where` with its arguments; the diagnostic, for a
// call site that adds a note of its own.
template <const diagnostic_message& M, typename... Args>
diagnostic& report(diagnostic_sink& sink, location where, const Args&... args) {
  diagnostic d{std::string(M.kind.code), M.kind.level, std::move(where), fmt::format(M.text, args...), {}};
  if constexpr (!M.notes[0].empty()) d.notes.push_back(fmt::format(M.notes[0], args...));
  if constexpr (!M.notes[1].empty()) d.notes.push_back(fmt::format(M.notes[1], args...));
  return sink.report(std::move(d));
}

}  // namespace callpolicy
