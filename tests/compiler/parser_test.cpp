#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "compiler/parser.h"
#include "model/holiday_days.h"

using namespace callpolicy;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct parsed {
  diagnostic_sink sink;
  ast::policy_file file;
};

parsed parse(std::string_view text) {
  parsed p;
  p.file = parse_policy("t.policy", text, p.sink);
  return p;
}

// The one diagnostic a snippet produces, checked for code, line and column.
void expect_single(std::string_view text, std::string_view code, std::uint32_t line,
                   std::uint32_t column) {
  const parsed p = parse(text);
  BOOST_TEST_INFO("input: " << text);
  BOOST_REQUIRE_EQUAL(p.sink.all().size(), 1u);
  const diagnostic& d = p.sink.all().front();
  BOOST_TEST_INFO("message: " << d.message);
  BOOST_TEST(d.code == code);
  BOOST_TEST(d.where.line == line);
  BOOST_TEST(d.where.column == column);
}

std::string clinic_with(std::string_view body) {
  return "clinic c {\n  timezone \"UTC\"\n" + std::string(body) + "\n}\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(spec_example_parses_every_field) {
  const std::string text = read_file(CALLPOLICY_SOURCE_DIR "/tests/data/spec_example.policy");
  const parsed p = parse(text);
  BOOST_TEST(p.sink.all().empty());
  BOOST_REQUIRE_EQUAL(p.file.clinics.size(), 1u);
  const ast::clinic& c = p.file.clinics[0];
  BOOST_TEST(c.id == "smile-dental");
  BOOST_TEST(c.where.line == 1u);
  BOOST_TEST(c.where.column == 8u);
  BOOST_TEST(c.name->value == "Smile Dental");
  BOOST_TEST(c.timezone->value == "America/Toronto");
  BOOST_TEST(c.language->value == "en-CA");
  BOOST_TEST(c.voice->value == "Polly.Joanna");
  BOOST_REQUIRE(c.numbers);
  BOOST_TEST(c.numbers->ported.size() == 1u);
  BOOST_TEST(c.numbers->ported[0].value == "+14165551234");
  BOOST_TEST(c.numbers->forwarded.size() == 2u);
  BOOST_TEST(c.numbers->forwarded[1].value == "+16475559998");
  BOOST_TEST(c.numbers->sip[0].value == "smile-dental");

  BOOST_REQUIRE(c.hours);
  BOOST_REQUIRE_EQUAL(c.hours->items.size(), 3u);
  BOOST_TEST(c.hours->items[0].days == weekdays_mask);
  BOOST_TEST(c.hours->items[0].windows[0].value.start == 9 * 60);
  BOOST_TEST(c.hours->items[0].windows[0].value.end == 17 * 60);
  BOOST_TEST(c.hours->items[1].days == day_bit(2));
  BOOST_TEST(c.hours->items[1].windows.size() == 2u);
  BOOST_TEST(c.hours->items[1].windows[1].where.line == 15u);
  BOOST_TEST(c.hours->items[1].windows[1].where.column == 27u);

  BOOST_REQUIRE(c.holidays);
  const auto& h = c.holidays->items;
  BOOST_REQUIRE_EQUAL(h.size(), 5u);
  BOOST_TEST((h[0].type == ast::holiday_entry::kind::use));
  BOOST_TEST(h[0].calendar == "ontario");
  BOOST_TEST((h[1].type == ast::holiday_entry::kind::dates));
  BOOST_TEST(h[1].rule.dates.first == days_from_civil(2026, 12, 24));
  BOOST_TEST(h[1].rule.label == "Christmas Eve");
  BOOST_TEST(h[2].rule.dates.last == days_from_civil(2027, 1, 1));
  BOOST_TEST((h[3].type == ast::holiday_entry::kind::yearly_date));
  BOOST_TEST(h[3].rule.month == 7);
  BOOST_TEST(h[3].rule.day == 1);
  BOOST_TEST((h[4].type == ast::holiday_entry::kind::yearly_nth));
  BOOST_TEST(h[4].rule.nth == 1);
  BOOST_TEST(h[4].rule.weekday == 0);
  BOOST_TEST(h[4].rule.month == 9);

  BOOST_REQUIRE(c.special);
  BOOST_TEST(c.special->items.size() == 2u);
  BOOST_TEST(c.special->items[1].windows.empty());
  BOOST_TEST(c.overflow->value == 5u);
  BOOST_REQUIRE(c.schedule);
  BOOST_TEST(c.schedule->items.size() == 3u);
  BOOST_TEST(!c.schedule->items[1].enable);
  BOOST_TEST(*c.schedule->items[1].days == day_bit(4));
  BOOST_TEST(c.schedule->items[2].dates->last == days_from_civil(2026, 12, 26));
  BOOST_TEST(c.schedule->items[2].windows.empty());
  BOOST_TEST((c.mode->value == ast::mode_kind::after_hours_only));
  BOOST_TEST((c.fallback->value == ast::action_ref::forward));
  BOOST_TEST((c.ai->type == ast::ai_block::kind::sip));
  BOOST_TEST(c.ai->target == "sip:smile-dental@sip.vapi.ai");
  BOOST_TEST(c.forward->number->value == "+14165550000");
  BOOST_TEST(*c.forward->say == "Connecting you now.");
  BOOST_TEST(*c.forward->timeout_seconds == 20u);
  BOOST_TEST(*c.voicemail->max_seconds == 300u);
  BOOST_TEST(c.busy->say->find("unable") != std::string::npos);
  BOOST_TEST(!c.busy->reject);

  BOOST_REQUIRE_EQUAL(p.file.calendars.size(), 2u);
  BOOST_TEST(p.file.calendars[0].name == "ontario");
  BOOST_TEST(p.file.calendars[0].entries.size() == 4u);
  BOOST_TEST(p.file.calendars[1].entries[1].rule.nth == -1);

  BOOST_REQUIRE_EQUAL(p.file.tests.size(), 1u);
  const ast::test_case& t = p.file.tests[0];
  BOOST_TEST(t.name == "Christmas Eve is a holiday: the AI answers");
  BOOST_TEST(t.at->value.date == days_from_civil(2026, 12, 24));
  BOOST_TEST(t.at->value.seconds == 36000u);
  BOOST_TEST(!t.at->value.offset_minutes);
  BOOST_TEST(t.calls->value == 2u);
  BOOST_TEST(t.caller->value == "+14165550100");
  BOOST_TEST((t.via->value == via_kind::forwarded));
  BOOST_TEST((t.expect->value == ast::action_ref::ai));
  BOOST_TEST(t.reason->value == "holiday");

  BOOST_TEST(p.file.comments.size() >= 20u);
  BOOST_TEST(p.file.comments[0].text == "# IANA zone; unknown zones are errors");
  BOOST_TEST(!p.file.comments[0].own_line);
}

