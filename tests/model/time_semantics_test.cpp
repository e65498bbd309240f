// The time semantics (docs/language.md) on local dates and minutes, through the shared time tables.
#include <algorithm>
#include <optional>

#include <tuple>

#include <boost/test/unit_test.hpp>

#include "model/time_tables.h"
#include "tests/runtime/clinic_builder.h"

using namespace callpolicy;
using namespace callpolicy::testing;

namespace {
const day_number monday = d(2026, 11, 30);
const day_number friday = d(2026, 12, 4);
const day_number saturday = d(2026, 12, 5);
const day_number sunday = d(2026, 12, 6);
}  // namespace

BOOST_AUTO_TEST_CASE(windows_are_half_open) {
  compiled_clinic c;
  c.weekly_hours[0] = {w(9, 0, 17, 0)};
  const clinic_tables t = build_tables(c);
  BOOST_TEST(!is_open(t, monday, 8 * 60 + 59));
  BOOST_TEST(is_open(t, monday, 9 * 60));
  BOOST_TEST(is_open(t, monday, 16 * 60 + 59));
  BOOST_TEST(!is_open(t, monday, 17 * 60));
}

BOOST_AUTO_TEST_CASE(whole_day_window) {
  compiled_clinic c;
  c.weekly_hours[0] = {w(0, 0, 24, 0)};
  const clinic_tables t = build_tables(c);
  BOOST_TEST(is_open(t, monday, 0));
  BOOST_TEST(is_open(t, monday, 1439));
  BOOST_TEST(!is_open(t, monday + 1, 0));
}

BOOST_AUTO_TEST_CASE(overnight_window_belongs_to_its_start_day) {
  compiled_clinic c;
  c.weekly_hours[4] = {w(22, 0, 2, 0)};
  const clinic_tables t = build_tables(c);
  BOOST_TEST(!is_open(t, friday, 21 * 60 + 59));
  BOOST_TEST(is_open(t, friday, 22 * 60));
  BOOST_TEST(is_open(t, saturday, 0));
  BOOST_TEST(is_open(t, saturday, 119));
  BOOST_TEST(!is_open(t, saturday, 120));
  BOOST_TEST(!is_open(t, friday, 60));  // Thursday had no overnight window
}

BOOST_AUTO_TEST_CASE(overnight_window_stays_open_into_a_holiday_and_a_closed_special_day) {
  compiled_clinic c;
  c.weekly_hours[4] = {w(22, 0, 2, 0)};
  c.holidays.push_back({holiday_rule::kind::dates, {saturday, saturday}, 0, 0, 0, 0, "x"});
  c.specials.push_back({sunday, {}});
  c.weekly_hours[5] = {w(22, 0, 2, 0)};
  const clinic_tables t = build_tables(c);
  BOOST_TEST(is_holiday(t, saturday));
  BOOST_TEST(is_open(t, saturday, 60));        // spill from Friday
  BOOST_TEST(!is_open(t, saturday, 22 * 60));  // Saturday itself is a holiday
  BOOST_TEST(!is_open(t, sunday, 60));         // no Saturday window to spill
}

BOOST_AUTO_TEST_CASE(a_holiday_friday_does_not_spill) {
  compiled_clinic c;
  c.weekly_hours[4] = {w(22, 0, 2, 0)};
  c.holidays.push_back({holiday_rule::kind::dates, {friday, friday}, 0, 0, 0, 0, "x"});
  const clinic_tables t = build_tables(c);
  BOOST_TEST(!is_open(t, saturday, 60));
}

BOOST_AUTO_TEST_CASE(special_dates_replace_hours_and_holidays) {
  compiled_clinic c;
  c.weekly_hours[0] = {w(9, 0, 17, 0)};
  c.holidays.push_back({holiday_rule::kind::dates, {monday, monday}, 0, 0, 0, 0, "x"});
  c.specials.push_back({monday, {w(10, 0, 12, 0)}});
  const clinic_tables t = build_tables(c);
  BOOST_TEST(!is_holiday(t, monday));
  BOOST_TEST(!is_open(t, monday, 9 * 60 + 30));
  BOOST_TEST(is_open(t, monday, 10 * 60 + 30));
}

