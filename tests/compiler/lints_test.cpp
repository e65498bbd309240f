// The lints (docs/language.md, "Diagnostics"), each at its line, and near misses that must stay silent.
#include <boost/test/unit_test.hpp>

#include "compiler/compiler.h"

using namespace callpolicy;

namespace {

std::vector<diagnostic> lint(const std::string& body, const std::string& extra = {}) {
  source_set sources;
  sources.files.push_back({"t.policy", "clinic c {\n  timezone \"America/Toronto\"\n  fallback voicemail\n"
                                       "  numbers { ported +15555550199 }\n  forward +15555550100\n" +
                                           body + "\n}\n" + extra});
  diagnostic_sink sink;
  compile_sources(sources, {days_from_civil(2026, 11, 24)}, sink);
  BOOST_TEST_INFO("errors: " << sink.error_count());
  BOOST_REQUIRE(sink.error_count() == 0u);
  return sink.all();
}

std::vector<std::uint32_t> lines_of(const std::vector<diagnostic>& all, std::string_view code) {
  std::vector<std::uint32_t> lines;
  for (const diagnostic& d : all) {
    if (d.code == code) lines.push_back(d.where.line);
  }
  return lines;
}

using lines = std::vector<std::uint32_t>;

}  // namespace

BOOST_AUTO_TEST_CASE(rules_covered_by_earlier_rules_are_unreachable) {
  const auto d = lint(R"(  hours { mon-fri 09:00-17:00 }
  route {
    open or holiday            -> voicemail
    closed and not holiday     -> ai
    calls >= 5                 -> busy
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(d, codes::unreachable_rule) == (lines{10, 11}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_lower_threshold_after_a_higher_one_is_alive) {
  const auto d = lint(R"(  route {
    calls >= 5                 -> busy
    calls >= 3                 -> forward
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(d, codes::unreachable_rule).empty());
  const auto dead = lint(R"(  route {
    calls >= 3                 -> forward
    calls >= 5                 -> busy
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(dead, codes::unreachable_rule) == (lines{8}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(waits_are_judged_over_call_counts_and_mean_call_lengths) {
  // A shorter wait after a longer one is alive; a longer one after it is not.
  const auto alive = lint(R"(  lines 3
  route {
    wait > 5m                  -> callback
    wait > 4m                  -> forward
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(alive, codes::unreachable_rule).empty());
  const auto dead = lint(R"(  lines 3
  route {
    wait > 4m                  -> callback
    wait >= 5m                 -> forward
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(dead, codes::unreachable_rule) == (lines{9}), boost::test_tools::per_element());
  // Below the lines nobody waits: with no call active and three lines, no wait is long.
  const auto never = lint(R"(  lines 3
  route {
    calls < 2 and wait > 1s    -> callback
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(never, codes::unreachable_rule) == (lines{8}), boost::test_tools::per_element());
  // An exact wait: three calls waiting on two lines at 160 s a call is exactly 4m.
  const auto exact = lint(R"(  lines 2
  route {
    calls == 4 and wait == 4m  -> callback
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(exact, codes::unreachable_rule).empty());
  // Unknown with too few calls: `not wait > 4m` holds, so `otherwise` can still decide.
  const auto unknown = lint(R"(  lines 1
  route {
    wait > 4m                  -> callback
    wait <= 4m                 -> forward
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(unknown, codes::unreachable_rule).empty());
}

BOOST_AUTO_TEST_CASE(callers_vias_and_dates_are_classes_of_their_own) {
  const auto d = lint(R"(  hours { daily 00:00-24:00 }
  holidays { 2026-12-25 "Christmas" }
  special { 2026-12-31 closed }
  route {
    open                       -> voicemail
    caller +15555550001        -> forward
    via sip                    -> ai
    holiday                    -> ai
    on 2026-12-31              -> busy
    otherwise                  -> ai
  })");
  // Open all day except Christmas and New Year's Eve: the VIP rule and `via
  // sip` still decide on those dates, `holiday` on Christmas, `on` on the 31st;
  // only `otherwise` is left with nothing to decide.
  BOOST_TEST(lines_of(d, codes::unreachable_rule) == (lines{15}), boost::test_tools::per_element());
  const auto never = lint(R"(  route {
    calls < 0                  -> busy
    otherwise                  -> ai
  })");
  BOOST_TEST(lines_of(never, codes::unreachable_rule) == (lines{7}), boost::test_tools::per_element());
  BOOST_TEST(never.front().message == "rule 'calls < 0' can never decide: its condition never holds");
}

BOOST_AUTO_TEST_CASE(an_overnight_window_keeps_a_rule_alive_after_midnight) {
  const auto d = lint(R"(  hours { fri 22:00-02:00 }
  route {
    during fri 00:00-24:00     -> voicemail
    open                       -> ai
    otherwise                  -> busy
  })");
  // `open` still decides on Saturday 00:00-02:00, which `during fri` does not cover.
  BOOST_TEST(lines_of(d, codes::unreachable_rule).empty());
}

BOOST_AUTO_TEST_CASE(schedule_lines_overridden_by_later_lines) {
  const auto d = lint(R"(  schedule {
    disable sat 10:00-11:00
    enable  weekends
    enable  mon-fri 08:00-18:00
    disable fri 12:00-13:00
    enable  2026-12-24
    disable 2026-12-24..2026-12-26
  }
  mode scheduled)");
  BOOST_TEST(lines_of(d, codes::shadowed_schedule) == (lines{7, 11}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(nobody_answers_in_an_ordinary_week) {
  BOOST_TEST(lines_of(lint("  mode disabled"), codes::never_answered) == (lines{6}),
             boost::test_tools::per_element());
  BOOST_TEST(lines_of(lint("  mode always"), codes::never_answered).empty());
  // Answered only on one date: the ordinary week is still silent.
  const auto d = lint(R"(  route {
    on 2026-12-24 -> ai
    otherwise -> voicemail
  })");
  BOOST_TEST(lines_of(d, codes::never_answered).size() == 1u);
  // A menu answers when one of its branches reaches the AI or staff.
  const std::string menu_route = "  route {\n    otherwise -> menu\n  }\n";
  BOOST_TEST(lines_of(lint(menu_route + "  menu {\n    1 -> voicemail\n    timeout -> busy\n  }"),
                      codes::never_answered)
                 .size() == 1u);
  BOOST_TEST(lines_of(lint(menu_route + "  menu {\n    1 -> voicemail\n    2 -> forward\n  }"),
                      codes::never_answered)
                 .empty());
  BOOST_TEST(lines_of(lint(menu_route + "  menu {\n    1 -> voicemail\n    timeout -> ai\n  }"),
                      codes::never_answered)
                 .empty());
}

BOOST_AUTO_TEST_CASE(overlapping_windows_including_overnight_spill) {
  const auto d = lint(R"(  hours {
    mon 09:00-12:00, 11:00-14:00
    tue 22:00-03:00
    wed 02:00-05:00
    thu 09:00-12:00, 12:00-14:00
  })");
  BOOST_TEST(lines_of(d, codes::overlapping_windows) == (lines{7, 8}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(holidays_on_closed_days_and_past_dates) {
  const auto d = lint(R"(  hours { mon-fri 09:00-17:00 }
  holidays {
    2026-12-27 "a Sunday"
    2026-12-25 "a Friday"
  })");
  BOOST_TEST(lines_of(d, codes::holiday_on_closed_day) == (lines{8}), boost::test_tools::per_element());
  BOOST_TEST(lines_of(d, codes::past_dates).empty());
  const auto past = lint(R"(  holidays { 2025-12-25 }
  special { 2025-12-31 closed })");
  BOOST_TEST(lines_of(past, codes::past_dates) == (lines{6}), boost::test_tools::per_element());
}