BOOST_AUTO_TEST_CASE(route_conditions_keep_precedence) {
  const parsed p = parse(clinic_with(R"(  route {
    holiday -> voicemail
    closed or overflow and not via sip -> ai as "mixed"
    (closed or overflow) and via sip, forwarded -> busy
    calls >= 3 -> busy
    caller +14165550100, +14165550101 -> forward
    during mon-fri 12:00-13:00 -> ai as "lunch"
    on 2026-12-31 -> voicemail
    otherwise -> fallback
  })"));
  BOOST_TEST(p.sink.all().empty());
  const auto& rules = p.file.clinics.at(0).route->items;
  BOOST_REQUIRE_EQUAL(rules.size(), 8u);
  using k = ast::condition::kind;
  const ast::condition& mixed = *rules[1].when;
  BOOST_TEST((mixed.type == k::or_));
  BOOST_TEST((mixed.operands[0].type == k::closed));
  BOOST_TEST((mixed.operands[1].type == k::and_));
  BOOST_TEST((mixed.operands[1].operands[1].type == k::not_));
  BOOST_TEST(rules[1].label->value == "mixed");
  const ast::condition& grouped = *rules[2].when;
  BOOST_TEST((grouped.type == k::and_));
  BOOST_TEST((grouped.operands[0].type == k::or_));
  BOOST_TEST(grouped.operands[1].vias == (via_bit(via_kind::sip) | via_bit(via_kind::forwarded)));
  BOOST_TEST((rules[3].when->op == ast::compare_op::ge));
  BOOST_TEST(rules[3].when->count == 3);
  BOOST_TEST(rules[4].when->callers.size() == 2u);
  BOOST_TEST(rules[5].when->days == weekdays_mask);
  BOOST_TEST(rules[5].when->windows.at(0).start == 12 * 60);
  BOOST_TEST(rules[6].when->dates.first == days_from_civil(2026, 12, 31));
  BOOST_TEST(!rules[7].when);
  BOOST_TEST((rules[7].action.value == ast::action_ref::fallback));
}

