// When a clinic's answer next changes, against a brute-force scan of every
// minute, around daylight-saving gaps and overlaps and in zones whose
// offsets are not whole hours.
#include <boost/test/unit_test.hpp>

#include <random>

#include "runtime/evaluator.h"
#include "tests/runtime/clinic_builder.h"

using namespace callpolicy;
using namespace callpolicy::testing;
using namespace std::chrono;

namespace {

constexpr seconds week{7 * 86400};

// Every whole minute after `at` (zones of today change offsets on whole
// minutes, and windows bound whole local minutes), the first whose action differs.
std::optional<sys_seconds> scanned(const runtime_clinic& c, const call_context& call, seconds horizon) {
  const action_kind now = decide(c, call).action;
  call_context later = call;
  for (sys_seconds t = floor<minutes>(call.at) + minutes(1); t <= call.at + horizon; t += minutes(1)) {
    later.at = t;
    if (decide(c, later).action != now) return t;
  }
  return std::nullopt;
}

sys_seconds utc(int y, unsigned m, unsigned d, int h, int min, int s = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
}

call_context call_at(sys_seconds t) {
  call_context call;
  call.at = t;
  return call;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_answer_changes_when_hours_end) {
  compiled_clinic c = open_or_ai("America/Toronto");
  for (int day = 0; day < 5; ++day) c.weekly_hours[static_cast<std::size_t>(day)] = {w(9, 0, 17, 0)};
  const auto set = load_one(std::move(c));
  const runtime_clinic& clinic = set->clinics().front();
  // Friday 2026-12-04 16:30 in Toronto is 21:30 UTC: open until 17:00, then the weekend.
  const auto change = next_change(clinic, call_at(utc(2026, 12, 4, 21, 30, 12)), week);
  BOOST_REQUIRE(change.has_value());
  BOOST_TEST(change->time_since_epoch().count() == utc(2026, 12, 4, 22, 0).time_since_epoch().count());
  // Saturday noon: closed until Monday 09:00.
  const auto monday = next_change(clinic, call_at(utc(2026, 12, 5, 17, 0)), week);
  BOOST_REQUIRE(monday.has_value());
  BOOST_TEST(monday->time_since_epoch().count() == utc(2026, 12, 7, 14, 0).time_since_epoch().count());
  // Within a shorter horizon, no change.
  BOOST_TEST(!next_change(clinic, call_at(utc(2026, 12, 5, 17, 0)), hours(24)).has_value());
}

BOOST_AUTO_TEST_CASE(a_clinic_that_always_answers_alike_has_no_change) {
  compiled_clinic c = open_or_ai("Europe/London");
  c.nodes.clear();
  c.root = leaf_target(1);
  const auto set = load_one(std::move(c));
  BOOST_TEST(!next_change(set->clinics().front(), call_at(utc(2026, 12, 4, 12, 0)), week).has_value());
}

BOOST_AUTO_TEST_CASE(a_daylight_saving_gap_ends_a_window_that_it_swallows) {
  // Sunday 2027-03-14 in Toronto: 02:00 EST jumps to 03:00 EDT, at 07:00 UTC.
  compiled_clinic c = open_or_ai("America/Toronto");
  c.weekly_hours[6] = {w(1, 0, 2, 30)};
  const auto set = load_one(std::move(c));
  const runtime_clinic& clinic = set->clinics().front();
  const call_context call = call_at(utc(2027, 3, 14, 6, 30));  // 01:30 EST, open
  const auto change = next_change(clinic, call, week);
  BOOST_REQUIRE(change.has_value());
  BOOST_TEST(change->time_since_epoch().count() == utc(2027, 3, 14, 7, 0).time_since_epoch().count());
  BOOST_TEST((change == scanned(clinic, call, week)));
}

BOOST_AUTO_TEST_CASE(a_repeated_hour_opens_a_window_twice) {
  // Sunday 2026-11-01 in Toronto: 02:00 EDT goes back to 01:00 EST, at 06:00 UTC.
  compiled_clinic c = open_or_ai("America/Toronto");
  c.weekly_hours[6] = {w(1, 0, 1, 30)};
  const auto set = load_one(std::move(c));
  const runtime_clinic& clinic = set->clinics().front();
  // 01:40 EDT (05:40 UTC): closed; it opens again when 01:00 comes round a second time.
  const call_context call = call_at(utc(2026, 11, 1, 5, 40));
  const auto change = next_change(clinic, call, week);
  BOOST_REQUIRE(change.has_value());
  BOOST_TEST(change->time_since_epoch().count() == utc(2026, 11, 1, 6, 0).time_since_epoch().count());
  // Then it closes at the second 01:30 (06:30 UTC), not at the first.
  const auto closes = next_change(clinic, call_at(utc(2026, 11, 1, 6, 10)), week);
  BOOST_REQUIRE(closes.has_value());
  BOOST_TEST(closes->time_since_epoch().count() == utc(2026, 11, 1, 6, 30).time_since_epoch().count());
}

BOOST_AUTO_TEST_CASE(random_hours_in_many_zones_agree_with_a_scan_of_every_minute) {
  std::mt19937 random(20261202);
  const char* zones[] = {"America/Toronto", "Europe/London", "Australia/Sydney", "America/St_Johns",
                         "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"};
  // Around the changes of offset of 2026 and 2027, and ordinary days.
  const sys_seconds starts[] = {utc(2026, 3, 7, 0, 0), utc(2026, 3, 28, 12, 0), utc(2026, 4, 4, 0, 0),
                                utc(2026, 9, 26, 0, 0), utc(2026, 10, 24, 0, 0), utc(2026, 10, 31, 0, 0),
                                utc(2027, 1, 15, 0, 0)};
  int compared = 0;
  int changed = 0;
  for (const char* zone : zones) {
    for (int round = 0; round < 12; ++round) {
      compiled_clinic c = open_or_ai(zone);
      for (auto& day : c.weekly_hours) {
        if (random() % 4 == 0) continue;  // closed that day
        // One or two windows, anywhere in the day, some ending at midnight.
        const int a = static_cast<int>(random() % 700);
        const int b = a + 1 + static_cast<int>(random() % 300);
        const int e = b + 1 + static_cast<int>(random() % 300);
        const int f = std::min(1440, e + 1 + static_cast<int>(random() % 500));
        day.push_back({static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b)});
        if (random() % 2 == 0) day.push_back({static_cast<std::uint16_t>(e), static_cast<std::uint16_t>(f)});
      }
      const auto set = load_one(std::move(c));
      const runtime_clinic& clinic = set->clinics().front();
      const sys_seconds start = starts[random() % std::size(starts)] + seconds(random() % (8 * 86400));
      const call_context call = call_at(start);
      const auto got = next_change(clinic, call, week);
      const auto want = scanned(clinic, call, week);
      BOOST_TEST((got == want), zone << " from " << start.time_since_epoch().count() << ": "
                                     << (got ? got->time_since_epoch().count() : -1) << " vs "
                                     << (want ? want->time_since_epoch().count() : -1));
      ++compared;
      changed += want.has_value();
    }
  }
  BOOST_TEST(compared == 96);
  BOOST_TEST(changed > 60);  // most random weeks do change: the comparison is not vacuous
}
