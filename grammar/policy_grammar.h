// The policy language (docs/language.md) as a PEGTL grammar: syntax only. Every rule
// is a named struct so that the parser can select it into a parse tree and so
// that each `must<>` point has its own message (grammar/policy_errors.h). Values
// are matched by shape only (a time is two digits, a colon, two digits); the
// parser checks ranges (25:00) and reports them with their own codes.
//
// Recovery: every item of a block is tried under try_catch; on a syntax error
// the parser records it (see the control in compiler/parser.cpp) and
// skip_item consumes the rest of the offending item, so one file reports
// several errors and one mistake reports one diagnostic.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

namespace callpolicy::grammar {

namespace pegtl = tao::pegtl;
using namespace tao::pegtl;  // NOLINT: rule vocabulary

// ---- Lexical

struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};
struct blank : sor<plus<space>, comment> {};
struct sp : star<blank> {};

// '-' continues a word (after-hours-only) unless it starts an arrow.
struct word_char : sor<alnum, one<'_'>, seq<one<'-'>, not_at<one<'>'>>>> {};
template <typename Word>
struct word : seq<Word, not_at<word_char>> {};

// Like must<R>, but the error points where R was expected to start: must<>
// lets a partial match advance the input before raising.
template <typename Rule>
struct need : sor<Rule, raise<Rule>> {};

// A keyword that may be followed by '-' (days in `mon-fri`); WORD may not.
#define CALLPOLICY_KW(x) TAO_PEGTL_KEYWORD(x)
#define CALLPOLICY_WORD(x) word<TAO_PEGTL_STRING(x)>

struct slug : seq<ranges<'a', 'z', '0', '9'>, star<ranges<'a', 'z', '0', '9', '-', '-'>>> {};

struct escaped_char : one<'"', '\\', 'n'> {};
struct escape : seq<one<'\\'>, need<escaped_char>> {};
struct string_char : sor<escape, not_one<'"', '\\', '\n', '\r'>> {};
struct string_close : one<'"'> {};
struct string_literal : seq<one<'"'>, star<string_char>, need<string_close>> {};

struct phone : seq<one<'+'>, star<digit>> {};
struct integer : seq<plus<digit>, not_at<word_char>> {};
struct duration : seq<plus<digit>, one<'s', 'm', 'h'>, not_at<word_char>> {};

struct time_value : seq<digit, digit, one<':'>, digit, digit> {};
struct window_end : time_value {};
struct window : seq<time_value, one<'-'>, need<window_end>> {};

struct date_value : seq<rep<4, digit>, one<'-'>, rep<2, digit>, one<'-'>, rep<2, digit>> {};
struct range_end : date_value {};
struct date_or_range : seq<date_value, opt<two<'.'>, need<range_end>>> {};

struct comma : one<','> {};
template <typename Item>
struct comma_list : seq<Item, star<star<blank>, comma, star<blank>, need<Item>>> {};

struct day_name : sor<CALLPOLICY_KW("mon"), CALLPOLICY_KW("tue"), CALLPOLICY_KW("wed"),
                      CALLPOLICY_KW("thu"), CALLPOLICY_KW("fri"), CALLPOLICY_KW("sat"),
                      CALLPOLICY_KW("sun")> {};
struct day_range_end : day_name {};
struct day_range : seq<day_name, opt<one<'-'>, need<day_range_end>>> {};
struct days_daily : CALLPOLICY_WORD("daily") {};
struct days_weekdays : CALLPOLICY_WORD("weekdays") {};
struct days_weekends : CALLPOLICY_WORD("weekends") {};
struct day_set : sor<days_daily, days_weekdays, days_weekends, comma_list<day_range>> {};

struct window_list : comma_list<window> {};
struct phone_list : comma_list<phone> {};
struct slug_list : comma_list<slug> {};