BOOST_AUTO_TEST_CASE(nth_weekday_holidays_with_and_without_a_fifth) {
  std::vector<holiday_rule> rules(4);
  rules[0] = {holiday_rule::kind::yearly_nth, {}, 1, 0, 5, 4, "5th fri of jan"};
  rules[1] = {holiday_rule::kind::yearly_nth, {}, 5, 0, -1, 0, "last mon of may"};
  rules[2] = {holiday_rule::kind::yearly_date, {}, 2, 29, 0, 0, "leap day"};
  rules[3] = {holiday_rule::kind::yearly_nth, {}, 9, 0, 1, 0, "1st mon of sep"};
  const auto dates = expand_holidays(rules, 2027, 2028);
  auto has = [&](day_number x) { return std::binary_search(dates.begin(), dates.end(), x); };
  BOOST_TEST(has(d(2027, 1, 29)));   // January 2027 has five Fridays
  // January 2028 has four Fridays: no fifth-Friday holiday that year.
  BOOST_TEST(std::none_of(dates.begin(), dates.end(), [](day_number x) {
    const auto c = civil_from_days(x);
    return c.year == 2028 && c.month == 1;
  }));
  BOOST_TEST(has(d(2027, 5, 31)));
  BOOST_TEST(has(d(2028, 5, 29)));
  BOOST_TEST(has(d(2028, 2, 29)));
  BOOST_TEST(has(d(2027, 9, 6)));
  BOOST_TEST(has(d(2028, 9, 4)));
  BOOST_TEST(dates.size() == 6u);  // one fifth Friday, two last Mondays, one leap day, two Labour Days
}

BOOST_AUTO_TEST_CASE(schedule_last_matching_line_wins) {
  compiled_clinic c;
  c.schedule.push_back({true, weekdays_mask, std::nullopt, {w(8, 0, 18, 0)}});
  c.schedule.push_back({false, day_bit(4), std::nullopt, {w(12, 30, 13, 0)}});
  c.schedule.push_back({false, std::nullopt, date_range{d(2026, 12, 24), d(2026, 12, 26)}, {}});
  c.schedule.push_back({true, std::nullopt, date_range{d(2026, 12, 25), d(2026, 12, 25)}, {w(23, 0, 1, 0)}});
  const clinic_tables t = build_tables(c);
  BOOST_TEST(is_scheduled(c, t, friday, 12 * 60));
  BOOST_TEST(!is_scheduled(c, t, friday, 12 * 60 + 30));
  BOOST_TEST(is_scheduled(c, t, friday, 13 * 60));
  BOOST_TEST(!is_scheduled(c, t, friday, 18 * 60));
  BOOST_TEST(!is_scheduled(c, t, saturday, 12 * 60));
  BOOST_TEST(!is_scheduled(c, t, d(2026, 12, 24), 10 * 60));  // a Thursday, disabled by date
  BOOST_TEST(is_scheduled(c, t, d(2026, 12, 25), 23 * 60 + 30));
  BOOST_TEST(is_scheduled(c, t, d(2026, 12, 26), 30));    // the dated window spills
  BOOST_TEST(!is_scheduled(c, t, d(2026, 12, 26), 90));
  BOOST_TEST(is_scheduled(c, t, d(2026, 12, 28), 9 * 60));  // ordinary Monday again
}

BOOST_AUTO_TEST_CASE(during_spills_from_sunday_into_monday) {
  compiled_clinic c;
  predicate p;
  p.type = predicate::kind::during;
  p.days = day_bit(6);
  p.windows = {w(23, 0, 1, 0)};
  c.predicates.push_back(p);
  const clinic_tables t = build_tables(c);
  BOOST_TEST(test_predicate(c, t, 0, {sunday, 23 * 60 + 30, 0, {}, via_kind::ported}));
  BOOST_TEST(test_predicate(c, t, 0, {sunday + 1, 30, 0, {}, via_kind::ported}));
  BOOST_TEST(!test_predicate(c, t, 0, {sunday + 1, 60, 0, {}, via_kind::ported}));
  BOOST_TEST(!test_predicate(c, t, 0, {monday, 23 * 60 + 30, 0, {}, via_kind::ported}));
}

