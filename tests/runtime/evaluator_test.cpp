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