struct action_name : sor<CALLPOLICY_WORD("ai"), CALLPOLICY_WORD("voicemail"),
                         CALLPOLICY_WORD("forward"), CALLPOLICY_WORD("busy"),
                         CALLPOLICY_WORD("menu"), CALLPOLICY_WORD("callback"),
                         CALLPOLICY_WORD("fallback")> {};
// What may follow a first answer (a forward nobody picks up, a menu key):
// any action, or ending the call.
struct step_action : sor<action_name, CALLPOLICY_WORD("hangup")> {};
struct via_name : sor<CALLPOLICY_WORD("ported"), CALLPOLICY_WORD("forwarded"),
                      CALLPOLICY_WORD("sip")> {};
struct via_list : comma_list<via_name> {};
struct mode_name : sor<CALLPOLICY_WORD("always"), CALLPOLICY_WORD("after-hours-only"),
                       CALLPOLICY_WORD("overflow-only"), CALLPOLICY_WORD("scheduled"),
                       CALLPOLICY_WORD("disabled")> {};

// ---- Nesting: parentheses and `not` recurse in the grammar, and so would
// everything that walks what they build; past max_nesting levels the parser
// raises too_deep instead of running out of stack. The count is per thread
// (a parse runs on one) and is restored when a level is left by an error too.
inline constexpr std::size_t max_nesting = 256;
inline thread_local std::size_t nesting_level = 0;
struct too_deep : failure {};

template <typename Rule>
struct nested {
  using rule_t = nested;
  using subs_t = type_list<Rule>;

  template <apply_mode A, rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    if (nesting_level >= max_nesting) Control<too_deep>::raise(in, st...);
    ++nesting_level;
    struct leave {
      ~leave() { --nesting_level; }
    } on_exit;
    return Control<Rule>::template match<A, M, Action, Control>(in, st...);
  }
};

// ---- Recovery: the rest of an item, braces balanced, strings skipped. Stops
// at the end of a line outside any brace, or before a '}' that closes the
// enclosing block.
struct skip_item {
  using rule_t = skip_item;
  using subs_t = empty_list;

  template <apply_mode, rewind_mode, template <typename...> class, template <typename...> class,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... /*unused*/) {
    int depth = 0;
    bool in_string = false;
    std::size_t consumed = 0;
    while (!in.empty()) {
      const char c = in.peek_char();
      if (in_string) {
        if (c == '\n') {
          in_string = false;
          if (depth <= 0) break;
        } else if (c == '\\' && in.size(2) >= 2) {
          in.bump(1);
          ++consumed;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '#') {
        while (!in.empty() && in.peek_char() != '\n') {
          in.bump(1);
          ++consumed;
        }
        continue;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (depth == 0) break;
        --depth;
        if (depth == 0) {
          in.bump(1);
          ++consumed;
          break;
        }
      } else if (c == '\n' && depth <= 0) {
        break;
      }
      in.bump(1);
      ++consumed;
    }
    return consumed != 0;
  }
};

template <typename Item>
struct guarded : sor<try_catch<need<Item>>, skip_item> {};

// Items of a block until its closing brace, each guarded.
template <typename Item, typename Close>
struct block_body
    : seq<one<'{'>, sp, star<not_at<one<'}'>>, not_at<eof>, guarded<Item>, sp>, need<Close>> {};

struct open_brace : one<'{'> {};

// ---- Numbers, hours, holidays, special, schedule

struct numbers_ported : seq<CALLPOLICY_WORD("ported"), sp, need<phone_list>> {};
struct numbers_forwarded : seq<CALLPOLICY_WORD("forwarded"), sp, need<phone_list>> {};
struct numbers_sip : seq<CALLPOLICY_WORD("sip"), sp, need<slug_list>> {};
struct numbers_item : sor<numbers_ported, numbers_forwarded, numbers_sip> {};
struct numbers_close : one<'}'> {};
struct numbers_block
    : seq<CALLPOLICY_WORD("numbers"), sp, at<need<open_brace>>, block_body<numbers_item, numbers_close>> {};

