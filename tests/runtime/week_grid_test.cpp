#include <boost/test/unit_test.hpp>

#include "runtime/week_grid.h"
#include "tests/runtime/clinic_builder.h"

using namespace callpolicy;
using namespace callpolicy::testing;

BOOST_AUTO_TEST_CASE(grid_follows_hours_holidays_and_dst_gaps) {
  compiled_clinic c = open_or_ai("America/Toronto");
  for (int day = 0; day < 5; ++day) c.weekly_hours[static_cast<std::size_t>(day)] = {w(9, 0, 17, 0)};
  c.holidays.push_back({holiday_rule::kind::dates, {d(2027, 3, 16), d(2027, 3, 16)}, 0, 0, 0, 0, "x"});
  const auto set = load_one(std::move(c));
  const week_grid grid = compute_week(set->clinics().front(), {d(2027, 3, 14), 60, 0, via_kind::ported, {}});
  BOOST_REQUIRE_EQUAL(grid.days.size(), 7u);
  BOOST_TEST(grid.days[0].cells.size() == 24u);
  // Sunday 2027-03-14: 02:00 does not exist in Toronto.
  BOOST_TEST(!grid.days[0].cells[2].decided.has_value());
  BOOST_TEST(grid.days[0].cells[3].decided.has_value());
  // Monday: 08:00 the AI, 09:00 staff, 16:00 staff, 17:00 the AI.
  const auto& monday = grid.days[1].cells;
  BOOST_TEST((monday[8].decided->action == action_kind::ai));
  BOOST_TEST((monday[9].decided->action == action_kind::voicemail));
  BOOST_TEST((monday[16].decided->action == action_kind::voicemail));
  BOOST_TEST((monday[17].decided->action == action_kind::ai));
  // Tuesday is a holiday: closed all day.
  BOOST_TEST(grid.days[2].holiday);
  BOOST_TEST((grid.days[2].cells[10].decided->action == action_kind::ai));
}
