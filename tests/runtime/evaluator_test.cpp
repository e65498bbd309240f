// The evaluator's answers as a function of the clinic's active calls: what a
// shared store reads to admit a call's AI leg in the same step that counts it.
#include <boost/test/unit_test.hpp>

#include "runtime/evaluator.h"
#include "tests/runtime/clinic_builder.h"

using namespace callpolicy;
using namespace callpolicy::testing;

namespace {

// "calls >= 5 -> voicemail; calls >= 3 -> ai; otherwise -> forward".
compiled_clinic by_calls() {
  compiled_clinic c = open_or_ai("UTC");
  c.predicates.clear();
  predicate at_least_3;
  at_least_3.type = predicate::kind::calls_at_least;
  at_least_3.threshold = 3;
  predicate at_least_5 = at_least_3;
  at_least_5.threshold = 5;
  c.predicates = {at_least_3, at_least_5};
  c.leaves = {{action_kind::forward, "otherwise"}, {action_kind::ai, "calls >= 3"}, {action_kind::voicemail, "calls >= 5"}};
  c.nodes = {{0, leaf_target(1), leaf_target(0)}, {1, leaf_target(2), 0}};
  c.root = 1;
  c.forward.number = "+14165550000";
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_counts_that_reach_the_ai_agree_with_decide) {
  const auto set = load_one(by_calls());
  const runtime_clinic& clinic = set->clinics().front();
  call_context call{std::chrono::sys_seconds{std::chrono::hours(24 * 20000)}, 0, {}, via_kind::ported};
  std::string pattern;
  ai_by_count(clinic, call, pattern);
  BOOST_TEST(pattern == "0,3,5");
  for (std::int32_t n = 0; n < 12; ++n) {
    call.active_calls = n;
    BOOST_TEST(ai_at_count(pattern, n) == (decide(clinic, call).action == action_kind::ai), "at " << n << " calls");
  }
  // Without a count predicate the answer is one for every count.
  const auto always = load_one(open_or_ai("UTC"));
  ai_by_count(always->clinics().front(), call, pattern);
  BOOST_TEST((pattern == "0" || pattern == "1"));
  BOOST_TEST(ai_at_count("1", 1000));
  BOOST_TEST(!ai_at_count("0", 0));
  BOOST_TEST(!ai_at_count("", 0));
  // A pattern that is not one the evaluator writes reads as far as it can.
  BOOST_TEST(ai_at_count("0,2,x", 7));
}

// "wait > 4m -> ai; otherwise -> voicemail" on 3 lines, and "wait >= 4m" and
// "wait < 4m" likewise: the counts at which the AI answers, for several mean
// call lengths, agree with decide at every count.
BOOST_AUTO_TEST_CASE(the_counts_that_reach_the_ai_by_the_estimated_wait_agree_with_decide) {
  for (const predicate::kind kind : {predicate::kind::wait_above, predicate::kind::wait_at_least}) {
    for (const bool negated : {false, true}) {
      compiled_clinic c = open_or_ai("UTC");
      c.lines = 3;
      predicate wait;
      wait.type = kind;
      wait.threshold = 240;
      c.predicates = {wait};
      c.leaves = {{action_kind::voicemail, "otherwise"}, {action_kind::ai, "wait"}};
      c.nodes = {{0, leaf_target(negated ? 0 : 1), leaf_target(negated ? 1 : 0)}};
      c.root = 0;
      const auto set = load_one(c);
      const runtime_clinic& clinic = set->clinics().front();
      for (const std::int32_t mean : {0, 1, 59, 60, 80, 120, 240, 241, 720, 100000}) {
        call_context call{std::chrono::sys_seconds{std::chrono::hours(24 * 20000)}, 0, {}, via_kind::ported};
        call.mean_call_seconds = mean;
        std::string pattern;
        ai_by_count(clinic, call, pattern);
        for (std::int32_t n = 0; n < 40; ++n) {
          call.active_calls = n;
          BOOST_TEST(ai_at_count(pattern, n) == (decide(clinic, call).action == action_kind::ai),
                     "pattern " << pattern << " at " << n << " calls, mean " << mean);
        }
      }
    }
  }
  // The estimate itself: 5 calls on 3 lines leave 3 waiting, 3 x 360 s / 3 = 360 s.
  BOOST_TEST(compare_wait(3, 5, 360, 360).value() == 0);
  BOOST_TEST(compare_wait(3, 5, 360, 359).value() > 0);
  BOOST_TEST(compare_wait(3, 1, 360, 0).value() == 0);  // nobody waits below the lines
  BOOST_TEST(!compare_wait(3, 5, 0, 10).has_value());    // an unknown mean
  BOOST_TEST(!compare_wait(0, 5, 60, 10).has_value());   // no lines
}