struct hours_line : seq<day_set, sp, need<window_list>> {};
struct hours_close : one<'}'> {};
struct hours_block
    : seq<CALLPOLICY_WORD("hours"), sp, at<need<open_brace>>, block_body<hours_line, hours_close>> {};

struct ordinal : sor<CALLPOLICY_WORD("1st"), CALLPOLICY_WORD("2nd"), CALLPOLICY_WORD("3rd"),
                     CALLPOLICY_WORD("4th"), CALLPOLICY_WORD("5th"), CALLPOLICY_WORD("last")> {};
struct month_name
    : sor<CALLPOLICY_WORD("jan"), CALLPOLICY_WORD("feb"), CALLPOLICY_WORD("mar"),
          CALLPOLICY_WORD("apr"), CALLPOLICY_WORD("may"), CALLPOLICY_WORD("jun"),
          CALLPOLICY_WORD("jul"), CALLPOLICY_WORD("aug"), CALLPOLICY_WORD("sep"),
          CALLPOLICY_WORD("oct"), CALLPOLICY_WORD("nov"), CALLPOLICY_WORD("dec")> {};
struct nth_weekday_day : day_name {};
struct of_keyword : CALLPOLICY_WORD("of") {};
struct nth_weekday : seq<ordinal, sp, need<nth_weekday_day>, sp, need<of_keyword>, sp, need<month_name>> {};
struct month_day : seq<digit, digit, one<'-'>, digit, digit, not_at<word_char>> {};
// `mon before 05-25`: the nearest such weekday strictly before (or after) the
// anchor, a date or a weekday of a month (`1st tue after 1st mon of nov`).
struct beside_day : day_name {};
struct beside_before : CALLPOLICY_WORD("before") {};
struct beside_after : CALLPOLICY_WORD("after") {};
struct beside_anchor : sor<month_day, nth_weekday> {};
struct beside_relation : sor<beside_before, beside_after> {};
struct weekday_beside : seq<beside_day, sp, need<beside_relation>, sp, need<beside_anchor>> {};
// `2nd mon after 05-01`: which such weekday, counted from the anchor. Told
// from `2nd mon of may` by the word after the weekday.
struct beside_ordinal : sor<CALLPOLICY_WORD("1st"), CALLPOLICY_WORD("2nd"), CALLPOLICY_WORD("3rd"),
                            CALLPOLICY_WORD("4th"), CALLPOLICY_WORD("5th")> {};
struct counted_beside : seq<at<beside_ordinal, sp, day_name, sp, beside_relation>, beside_ordinal, sp, weekday_beside> {};
struct yearly_spec : sor<month_day, counted_beside, nth_weekday, weekday_beside> {};
struct holiday_label : string_literal {};
struct holiday_use : seq<CALLPOLICY_WORD("use"), sp, need<slug>> {};
// `observed sat -> mon, sun -> tue`: the weekday a holiday on that day is kept on.
struct observed_day : day_name {};
struct observed_target : day_name {};
struct observed_arrow : string<'-', '>'> {};
struct observed_shift : seq<observed_day, sp, need<observed_arrow>, sp, need<observed_target>> {};
struct holiday_observed
    : seq<CALLPOLICY_WORD("observed"), sp, need<observed_shift>, star<sp, one<','>, sp, need<observed_shift>>> {};
struct holiday_yearly
    : seq<CALLPOLICY_WORD("yearly"), sp, need<yearly_spec>, opt<sp, holiday_label>, opt<sp, holiday_observed>> {};
struct holiday_dated : seq<date_or_range, opt<sp, holiday_label>> {};
// `easter -2 "Good Friday"`: days from Western Easter Sunday.
struct easter_offset : seq<one<'+', '-'>, plus<digit>, not_at<word_char>> {};
struct easter_orthodox : CALLPOLICY_WORD("orthodox-easter") {};
struct holiday_easter : seq<sor<CALLPOLICY_WORD("easter"), easter_orthodox>, opt<sp, easter_offset>, opt<sp, holiday_label>,
                            opt<sp, holiday_observed>> {};
