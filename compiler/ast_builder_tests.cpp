// Calendars and test blocks.
#include "compiler/ast_builder.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "grammar/policy_grammar.h"

namespace callpolicy::detail {

namespace g = callpolicy::grammar;

ast::calendar ast_builder::build_calendar(const node& n) {
  ast::calendar c;
  const node* name = child_of<g::calendar_name>(n);
  c.name = name ? name->string() : "";
  c.where = name ? where(*name) : where(n);
  c.entries = build_holiday_entries(n);
  return c;
}

std::optional<ast::date_time> ast_builder::date_time_value(const node& n) {
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
      report<messages::seconds_out_of_range>(sink_, where(*s), t);
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
      report<messages::not_a_utc_offset>(sink_, where(*o), t);
      return std::nullopt;
    }
    dt.offset_minutes = (t[0] == '-' ? -1 : 1) * (h * 60 + m);
  }
  return dt;
}

std::optional<ast::located<std::string>> ast_builder::number_as_written(const node& item) {
  if (const node* v = child_of<g::phone>(item)) {
    if (auto p = phone_value(*v)) return ast::located<std::string>{*p, where(*v)};
  } else if (const node* d = child_of<g::national_number>(item)) {
    return ast::located<std::string>{d->string(), where(*d)};
  } else if (const node* q = child_of<g::string_literal>(item)) {
    return ast::located<std::string>{string_value(*q), where(*q)};
  }
  return std::nullopt;
}

ast::test_case ast_builder::build_test(const node& n) {
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
        if (auto value = integer_value(*v))
          t.calls = ast::located<std::uint32_t>{*value, where(*v)};
      }
    } else if (item.is_type<g::test_mean_call>()) {
      if (first_time(t.mean_call, item, "mean-call")) {
        const node* v = child_of<g::duration>(item);
        if (auto value = duration_value(*v)) t.mean_call = ast::located<std::uint32_t>{*value, where(*v)};
      }
    } else if (item.is_type<g::test_caller>()) {
      if (first_time(t.caller, item, "caller")) t.caller = number_as_written(item);
    } else if (item.is_type<g::test_transfer>()) {
      if (first_time(t.transfer, item, "transfer")) t.transfer = number_as_written(item);
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
    } else if (item.is_type<g::test_ai>()) {
      if (first_time(t.ai, item, "ai")) {
        const node* v = child_of<g::dial_status>(item);
        t.ai = ast::located<std::string>{v->string(), where(*v)};
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

}  // namespace callpolicy::detail
