#include <string_view>

#include <boost/test/unit_test.hpp>
#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/policy_grammar.h"

namespace g = callpolicy::grammar;
namespace pegtl = tao::pegtl;

namespace {
template <typename Rule>
bool matches_whole(std::string_view text) {
  pegtl::memory_input<> in(text.data(), text.size(), "test");
  try {
    return pegtl::parse<pegtl::seq<Rule, pegtl::eof>>(in);
  } catch (const pegtl::parse_error&) {
    return false;
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(grammar_has_no_infinite_loops) {
  BOOST_TEST(pegtl::analyze<g::file>(-1) == 0u);
  BOOST_TEST(pegtl::analyze<g::date_time_only>(-1) == 0u);
}

BOOST_AUTO_TEST_CASE(times_windows_and_dates_by_shape) {
  BOOST_TEST(matches_whole<g::window>("09:00-17:00"));
  BOOST_TEST(matches_whole<g::window>("22:00-02:00"));
  BOOST_TEST(!matches_whole<g::window>("9:00-17:00"));
  BOOST_TEST(matches_whole<g::date_or_range>("2026-12-28..2027-01-02"));
  BOOST_TEST(!matches_whole<g::date_or_range>("2026-12-28.."));
  BOOST_TEST(matches_whole<g::duration>("20s"));
  BOOST_TEST(!matches_whole<g::duration>("20 s"));
}

BOOST_AUTO_TEST_CASE(day_sets) {
  BOOST_TEST(matches_whole<g::day_set>("mon-fri"));
  BOOST_TEST(matches_whole<g::day_set>("fri-mon"));
  BOOST_TEST(matches_whole<g::day_set>("mon,wed,fri"));
  BOOST_TEST(matches_whole<g::day_set>("mon, wed"));
  BOOST_TEST(matches_whole<g::day_set>("weekends"));
  BOOST_TEST(!matches_whole<g::day_set>("monday"));
  BOOST_TEST(!matches_whole<g::day_set>("dailyx"));
}

BOOST_AUTO_TEST_CASE(conditions_and_keywords_need_word_boundaries) {
  BOOST_TEST(matches_whole<g::condition>("closed or overflow and not via sip"));
  BOOST_TEST(matches_whole<g::condition>("(closed or overflow) and calls >= 3"));
  BOOST_TEST(matches_whole<g::condition>("on 2026-12-31"));
  BOOST_TEST(!matches_whole<g::condition>("opened"));
  BOOST_TEST(!matches_whole<g::condition>("holidays"));
  BOOST_TEST(matches_whole<g::string_literal>(R"("a \"quoted\" word\n")"));
  BOOST_TEST(!matches_whole<g::string_literal>("\"unterminated"));
}

BOOST_AUTO_TEST_CASE(date_time_forms) {
  BOOST_TEST(matches_whole<g::date_time>("2026-12-24T10:00"));
  BOOST_TEST(matches_whole<g::date_time>("2026-12-24T10:00:05Z"));
  BOOST_TEST(matches_whole<g::date_time>("2026-12-24T10:00+05:30"));
  BOOST_TEST(!matches_whole<g::date_time>("2026-12-24"));
}

BOOST_AUTO_TEST_CASE(an_arrow_ends_a_word) {
  BOOST_TEST(matches_whole<g::route_rule>("otherwise->voicemail"));
  BOOST_TEST(matches_whole<g::route_rule>("(closed)or(overflow and via sip)->ai as \"x\""));
  BOOST_TEST(!matches_whole<g::mode_name>("after-"));
}