// `from 2021 until 2030 yearly 09-30 "…"`: the years a rule holds in.
struct holiday_year : seq<digit, digit, digit, digit, not_at<word_char>> {};
struct holiday_from_year : holiday_year {};
struct holiday_until_year : holiday_year {};
struct holiday_from : seq<CALLPOLICY_WORD("from"), sp, need<holiday_from_year>> {};
struct holiday_until : seq<CALLPOLICY_WORD("until"), sp, need<holiday_until_year>> {};
// `from 2024 every 4 years`: every that many years, counted from `from`.
struct holiday_every_count : integer {};
struct years_keyword : CALLPOLICY_WORD("years") {};
struct holiday_every : seq<CALLPOLICY_WORD("every"), sp, need<holiday_every_count>, sp, need<years_keyword>> {};
struct ranged_rule : sor<holiday_yearly, holiday_easter> {};
struct holiday_years : seq<sor<seq<holiday_from, opt<sp, holiday_until>, opt<sp, holiday_every>>,
                               seq<holiday_until, opt<sp, holiday_every>>, holiday_every>,
                           sp, need<ranged_rule>> {};
struct holiday_entry : sor<holiday_use, holiday_years, holiday_yearly, holiday_easter, holiday_dated> {};
struct holidays_close : one<'}'> {};
struct holidays_block : seq<CALLPOLICY_WORD("holidays"), sp, at<need<open_brace>>,
                            block_body<holiday_entry, holidays_close>> {};

struct closed_keyword : CALLPOLICY_WORD("closed") {};
struct special_hours : sor<closed_keyword, window_list> {};
struct special_entry : seq<date_or_range, sp, need<special_hours>> {};
struct special_close : one<'}'> {};
struct special_block : seq<CALLPOLICY_WORD("special"), sp, at<need<open_brace>>,
                           block_body<special_entry, special_close>> {};

struct schedule_enable : CALLPOLICY_WORD("enable") {};
struct schedule_disable : CALLPOLICY_WORD("disable") {};
struct schedule_target : sor<date_or_range, day_set> {};
struct schedule_line : seq<sor<schedule_enable, schedule_disable>, sp, need<schedule_target>,
                           opt<sp, window_list>> {};
struct schedule_close : one<'}'> {};
struct schedule_block : seq<CALLPOLICY_WORD("schedule"), sp, at<need<open_brace>>,
                            block_body<schedule_line, schedule_close>> {};

// ---- Conditions: `not` binds tighter than `and`, `and` tighter than `or`.

struct condition;
struct cond_holiday : CALLPOLICY_WORD("holiday") {};
struct cond_open : CALLPOLICY_WORD("open") {};
struct cond_closed : CALLPOLICY_WORD("closed") {};
struct cond_scheduled : CALLPOLICY_WORD("scheduled") {};
struct cond_overflow : CALLPOLICY_WORD("overflow") {};
struct compare_op : sor<string<'>', '='>, string<'<', '='>, string<'=', '='>, one<'>'>, one<'<'>> {};
struct cond_calls : seq<CALLPOLICY_WORD("calls"), sp, need<compare_op>, sp, need<integer>> {};
struct cond_caller : seq<CALLPOLICY_WORD("caller"), sp, need<phone_list>> {};
struct cond_via : seq<CALLPOLICY_WORD("via"), sp, need<via_list>> {};
struct cond_during : seq<CALLPOLICY_WORD("during"), sp, need<day_set>, sp, need<window_list>> {};
struct cond_on : seq<CALLPOLICY_WORD("on"), sp, need<date_or_range>> {};
// The estimated wait for the staff's lines (docs/language.md, "Estimated wait").
struct cond_wait : seq<CALLPOLICY_WORD("wait"), sp, need<compare_op>, sp, need<duration>> {};
// The target of the AI's transfer; the compiler allows it only in a `transfer` block.
struct cond_to : seq<CALLPOLICY_WORD("to"), sp, need<phone_list>> {};
struct close_paren : one<')'> {};
struct paren_condition : seq<one<'('>, sp, need<condition>, sp, need<close_paren>> {};
struct nested_paren_condition : nested<paren_condition> {};
struct cond_atom : sor<nested_paren_condition, cond_holiday, cond_open, cond_closed, cond_scheduled,
                       cond_overflow, cond_calls, cond_caller, cond_via, cond_during, cond_on, cond_wait,
                       cond_to> {};