BOOST_AUTO_TEST_CASE(call_predicates) {
  compiled_clinic c;
  predicate calls;
  calls.type = predicate::kind::calls_at_least;
  calls.threshold = 3;
  predicate caller;
  caller.type = predicate::kind::caller_in;
  caller.callers = {"+14165550100", "+14165550101"};
  predicate via;
  via.type = predicate::kind::via_in;
  via.vias = via_bit(via_kind::sip) | via_bit(via_kind::forwarded);
  predicate on;
  on.type = predicate::kind::on_dates;
  on.dates = {d(2026, 12, 24), d(2026, 12, 26)};
  c.predicates = {calls, caller, via, on};
  const clinic_tables t = build_tables(c);
  BOOST_TEST(!test_predicate(c, t, 0, {monday, 0, 2, {}, via_kind::ported}));
  BOOST_TEST(test_predicate(c, t, 0, {monday, 0, 3, {}, via_kind::ported}));
  BOOST_TEST(test_predicate(c, t, 1, {monday, 0, 0, "+14165550101", via_kind::ported}));
  BOOST_TEST(!test_predicate(c, t, 1, {monday, 0, 0, "+14165550102", via_kind::ported}));
  BOOST_TEST(!test_predicate(c, t, 1, {monday, 0, 0, "", via_kind::ported}));
  BOOST_TEST(test_predicate(c, t, 2, {monday, 0, 0, {}, via_kind::sip}));
  BOOST_TEST(!test_predicate(c, t, 2, {monday, 0, 0, {}, via_kind::ported}));
  BOOST_TEST(test_predicate(c, t, 3, {d(2026, 12, 26), 0, 0, {}, via_kind::ported}));
  BOOST_TEST(!test_predicate(c, t, 3, {d(2026, 12, 27), 0, 0, {}, via_kind::ported}));
}

// The next opening found a day at a time from the plans' bitsets, against the
// plain reading: the first minute after the start that is open while the
// minute before it is not, every minute tested with is_open.
BOOST_AUTO_TEST_CASE(the_next_opening_is_the_first_closed_to_open_minute) {
  std::uint64_t seed = 2026;
  const auto next = [&](std::uint32_t bound) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>((seed >> 33) % bound);
  };
  for (int round = 0; round < 60; ++round) {
    compiled_clinic c;
    for (std::size_t day = 0; day < 7; ++day) {
      if (next(3) == 0) continue;  // closed that day
      const int start = static_cast<int>(next(24 * 4)) * 15;
      const int length = 15 + static_cast<int>(next(20 * 4)) * 15;  // up to 20 hours: some cross midnight
      c.weekly_hours[day] = {{static_cast<std::uint16_t>(start), static_cast<std::uint16_t>((start + length) % 1440)}};
    }
    if (round % 5 == 0) c.weekly_hours = {};  // never open
    if (round % 3 == 0) c.specials.push_back({monday + static_cast<day_number>(next(10)), {w(0, 0, 24, 0)}});
    if (round % 4 == 0) c.specials.push_back({monday + static_cast<day_number>(next(10)), {}});
    if (round % 2 == 0) {
      const day_number first = monday + static_cast<day_number>(next(10));
      c.holidays.push_back({holiday_rule::kind::dates, {first, first + static_cast<day_number>(next(4))}, 0, 0, 0, 0, "H"});
    }
    std::sort(c.specials.begin(), c.specials.end(),
              [](const special_day& a, const special_day& b) { return a.date < b.date; });
    c.specials.erase(std::unique(c.specials.begin(), c.specials.end(),
                                 [](const special_day& a, const special_day& b) { return a.date == b.date; }),
                     c.specials.end());
    const clinic_tables t = build_tables(c);
    for (int probe = 0; probe < 8; ++probe) {
      const day_number date = monday + static_cast<day_number>(next(7));
      const auto minute = static_cast<std::uint16_t>(next(1440));
      std::optional<local_minute> expected;
      for (std::int64_t i = std::int64_t{date} * 1440 + minute + 1; i <= (std::int64_t{date} + 14) * 1440 + 1439; ++i) {
        const auto on = [&](std::int64_t at) {
          return is_open(t, static_cast<day_number>(at / 1440), static_cast<std::uint16_t>(at % 1440));
        };
        if (on(i) && !on(i - 1)) {
          expected = local_minute{static_cast<day_number>(i / 1440), static_cast<std::uint16_t>(i % 1440)};
          break;
        }
      }
      const auto got = next_opening(t, date, minute, 14);
      BOOST_TEST_CONTEXT("round " << round << ", date " << date << ", minute " << minute) {
        BOOST_TEST(got.has_value() == expected.has_value());
        if (got && expected) {
          BOOST_TEST(got->date == expected->date);
          BOOST_TEST(got->minute == expected->minute);
        }
      }
    }
  }
}