BOOST_AUTO_TEST_CASE(day_sets_wrap_and_combine) {
  const parsed p = parse(clinic_with(R"(  hours {
    fri-mon 10:00-14:00
    mon-wed,fri 09:00-10:00
    weekends 22:00-02:00
  })"));
  BOOST_TEST(p.sink.all().empty());
  const auto& lines = p.file.clinics.at(0).hours->items;
  BOOST_TEST(lines[0].days == (day_bit(4) | day_bit(5) | day_bit(6) | day_bit(0)));
  BOOST_TEST(lines[1].days == (day_bit(0) | day_bit(1) | day_bit(2) | day_bit(4)));
  BOOST_TEST(lines[2].windows[0].value.crosses_midnight());
}

BOOST_AUTO_TEST_CASE(busy_reject_and_forward_without_block) {
  const parsed p = parse(clinic_with("  busy { reject }\n  forward +14165550000"));
  BOOST_TEST(p.sink.all().empty());
  BOOST_TEST(p.file.clinics.at(0).busy->reject);
  BOOST_TEST(p.file.clinics.at(0).forward->number->value == "+14165550000");
}

BOOST_AUTO_TEST_CASE(syntax_error_names_what_was_expected) {
  expect_single(clinic_with("  hours {\n    mon 9:00-17:00\n  }"), codes::syntax, 4, 9);
  const parsed p = parse(clinic_with("  hours {\n    mon 9:00-17:00\n  }"));
  BOOST_TEST(p.sink.all().front().message == "expected a window like 09:00-17:00");
}

// Every point the grammar can fail at has its own message (the parser's
// control refuses to build otherwise); these three once said only "syntax error".
BOOST_AUTO_TEST_CASE(a_trailing_comma_and_a_bad_negation_say_what_was_expected) {
  const auto message = [](const std::string& body) {
    const parsed p = parse(clinic_with(body));
    BOOST_REQUIRE(!p.sink.all().empty());
    return p.sink.all().front();
  };
  BOOST_TEST(message("  hours { mon-fri 09:00-12:00, }").message == "expected a window like 09:00-17:00 after ','");
  BOOST_TEST(message("  hours { mon, 09:00-12:00 }").message == "expected days like mon-fri or sat after ','");
  const diagnostic negation = message("  route {\n    not holidy -> ai\n    otherwise -> voicemail\n  }");
  BOOST_TEST(negation.message == "expected a condition after 'not'");
  BOOST_TEST(negation.where.line == 4u);
  BOOST_TEST(negation.where.column == 9u);
  BOOST_REQUIRE(!negation.notes.empty());
  BOOST_TEST(negation.notes.front() == "did you mean 'holiday'?");
}

BOOST_AUTO_TEST_CASE(unknown_item_is_named) {
  const parsed p = parse(clinic_with("  nmae \"x\""));
  BOOST_REQUIRE_EQUAL(p.sink.all().size(), 1u);
  BOOST_TEST(p.sink.all().front().message == "unknown item 'nmae' in clinic");
  BOOST_TEST(p.sink.all().front().where.line == 3u);
  BOOST_TEST(p.sink.all().front().where.column == 3u);
}

BOOST_AUTO_TEST_CASE(value_errors_have_their_codes) {
  expect_single(clinic_with("  hours { mon 09:00-25:00 }"), codes::bad_time, 3, 21);
  expect_single(clinic_with("  hours { mon 24:00-23:00 }"), codes::bad_time, 3, 15);
  expect_single(clinic_with("  holidays { 2026-02-30 }"), codes::bad_date, 3, 14);
  expect_single(clinic_with("  holidays { yearly 02-30 }"), codes::bad_date, 3, 21);
  expect_single(clinic_with("  holidays { yearly mon before 02-30 }"), codes::bad_date, 3, 32);
  expect_single(clinic_with("  holidays { yearly mon beside 05-25 }"), codes::syntax, 3, 25);
  expect_single(clinic_with("  holidays { yearly mon before may }"), codes::syntax, 3, 32);
  expect_single(clinic_with("  numbers { ported +1416555 }"), codes::bad_number, 3, 20);
  expect_single(clinic_with("  hours { mon 09:00-09:00 }"), codes::bad_window, 3, 15);
  expect_single(clinic_with("  voicemail { max 0s }"), codes::bad_duration, 3, 19);
  expect_single(clinic_with("  holidays { 2026-12-31..2026-12-01 }"), codes::bad_date_range, 3, 14);
  expect_single(clinic_with("  name \"a\\tb\""), codes::bad_string, 3, 11);
}