struct not_keyword : CALLPOLICY_WORD("not") {};
struct and_keyword : CALLPOLICY_WORD("and") {};
struct or_keyword : CALLPOLICY_WORD("or") {};
struct negation;
struct unary : sor<negation, cond_atom> {};
struct negated_operand : unary {};
struct negation : seq<not_keyword, sp, need<nested<negated_operand>>> {};
struct and_operand : unary {};
struct conjunction : seq<unary, star<sp, and_keyword, sp, need<and_operand>>> {};
struct or_operand : conjunction {};
struct disjunction : seq<conjunction, star<sp, or_keyword, sp, need<or_operand>>> {};
struct condition : disjunction {};

// ---- Routes

struct otherwise_keyword : CALLPOLICY_WORD("otherwise") {};
struct arrow : string<'-', '>'> {};
struct rule_action : action_name {};
struct rule_label : string_literal {};
struct route_condition : sor<otherwise_keyword, condition> {};
struct route_rule : seq<route_condition, sp, need<arrow>, sp, need<rule_action>,
                        opt<sp, CALLPOLICY_WORD("as"), sp, need<rule_label>>> {};
struct route_close : one<'}'> {};
struct route_block
    : seq<CALLPOLICY_WORD("route"), sp, at<need<open_brace>>, block_body<route_rule, route_close>> {};
// Where the AI's transfers may go: a route whose rules may also test `to`.
struct transfer_block
    : seq<CALLPOLICY_WORD("transfer"), sp, at<need<open_brace>>, block_body<route_rule, route_close>> {};

// ---- Action blocks

struct ai_sip : seq<CALLPOLICY_WORD("sip"), sp, need<string_literal>> {};
struct ai_redirect : seq<CALLPOLICY_WORD("redirect"), sp, need<string_literal>> {};
struct timeout_item : seq<CALLPOLICY_WORD("timeout"), sp, need<duration>> {};
struct unavailable_item : seq<CALLPOLICY_WORD("unavailable"), sp, need<step_action>> {};
struct capacity_item : seq<CALLPOLICY_WORD("capacity"), sp, need<integer>> {};
struct ai_item : sor<ai_sip, ai_redirect, timeout_item, unavailable_item, capacity_item> {};
struct ai_close : one<'}'> {};
struct ai_block : seq<CALLPOLICY_WORD("ai"), sp, at<need<open_brace>>, block_body<ai_item, ai_close>> {};

struct say_item : seq<CALLPOLICY_WORD("say"), sp, need<string_literal>> {};
struct unanswered_item : seq<CALLPOLICY_WORD("unanswered"), sp, need<step_action>> {};
struct caller_id_item : seq<CALLPOLICY_WORD("caller-id"), sp, need<phone>> {};
struct screen_item : seq<CALLPOLICY_WORD("screen"), sp, need<string_literal>> {};
struct forward_item : sor<say_item, timeout_item, unanswered_item, caller_id_item, screen_item> {};
struct forward_close : one<'}'> {};
struct forward_number : phone {};
struct forward_target : sor<seq<forward_number, opt<sp, block_body<forward_item, forward_close>>>,
                            block_body<forward_item, forward_close>> {};
struct forward_block : seq<CALLPOLICY_WORD("forward"), sp, need<forward_target>> {};