// The computus against published Easter dates, and against Knuth's
// algorithm E (TAOCP 1.3.2, exercise 14), a formulation of its own, over
// every Gregorian year to 4099; then `easter N` rules through the tables.
BOOST_AUTO_TEST_CASE(western_easter_is_the_gregorian_computus) {
  const std::vector<std::tuple<int, unsigned, unsigned>> published{
      {1818, 3, 22}, {2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5}, {2027, 3, 28}, {2028, 4, 16},
      {2029, 4, 1},  {2030, 4, 21}, {2038, 4, 25}, {2285, 3, 22}, {1943, 4, 25}, {2000, 4, 23}};
  for (const auto& [year, month, day] : published) {
    BOOST_TEST(western_easter(year) == days_from_civil(year, month, day), year);
  }
  const auto knuth = [](int year) {
    const int golden = year % 19 + 1, century = year / 100 + 1;
    const int skipped = 3 * century / 4 - 12, moon = (8 * century + 5) / 25 - 5;
    const int sunday = 5 * year / 4 - skipped - 10;
    int epact = (11 * golden + 20 + moon - skipped) % 30;
    if (epact < 0) epact += 30;
    if ((epact == 25 && golden > 11) || epact == 24) ++epact;
    int n = 44 - epact;
    if (n < 21) n += 30;
    n = n + 7 - (sunday + n) % 7;
    return n > 31 ? days_from_civil(year, 4, static_cast<unsigned>(n - 31)) : days_from_civil(year, 3, static_cast<unsigned>(n));
  };
  int differences = 0;
  for (int year = 1583; year <= 4099; ++year) {
    const day_number e = western_easter(year);
    differences += e != knuth(year);
    BOOST_TEST_REQUIRE(weekday_of(e) == 6);  // a Sunday
    BOOST_TEST_REQUIRE((days_from_civil(year, 3, 22) <= e && e <= days_from_civil(year, 4, 25)));
  }
  BOOST_TEST(differences == 0);
  holiday_rule good_friday;
  good_friday.type = holiday_rule::kind::easter;
  good_friday.offset = -2;
  BOOST_TEST(holiday_rule_holds(good_friday, days_from_civil(2027, 3, 26)));
  BOOST_TEST(!holiday_rule_holds(good_friday, days_from_civil(2027, 3, 25)));
  holiday_rule far = good_friday;
  far.offset = -200;  // into the year before
  BOOST_TEST(holiday_rule_holds(far, western_easter(2027) - 200));
  const std::vector<day_number> expanded = expand_holidays({good_friday}, 2026, 2028);
  BOOST_TEST(expanded == (std::vector<day_number>{days_from_civil(2026, 4, 3), days_from_civil(2027, 3, 26),
                                                  days_from_civil(2028, 4, 14)}),
             boost::test_tools::per_element());
}

// Victoria Day is the Monday before May 25: strictly before, so a May 25 on
// a Monday gives May 18 (2020), and a May 24 on a Monday is the day (2021).
// Dates as the Government of Canada published them.
BOOST_AUTO_TEST_CASE(weekday_before_and_after_a_date) {
  holiday_rule victoria;
  victoria.type = holiday_rule::kind::yearly_before;
  victoria.month = 5;
  victoria.day = 25;
  victoria.weekday = 0;
  const std::vector<day_number> published{days_from_civil(2020, 5, 18), days_from_civil(2021, 5, 24),
                                          days_from_civil(2022, 5, 23), days_from_civil(2023, 5, 22),
                                          days_from_civil(2024, 5, 20), days_from_civil(2025, 5, 19),
                                          days_from_civil(2026, 5, 18), days_from_civil(2027, 5, 24)};
  BOOST_TEST(expand_holidays({victoria}, 2020, 2027) == published, boost::test_tools::per_element());
  for (day_number d = days_from_civil(2020, 1, 1); d <= days_from_civil(2027, 12, 31); ++d) {
    const bool listed = std::find(published.begin(), published.end(), d) != published.end();
    BOOST_TEST_REQUIRE(holiday_rule_holds(victoria, d) == listed, format_date(d));
  }
  // `after` is strict too, and an anchor at the year's end reaches into the next.
  holiday_rule after = victoria;
  after.type = holiday_rule::kind::yearly_after;
  after.month = 12;
  after.day = 28;
  after.weekday = 6;  // the Sunday after 2027-12-28 (a Tuesday) is 2028-01-02
  BOOST_TEST(holiday_rule_holds(after, days_from_civil(2028, 1, 2)));
  BOOST_TEST(!holiday_rule_holds(after, days_from_civil(2027, 12, 26)));
  after.month = 11;
  after.day = 1;
  after.weekday = 0;  // 2026-11-01 is a Sunday; 2027-11-01 a Monday, so the next one
  BOOST_TEST(holiday_rule_holds(after, days_from_civil(2026, 11, 2)));
  BOOST_TEST(holiday_rule_holds(after, days_from_civil(2027, 11, 8)));
  BOOST_TEST(!holiday_rule_holds(after, days_from_civil(2027, 11, 1)));
}