BOOST_AUTO_TEST_CASE(items_given_twice_and_second_clinic) {
  expect_single(clinic_with("  timezone \"UTC\""), codes::duplicate_item, 3, 3);
  expect_single("clinic a { timezone \"UTC\" }\nclinic b { timezone \"UTC\" }\n",
                codes::second_clinic, 2, 8);
  expect_single("test \"t\" { expect ai\n expect busy }", codes::duplicate_item, 2, 2);
}

BOOST_AUTO_TEST_CASE(five_mistakes_give_five_diagnostics) {
  const parsed p = parse(R"(clinic five {
  timezone "UTC"
  hours {
    mon-fri 09:00-17:0
    sat 10:00-25:00
  }
  overflow many
  mode sometimes
  route {
    open -> nobody
    otherwise -> ai
  }
}
)");
  BOOST_REQUIRE_EQUAL(p.sink.all().size(), 5u);
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected{
      {4, 19}, {5, 15}, {7, 12}, {8, 8}, {10, 13}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST_INFO("diagnostic " << i << ": " << p.sink.all()[i].message);
    BOOST_TEST(p.sink.all()[i].where.line == expected[i].first);
    BOOST_TEST(p.sink.all()[i].where.column == expected[i].second);
  }
  // The parse went on: the valid rule after the mistakes is there.
  BOOST_TEST(p.file.clinics.at(0).route->items.size() == 1u);
}

BOOST_AUTO_TEST_CASE(unclosed_block_is_reported_at_end_of_file) {
  const parsed p = parse("clinic c {\n  timezone \"UTC\"\n");
  BOOST_REQUIRE_EQUAL(p.sink.all().size(), 1u);
  BOOST_TEST(p.sink.all().front().message == "expected '}' to close the 'clinic' block");
}

BOOST_AUTO_TEST_CASE(date_times_parse_with_offsets) {
  const auto local = parse_date_time("2026-12-24T10:00");
  BOOST_REQUIRE(local);
  BOOST_TEST(!local->offset_minutes);
  const auto utc = parse_date_time("2026-12-24T10:00:30Z");
  BOOST_REQUIRE(utc);
  BOOST_TEST(*utc->offset_minutes == 0);
  BOOST_TEST(utc->seconds == 36030u);
  const auto offset = parse_date_time("2026-12-24T10:00-05:30");
  BOOST_REQUIRE(offset);
  BOOST_TEST(*offset->offset_minutes == -330);
  BOOST_TEST(!parse_date_time("2026-12-24 10:00"));
  BOOST_TEST(!parse_date_time("2026-02-30T10:00"));
  BOOST_TEST(!parse_date_time("2026-12-24T10:00Zjunk"));
}

