// The abstract syntax of a policy file (docs/language.md), as the parser builds it:
// values already decoded (times in minutes, dates as day numbers, strings
// unescaped) and every item with its position, so that the checks and `fmt`
// can point at it. No semantic checks have run on it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/time_types.h"

namespace callpolicy::ast {

template <typename T>
struct located {
  T value{};
  location where;
};

struct hours_line {
  day_mask days = 0;
  std::vector<located<window>> windows;
  location where;
};

struct holiday_entry {
  enum class kind : std::uint8_t { dates, yearly_date, yearly_nth, easter, yearly_beside, use };
  kind type = kind::dates;
  holiday_rule rule;     // for every kind but `use`; its label is the entry's string, if any
  std::string calendar;  // kind::use
  location where;
};

struct special_entry {
  date_range dates;  // a single date, or a range
  std::vector<located<window>> windows;  // empty means `closed`
  location where;
};

struct schedule_line {
  bool enable = true;
  // Either days (with optional windows) or dates (with optional windows).
  // Without windows the line covers the whole of each day or date.
  std::optional<day_mask> days;
  std::optional<date_range> dates;
  std::vector<located<window>> windows;
  location where;
};

enum class compare_op : std::uint8_t { ge, gt, le, lt, eq };

struct condition {
  enum class kind : std::uint8_t {
    holiday, open, closed, scheduled, overflow,
    calls,    // calls OP number
    caller,   // caller NUMBER, ...
    via,      // via ported|forwarded|sip, ...
    during,   // during DAYS WINDOWS
    on,       // on DATE | RANGE
    wait,     // wait OP DURATION: the estimated wait, `count` in seconds
    to,       // to NUMBER, ...: the AI's transfer target (a transfer block only)
    not_, and_, or_
  };
  kind type = kind::open;
  location where;
  compare_op op = compare_op::ge;      // calls
  std::int32_t count = 0;              // calls
  std::vector<std::string> callers;    // caller, to
  via_mask vias = 0;                   // via
  day_mask days = 0;                   // during
  std::vector<window> windows;         // during
  date_range dates;                    // on
  std::vector<condition> operands;     // not: one; and, or: two or more (a chain is one node, so depth
                                       // comes only from parentheses and `not`, which the grammar bounds)
};

// The first seven mirror action_kind, so a concrete one converts by a cast.
enum class action_ref : std::uint8_t { ai, voicemail, forward, busy, menu, hangup, callback, fallback };

struct route_rule {
  std::optional<condition> when;  // nullopt for `otherwise`
  located<action_ref> action;
  std::optional<located<std::string>> label;  // `as "..."`
  location where;
};

enum class mode_kind : std::uint8_t { always, after_hours_only, overflow_only, scheduled, disabled };

struct numbers_block {
  std::vector<located<std::string>> ported;     // E.164, "+1416..."
  std::vector<located<std::string>> forwarded;
  std::vector<located<std::string>> sip;        // slugs
  location where;
};

struct ai_block {
  enum class kind : std::uint8_t { server_default, sip, redirect };
  kind type = kind::server_default;  // neither `sip` nor `redirect`: the server's
  std::string target;
  std::optional<std::uint32_t> timeout_seconds;
  std::optional<located<action_ref>> unavailable;  // what follows an AI leg that fails
  std::optional<located<std::uint32_t>> capacity;  // live AI legs the clinic may hold at once
  location where;
};

struct forward_block {
  std::optional<located<std::string>> number;
  std::optional<std::string> say;
  std::optional<std::uint32_t> timeout_seconds;
  std::optional<located<action_ref>> unanswered;  // what follows when nobody picks up
  std::optional<located<std::string>> caller_id;  // E.164
  std::optional<located<std::string>> screen;     // what staff hear before a key connects them
  location where;
};

struct menu_key {
  char key = '1';  // '0'..'9' or '*'
  located<action_ref> action;
  location where;
};

struct menu_block {
  std::optional<std::string> say;
  location say_where;
  std::vector<menu_key> keys;
  std::optional<std::uint32_t> timeout_seconds;
  std::optional<located<action_ref>> on_timeout;  // `timeout [6s] -> ACTION`
  location where;
};

struct callback_block {
  std::optional<std::string> say;
  std::optional<std::string> confirm;
  std::optional<std::uint32_t> timeout_seconds;
  std::optional<located<action_ref>> otherwise;  // what silence leads to
  location where;
};

struct notify_block {
  std::optional<located<std::string>> url;
  location where;
};

struct voicemail_block {
  std::optional<std::string> greeting;
  std::optional<std::uint32_t> max_seconds;
  location where;
};

struct busy_block {
  std::optional<std::string> say;
  bool reject = false;
  location where;
};

template <typename Item>
struct block {
  std::vector<Item> items;
  location where;
};

struct clinic {
  std::string id;
  location where;  // of the clinic's id
  // A syntax error inside: the items that failed are missing, so the
  // compiler does not report them as missing, nor lint the rest.
  bool incomplete = false;
  std::optional<located<std::string>> name;
  std::optional<located<std::string>> timezone;
  std::optional<located<std::string>> language;
  std::optional<located<std::string>> voice;
  std::optional<numbers_block> numbers;
  std::optional<block<hours_line>> hours;
  std::optional<block<holiday_entry>> holidays;
  std::optional<block<special_entry>> special;
  std::optional<located<std::uint32_t>> overflow;
  std::optional<located<std::uint32_t>> lines;  // the staff's lines, for `wait`
  std::optional<block<schedule_line>> schedule;
  std::optional<located<mode_kind>> mode;
  std::optional<located<action_ref>> fallback;
  std::optional<located<action_ref>> unreachable;  // when no callpolicy server answers
  std::optional<block<route_rule>> route;
  std::optional<block<route_rule>> transfer;  // where the AI's transfers may go
  std::optional<ai_block> ai;
  std::optional<forward_block> forward;
  std::optional<menu_block> menu;
  std::optional<callback_block> callback;
  std::optional<notify_block> notify;
  std::optional<located<std::string>> region;  // ISO 3166 code for national-form numbers
  std::optional<voicemail_block> voicemail;
  std::optional<busy_block> busy;
};

struct calendar {
  std::string name;
  location where;
  std::vector<holiday_entry> entries;
};

// `at` of a test: a local date-time, or one with `Z` or an offset.
struct date_time {
  day_number date = 0;
  std::uint32_t seconds = 0;                  // since local midnight
  std::optional<std::int32_t> offset_minutes; // set for Z (0) or +hh:mm / -hh:mm
};

struct test_case {
  std::string name;
  location where;
  bool incomplete = false;  // as for a clinic
  std::optional<located<std::string>> clinic;
  std::optional<located<date_time>> at;
  std::optional<located<std::uint32_t>> calls;
  std::optional<located<std::uint32_t>> mean_call;  // seconds; the clinic's mean call length in the last hour
  std::optional<located<std::string>> caller;  // as written: E.164 or the clinic's national form
  std::optional<located<via_kind>> via;
  std::optional<located<std::string>> digits;  // the key pressed at a menu; "" for none
  std::optional<located<std::string>> dial;    // how a forward ended: a DialCallStatus
  std::optional<located<std::string>> ai;      // how the AI's leg ended: a DialCallStatus
  std::optional<located<std::string>> transfer;  // where the AI transfers to, as written (like caller)
  std::optional<located<action_ref>> expect;
  std::optional<located<std::string>> reason;
};

// A comment and where it stands, kept for `fmt`.
struct comment {
  std::string text;  // from '#' to the end of the line, without the newline
  location where;
  bool own_line = false;  // nothing but white space before it on its line
};

struct policy_file {
  std::string path;
  std::vector<clinic> clinics;  // the parser reports E013 for a second one but keeps it
  std::vector<calendar> calendars;
  std::vector<test_case> tests;
  std::vector<comment> comments;
  // A top-level item failed to parse as a whole: a clinic or calendar the
  // file meant to define may be missing from the set.
  bool lost_items = false;
};

}  // namespace callpolicy::ast