// Orthodox Easter as the Eastern churches published it, and the Julian
// computus checked by Gauss's method on the Julian calendar for every year.
BOOST_AUTO_TEST_CASE(orthodox_easter_dates) {
  const std::vector<std::array<int, 3>> published{{2020, 4, 19}, {2021, 5, 2},  {2022, 4, 24}, {2023, 4, 16},
                                                  {2024, 5, 5},  {2025, 4, 20}, {2026, 4, 12}, {2027, 5, 2},
                                                  {2028, 4, 16}};
  for (const auto& [y, m, d] : published) {
    BOOST_TEST(orthodox_easter(y) == days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)), y);
  }
  for (int year = 1583; year <= 9999; ++year) {
    const int a = year % 19, b = year % 4, c = year % 7, d = (19 * a + 15) % 30, e = (2 * b + 4 * c + 6 * d + 6) % 7;
    // March 22 + d + e of the Julian calendar, through its Julian day number.
    const int julian_march_day = 22 + d + e;
    // (The Julian calendar's day number formula for March, which counts the
    // year from March so that a day past the 31st runs into April.)
    const long y = year + 4800;
    const long jdn = julian_march_day + 365 * y + y / 4 - 32083;
    BOOST_TEST_REQUIRE(orthodox_easter(year) == static_cast<day_number>(jdn - 2440588), year);
    BOOST_TEST_REQUIRE(weekday_of(orthodox_easter(year)) == 6, year);
  }
  holiday_rule good_friday;
  good_friday.type = holiday_rule::kind::easter;
  good_friday.orthodox = true;
  good_friday.offset = -2;
  BOOST_TEST(holiday_rule_holds(good_friday, days_from_civil(2027, 4, 30)));
  BOOST_TEST(!holiday_rule_holds(good_friday, days_from_civil(2027, 3, 26)));  // the Western one
}

// `1st tue after 1st mon of nov`, the US Election Day, is by law "the
// Tuesday next after the first Monday in November": November 2 to 8. The
// day after Thanksgiving (`fri after 4th thu of nov`) is November 23 to 29.
// Each checked against that plain description, day by day over 2000-2100.
BOOST_AUTO_TEST_CASE(counted_weekdays_and_weekday_anchors) {
  holiday_rule election;
  election.type = holiday_rule::kind::yearly_after;
  election.nth = 1;
  election.weekday = 1;
  election.anchor_nth = 1;
  election.anchor_weekday = 0;
  election.month = 11;
  holiday_rule after_thanksgiving;
  after_thanksgiving.type = holiday_rule::kind::yearly_after;
  after_thanksgiving.weekday = 4;
  after_thanksgiving.anchor_nth = 4;
  after_thanksgiving.anchor_weekday = 3;
  after_thanksgiving.month = 11;
  // The second Sunday strictly before Christmas, which can be in Advent's first week.
  holiday_rule two_before;
  two_before.type = holiday_rule::kind::yearly_before;
  two_before.nth = 2;
  two_before.weekday = 6;
  two_before.month = 12;
  two_before.day = 25;
  for (day_number d = days_from_civil(2000, 1, 1); d <= days_from_civil(2100, 12, 31); ++d) {
    const civil_date c = civil_from_days(d);
    const int weekday = weekday_of(d);
    const bool november = c.month == 11;
    BOOST_TEST_REQUIRE(holiday_rule_holds(election, d) == (november && weekday == 1 && c.day >= 2 && c.day <= 8),
                       format_date(d));
    BOOST_TEST_REQUIRE(holiday_rule_holds(after_thanksgiving, d) ==
                           (november && weekday == 4 && c.day >= 23 && c.day <= 29),
                       format_date(d));
    const day_number christmas = days_from_civil(c.year, 12, 25);
    BOOST_TEST_REQUIRE(holiday_rule_holds(two_before, d) == (weekday == 6 && christmas - d > 7 && christmas - d <= 14),
                       format_date(d));
  }
  BOOST_TEST(expand_holidays({election}, 2024, 2026) ==
                 (std::vector<day_number>{days_from_civil(2024, 11, 5), days_from_civil(2025, 11, 4),
                                          days_from_civil(2026, 11, 3)}),
             boost::test_tools::per_element());
  // A fifth weekday the month lacks gives no anchor, and no day, that year.
  holiday_rule fifth = election;
  fifth.anchor_nth = 5;
  fifth.anchor_weekday = 0;
  fifth.month = 2;
  BOOST_TEST(expand_holidays({fifth}, 2027, 2027).empty());  // February 2027 has four Mondays
  BOOST_TEST(expand_holidays({fifth}, 2016, 2016) == (std::vector<day_number>{days_from_civil(2016, 3, 1)}),
             boost::test_tools::per_element());  // 2016-02-29 was its fifth Monday
}