// The contract's spellings, parsed and expanded: Canada's federal Christmas and
// Boxing Day (a Christmas on Sunday is kept on the Tuesday, past Boxing Day),
// Canada Day kept on a Monday, the US New Year's Day of 2028 kept on Friday
// 2027-12-31 and listed in 2027, and a holiday that began in 2021.
BOOST_AUTO_TEST_CASE(observed_days_and_year_ranges) {
  const parsed p = parse(clinic_with(R"(  holidays {
    yearly 07-01 "Canada Day" observed sun -> mon
    yearly 12-25 "Christmas Day" observed sat -> mon, sun -> mon
    yearly 12-26 "Boxing Day" observed sat -> mon, sun -> tue
    yearly 01-01 "New Year's Day" observed sat -> fri, sun -> mon
    from 2021 yearly 09-30 "National Day for Truth and Reconciliation"
    until 2022 easter -2 "Good Friday"
    from 2023 until 2024 yearly 1st mon of aug "Civic Holiday"
  })"));
  for (const auto& d : p.sink.all()) BOOST_TEST_MESSAGE(d.where.line << ":" << d.where.column << " " << d.message);
  BOOST_REQUIRE(p.sink.all().empty());
  std::vector<holiday_rule> rules;
  for (const auto& e : p.file.clinics.at(0).holidays->items) rules.push_back(e.rule);
  BOOST_REQUIRE_EQUAL(rules.size(), 7u);
  BOOST_TEST(rules[4].from_year == 2021);
  BOOST_TEST(rules[5].until_year == 2022);
  const auto listed = [&](int year) {
    std::vector<std::string> out;
    for (day_number d : expand_holidays(rules, year, year)) out.push_back(format_date(d));
    return out;
  };
  const std::vector<std::string> in_2020{"2020-01-01", "2020-04-10", "2020-07-01", "2020-12-25", "2020-12-26", "2020-12-28"};
  BOOST_TEST(listed(2020) == in_2020, boost::test_tools::per_element());
  // 2021: New Year's Day on a Friday; Christmas on Saturday, Boxing Day on Sunday;
  // New Year's Day 2022 (a Saturday) kept on Friday 2021-12-31.
  const std::vector<std::string> in_2021{"2021-01-01", "2021-04-02", "2021-07-01", "2021-09-30", "2021-12-25",
                                         "2021-12-26", "2021-12-27", "2021-12-28", "2021-12-31"};
  BOOST_TEST(listed(2021) == in_2021, boost::test_tools::per_element());
  // 2022: Christmas on Sunday: Monday is Boxing Day itself, so it is kept on Tuesday.
  const std::vector<std::string> in_2022{"2022-01-01", "2022-04-15", "2022-07-01", "2022-09-30",
                                         "2022-12-25", "2022-12-26", "2022-12-27"};
  BOOST_TEST(listed(2022) == in_2022, boost::test_tools::per_element());
  const std::vector<std::string> in_2029{"2029-01-01", "2029-07-01", "2029-07-02", "2029-09-30", "2029-12-25", "2029-12-26"};
  BOOST_TEST(listed(2029) == in_2029, boost::test_tools::per_element());
  BOOST_TEST(listed(2027).back() == "2027-12-31");  // New Year's Day 2028, a Saturday
  // 2023: New Year's Day on a Sunday, kept on Monday; Civic Holiday from 2023; no Good Friday after 2022.
  const std::vector<std::string> in_2023{"2023-01-01", "2023-01-02", "2023-07-01", "2023-08-07",
                                         "2023-09-30", "2023-12-25", "2023-12-26"};
  BOOST_TEST(listed(2023) == in_2023, boost::test_tools::per_element());
  BOOST_TEST(holiday_names_on(rules, days_from_civil(2022, 12, 27)) == "Christmas Day (observed)");
  BOOST_TEST(holiday_names_on(rules, days_from_civil(2029, 7, 2)) == "Canada Day (observed)");
  BOOST_TEST(holiday_names_on(rules, days_from_civil(2022, 12, 26)) == "Boxing Day");
  BOOST_TEST(holiday_names_on(rules, days_from_civil(2028, 7, 3)).empty());  // 2028-07-01 is a Saturday
}