// `1 -> ai`; '#' is not a key: it starts a comment here and ends input in <Gather>.
struct menu_key_value : sor<seq<digit, not_at<word_char>>, one<'*'>> {};
struct menu_key_item : seq<menu_key_value, sp, need<arrow>, sp, need<step_action>> {};
struct menu_timeout_item
    : seq<CALLPOLICY_WORD("timeout"), sp, opt<duration, sp>, need<arrow>, sp, need<step_action>> {};
struct menu_item : sor<say_item, menu_timeout_item, menu_key_item> {};
struct menu_close : one<'}'> {};
struct menu_block
    : seq<CALLPOLICY_WORD("menu"), sp, at<need<open_brace>>, block_body<menu_item, menu_close>> {};

// `otherwise voicemail`: what silence leads to; no arrow, as there is one way on.
struct confirm_item : seq<CALLPOLICY_WORD("confirm"), sp, need<string_literal>> {};
struct callback_otherwise_item : seq<CALLPOLICY_WORD("otherwise"), sp, need<step_action>> {};
struct callback_item : sor<say_item, confirm_item, timeout_item, callback_otherwise_item> {};
struct callback_close : one<'}'> {};
struct callback_block : seq<CALLPOLICY_WORD("callback"), sp, at<need<open_brace>>,
                            block_body<callback_item, callback_close>> {};

// Where the clinic's voicemails and callback requests are delivered.
struct notify_url_item : seq<CALLPOLICY_WORD("url"), sp, need<string_literal>> {};
struct notify_close : one<'}'> {};
struct notify_block : seq<CALLPOLICY_WORD("notify"), sp, at<need<open_brace>>,
                          block_body<notify_url_item, notify_close>> {};

struct greeting_item : seq<CALLPOLICY_WORD("greeting"), sp, need<string_literal>> {};
struct max_item : seq<CALLPOLICY_WORD("max"), sp, need<duration>> {};
struct voicemail_item : sor<greeting_item, max_item> {};
struct voicemail_close : one<'}'> {};
struct voicemail_block : seq<CALLPOLICY_WORD("voicemail"), sp, at<need<open_brace>>,
                             block_body<voicemail_item, voicemail_close>> {};

struct reject_item : CALLPOLICY_WORD("reject") {};
struct busy_item : sor<say_item, reject_item> {};
struct busy_close : one<'}'> {};
struct busy_block
    : seq<CALLPOLICY_WORD("busy"), sp, at<need<open_brace>>, block_body<busy_item, busy_close>> {};

// ---- Clinic

struct name_item : seq<CALLPOLICY_WORD("name"), sp, need<string_literal>> {};
struct timezone_item : seq<CALLPOLICY_WORD("timezone"), sp, need<string_literal>> {};
struct language_item : seq<CALLPOLICY_WORD("language"), sp, need<string_literal>> {};
struct voice_item : seq<CALLPOLICY_WORD("voice"), sp, need<string_literal>> {};
struct overflow_item : seq<CALLPOLICY_WORD("overflow"), sp, need<integer>> {};
struct lines_item : seq<CALLPOLICY_WORD("lines"), sp, need<integer>> {};
struct mode_item : seq<CALLPOLICY_WORD("mode"), sp, need<mode_name>> {};
struct fallback_item : seq<CALLPOLICY_WORD("fallback"), sp, need<action_name>> {};
struct unreachable_item : seq<CALLPOLICY_WORD("unreachable"), sp, need<action_name>> {};
struct region_item : seq<CALLPOLICY_WORD("region"), sp, need<string_literal>> {};

struct clinic_item
    : sor<name_item, timezone_item, language_item, voice_item, numbers_block, hours_block,
          holidays_block, special_block, overflow_item, lines_item, schedule_block, mode_item, fallback_item, unreachable_item,
          route_block, transfer_block, ai_block, forward_block, menu_block, callback_block, notify_block, region_item,
          voicemail_block, busy_block> {};
struct clinic_id : slug {};
struct clinic_close : one<'}'> {};
struct clinic : seq<CALLPOLICY_WORD("clinic"), sp, need<clinic_id>, sp, at<need<open_brace>>,
                    block_body<clinic_item, clinic_close>> {};

