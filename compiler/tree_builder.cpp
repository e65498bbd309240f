#include "compiler/tree_builder.h"

#include <algorithm>

namespace callpolicy {

tree_target tree_builder::leaf(action_kind action, const std::string& reason) {
  const tree_leaf l{action, reason};
  const auto it = std::find(clinic_.leaves.begin(), clinic_.leaves.end(), l);
  if (it != clinic_.leaves.end()) return leaf_target(static_cast<std::int32_t>(it - clinic_.leaves.begin()));
  clinic_.leaves.push_back(l);
  return leaf_target(static_cast<std::int32_t>(clinic_.leaves.size() - 1));
}

tree_target tree_builder::test(predicate p, tree_target if_true, tree_target if_false) {
  if (if_true == if_false) return if_true;  // the test cannot change the outcome
  if (p.type == predicate::kind::caller_in) std::sort(p.callers.begin(), p.callers.end());
  auto pit = std::find(clinic_.predicates.begin(), clinic_.predicates.end(), p);
  if (pit == clinic_.predicates.end()) {
    clinic_.predicates.push_back(std::move(p));
    pit = clinic_.predicates.end() - 1;
  }
  const tree_node n{static_cast<std::uint32_t>(pit - clinic_.predicates.begin()), if_true, if_false};
  const auto nit = std::find(clinic_.nodes.begin(), clinic_.nodes.end(), n);
  if (nit != clinic_.nodes.end()) return static_cast<tree_target>(nit - clinic_.nodes.begin());
  clinic_.nodes.push_back(n);
  return static_cast<tree_target>(clinic_.nodes.size() - 1);
}

tree_target tree_builder::compile(const ast::condition& c, tree_target t, tree_target f) {
  using k = ast::condition::kind;
  predicate p;
  auto at_least = [](std::int64_t n) {
    predicate q;
    q.type = predicate::kind::calls_at_least;
    q.threshold = static_cast<std::int32_t>(std::min<std::int64_t>(n, INT32_MAX));
    return q;
  };
  switch (c.type) {
    case k::and_: return compile(c.operands.at(0), compile(c.operands.at(1), t, f), f);
    case k::or_: return compile(c.operands.at(0), t, compile(c.operands.at(1), t, f));
    case k::not_: return compile(c.operands.at(0), f, t);
    case k::open: p.type = predicate::kind::open; return test(p, t, f);
    case k::closed: p.type = predicate::kind::open; return test(p, f, t);
    case k::holiday: p.type = predicate::kind::holiday; return test(p, t, f);
    case k::scheduled: p.type = predicate::kind::scheduled; return test(p, t, f);
    case k::overflow: return test(at_least(overflow_threshold_.value_or(0)), t, f);
    case k::calls: {
      const std::int64_t n = c.count;
      switch (c.op) {
        case ast::compare_op::ge: return test(at_least(n), t, f);
        case ast::compare_op::gt: return test(at_least(n + 1), t, f);
        case ast::compare_op::lt: return test(at_least(n), f, t);
        case ast::compare_op::le: return test(at_least(n + 1), f, t);
        case ast::compare_op::eq: return test(at_least(n), test(at_least(n + 1), f, t), f);
      }
      return f;
    }
    case k::caller:
      p.type = predicate::kind::caller_in;
      p.callers = c.callers;
      return test(std::move(p), t, f);
    case k::via:
      p.type = predicate::kind::via_in;
      p.vias = c.vias;
      return test(p, t, f);
    case k::during:
      p.type = predicate::kind::during;
      p.days = c.days;
      p.windows = c.windows;
      return test(std::move(p), t, f);
    case k::on:
      p.type = predicate::kind::on_dates;
      p.dates = c.dates;
      return test(p, t, f);
  }
  return f;
}

void tree_builder::build(const std::vector<rule_to_build>& rules) {
  clinic_.nodes.clear();
  clinic_.leaves.clear();
  clinic_.predicates.clear();
  tree_target next = leaf(rules.back().action, rules.back().reason);
  for (std::size_t i = rules.size() - 1; i-- > 0;) {
    next = compile(*rules[i].when, leaf(rules[i].action, rules[i].reason), next);
  }
  clinic_.root = next;
}

}  // namespace callpolicy