BOOST_AUTO_TEST_CASE(observed_and_year_range_errors_point_at_the_text) {
  expect_single(clinic_with("  holidays { yearly 07-01 observed sun mon }"), codes::syntax, 3, 40);
  expect_single(clinic_with("  holidays { yearly 07-01 observed sun -> }"), codes::syntax, 3, 43);
  expect_single(clinic_with("  holidays { yearly 07-01 observed sunday -> mon }"), codes::syntax, 3, 36);
  expect_single(clinic_with("  holidays { yearly 07-01 observed sun -> sun }"), codes::bad_date, 3, 36);
  expect_single(clinic_with("  holidays { yearly 07-01 observed sun -> mon, sun -> tue }"), codes::bad_date, 3, 48);
  expect_single(clinic_with("  holidays { from 21 yearly 09-30 }"), codes::syntax, 3, 19);
  expect_single(clinic_with("  holidays { from 2021 2026-09-30 }"), codes::syntax, 3, 24);
  expect_single(clinic_with("  holidays { from 2030 until 2021 yearly 09-30 }"), codes::bad_date_range, 3, 30);
  // 0000 would mean "no bound" in the compiled form.
  expect_single(clinic_with("  holidays { from 0000 yearly 09-30 }"), codes::bad_date_range, 3, 19);
  expect_single(clinic_with("  holidays { from 2021 until 1582 yearly 09-30 }"), codes::bad_date_range, 3, 30);
  expect_single(clinic_with("  holidays { every 2 years yearly 09-30 }"), codes::bad_date_range, 3, 20);
  expect_single(clinic_with("  holidays { from 2020 every 1 years yearly 09-30 }"), codes::bad_date_range, 3, 30);
  expect_single(clinic_with("  holidays { from 2020 every 101 years yearly 09-30 }"), codes::bad_date_range, 3, 30);
  expect_single(clinic_with("  holidays { from 2020 every years yearly 09-30 }"), codes::syntax, 3, 30);
  expect_single(clinic_with("  holidays { from 2020 every 2 yearly 09-30 }"), codes::syntax, 3, 32);
}

// `from 2000 every 2 years`: even years only, counted from `from`, with or
// without `until`, and the kept day follows its own day's year.
BOOST_AUTO_TEST_CASE(every_n_years_counts_from_the_first_year) {
  const parsed p = parse(clinic_with(R"(  holidays {
    from 2000 every 2 years yearly 1st tue after 1st mon of nov "Election Day"
    from 2025 until 2033 every 4 years yearly 01-20 "Inauguration Day" observed sun -> mon
  })"));
  for (const auto& d : p.sink.all()) BOOST_TEST_MESSAGE(d.where.line << ":" << d.where.column << " " << d.message);
  BOOST_REQUIRE(p.sink.all().empty());
  std::vector<holiday_rule> rules;
  for (const auto& e : p.file.clinics.at(0).holidays->items) rules.push_back(e.rule);
  std::vector<std::string> listed;
  for (day_number d : expand_holidays(rules, 1998, 2040)) listed.push_back(format_date(d));
  const std::vector<std::string> expected{
      "2000-11-07", "2002-11-05", "2004-11-02", "2006-11-07", "2008-11-04", "2010-11-02", "2012-11-06",
      "2014-11-04", "2016-11-08", "2018-11-06", "2020-11-03", "2022-11-08", "2024-11-05", "2025-01-20",
      "2026-11-03", "2028-11-07", "2029-01-20", "2030-11-05", "2032-11-02", "2033-01-20", "2034-11-07",
      "2036-11-04", "2038-11-02", "2040-11-06"};
  BOOST_TEST(listed == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(counted_weekday_errors_point_at_the_text) {
  expect_single(clinic_with("  holidays { yearly 1st tue after 1st mon nov }"), codes::syntax, 3, 43);
  expect_single(clinic_with("  holidays { yearly 2nd tue beside 05-25 }"), codes::syntax, 3, 29);
  expect_single(clinic_with("  holidays { yearly 1st tue after 13-01 }"), codes::bad_date, 3, 35);
  expect_single(clinic_with("  holidays { yearly last tue after 11-01 }"), codes::syntax, 3, 30);
  expect_single(clinic_with("  holidays { yearly 1st tue after 9th mon of nov }"), codes::syntax, 3, 35);
  const parsed p = parse(clinic_with("  holidays { yearly 1st tue after 1st mon of nov \"Election Day\"\n"
                                     "    yearly 2nd sun before 12-25 }"));
  BOOST_REQUIRE(p.sink.all().empty());
  const auto& items = p.file.clinics.at(0).holidays->items;
  BOOST_REQUIRE_EQUAL(items.size(), 2u);
  BOOST_TEST(items[0].rule.nth == 1);
  BOOST_TEST(items[0].rule.anchor_nth == 1);
  BOOST_TEST(items[0].rule.anchor_weekday == 0);
  BOOST_TEST(items[0].rule.month == 11);
  BOOST_TEST(items[1].rule.nth == 2);
  BOOST_TEST(items[1].rule.anchor_nth == 0);
  BOOST_TEST(holiday_names_on({items[0].rule}, days_from_civil(2028, 11, 7)) == "Election Day");
}