// ---- Calendar

struct calendar_name : slug {};
struct calendar_close : one<'}'> {};
struct calendar : seq<CALLPOLICY_WORD("calendar"), sp, need<calendar_name>, sp, at<need<open_brace>>,
                      block_body<holiday_entry, calendar_close>> {};

// ---- Test

struct time_seconds : seq<one<':'>, digit, digit> {};
struct utc_designator : one<'Z'> {};
struct utc_offset : seq<one<'+', '-'>, digit, digit, one<':'>, digit, digit> {};
struct date_time_time : time_value {};
struct date_time : seq<date_value, one<'T'>, need<date_time_time>, opt<time_seconds>,
                       opt<sor<utc_designator, utc_offset>>, not_at<word_char>> {};

struct test_clinic : seq<CALLPOLICY_WORD("clinic"), sp, need<slug>> {};
struct test_at : seq<CALLPOLICY_WORD("at"), sp, need<date_time>> {};
struct test_calls : seq<CALLPOLICY_WORD("calls"), sp, need<integer>> {};
struct test_mean_call : seq<CALLPOLICY_WORD("mean-call"), sp, need<duration>> {};
// E.164, or the clinic's national form as digits or a string: "(416) 555-0111".
struct national_number : seq<plus<digit>, not_at<word_char>> {};
struct caller_value : sor<phone, national_number, string_literal> {};
struct test_caller : seq<CALLPOLICY_WORD("caller"), sp, need<caller_value>> {};
struct test_via : seq<CALLPOLICY_WORD("via"), sp, need<via_name>> {};
struct test_expect : seq<CALLPOLICY_WORD("expect"), sp, need<step_action>> {};
struct digits_none : CALLPOLICY_WORD("none") {};
struct digits_value : sor<digits_none, seq<plus<sor<digit, one<'*'>>>, not_at<word_char>>> {};
struct test_digits : seq<CALLPOLICY_WORD("digits"), sp, need<digits_value>> {};
struct dial_status
    : sor<CALLPOLICY_WORD("no-answer"), CALLPOLICY_WORD("busy"), CALLPOLICY_WORD("failed"),
          CALLPOLICY_WORD("canceled"), CALLPOLICY_WORD("completed"), CALLPOLICY_WORD("answered")> {};
struct test_dial : seq<CALLPOLICY_WORD("dial"), sp, need<dial_status>> {};
struct test_ai : seq<CALLPOLICY_WORD("ai"), sp, need<dial_status>> {};
struct test_transfer : seq<CALLPOLICY_WORD("transfer"), sp, need<caller_value>> {};
struct test_reason : seq<CALLPOLICY_WORD("reason"), sp, need<string_literal>> {};
struct test_item : sor<test_clinic, test_at, test_calls, test_mean_call, test_caller, test_via, test_digits,
                       test_dial, test_ai, test_transfer, test_expect, test_reason> {};
struct test_name : string_literal {};
struct test_close : one<'}'> {};
struct test_block : seq<CALLPOLICY_WORD("test"), sp, need<test_name>, sp, at<need<open_brace>>,
                        block_body<test_item, test_close>> {};

// ---- File

struct top_item : sor<clinic, calendar, test_block> {};
struct file : seq<sp, star<not_at<eof>, guarded<top_item>, sp>, eof> {};

// A whole `eval --at` or test `at` value.
struct date_time_only : seq<date_time, eof> {};

}  // namespace callpolicy::grammar

namespace tao::pegtl {
// skip_item consumes input when it succeeds; analyze<> needs to know.
template <typename Name>
struct analyze_traits<Name, callpolicy::grammar::skip_item> : analyze_any_traits<> {};
template <typename Name, typename Rule>
struct analyze_traits<Name, callpolicy::grammar::nested<Rule>> : analyze_seq_traits<Rule> {};
}  // namespace tao::pegtl
