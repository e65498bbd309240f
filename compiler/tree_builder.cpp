#include "compiler/tree_builder.h"

#include <algorithm>

#include <fmt/format.h>

namespace callpolicy {

namespace {

// A predicate's value as a string, for hashing; fields of other kinds are
// default and add nothing that could make two equal predicates differ.
std::string predicate_key(const predicate& p) {
  std::string key;
  key += static_cast<char>(p.type);
  key += fmt::format("|{}|{}|{}|{},{}|", p.threshold, p.vias, p.days, p.dates.first, p.dates.last);
  for (const window& w : p.windows) key += fmt::format("{}-{},", w.start, w.end);
  key += '|';
  for (const std::string& c : p.callers) key += c + ",";
  return key;
}

}  // namespace

predicate_table::predicate_table(std::vector<predicate>& predicates) : predicates_(&predicates) {
  for (std::uint32_t i = 0; i < predicates.size(); ++i) index_.emplace(predicate_key(predicates[i]), i);
}

std::uint32_t predicate_table::intern(const predicate& p) {
  const auto [it, added] = index_.emplace(predicate_key(p), static_cast<std::uint32_t>(predicates_->size()));
  if (added) predicates_->push_back(p);
  return it->second;
}

tree_target tree_builder::leaf(action_kind action, const std::string& reason) {
  const auto [it, added] = leaves_.emplace(std::pair{action, reason}, 0);
  if (added) {
    it->second = leaf_target(static_cast<std::int32_t>(leaves_out_->size()));
    leaves_out_->push_back({action, reason});
  }
  return it->second;
}

tree_target tree_builder::test(predicate p, tree_target if_true, tree_target if_false) {
  if (if_true == if_false) return if_true;  // the test cannot change the outcome
  const std::uint32_t index = predicates_.intern(p);
  const auto [it, added] = nodes_.emplace(std::tuple{index, if_true, if_false}, 0);
  if (added) {
    it->second = static_cast<tree_target>(nodes_out_->size());
    nodes_out_->push_back({index, if_true, if_false});
  }
  return it->second;
}

std::vector<atom_test> atom_tests(const ast::condition& c, std::optional<std::uint32_t> overflow_threshold) {
  using k = ast::condition::kind;
  auto at_least = [](std::int64_t n, bool negated = false) {
    atom_test a;
    a.test.type = predicate::kind::calls_at_least;
    a.test.threshold = static_cast<std::int32_t>(std::min<std::int64_t>(n, INT32_MAX));
    a.negated = negated;
    return a;
  };
  atom_test a;
  switch (c.type) {
    case k::open: a.test.type = predicate::kind::open; break;
    case k::closed: a.test.type = predicate::kind::open; a.negated = true; break;
    case k::holiday: a.test.type = predicate::kind::holiday; break;
    case k::scheduled: a.test.type = predicate::kind::scheduled; break;
    case k::overflow: return {at_least(overflow_threshold.value_or(0))};
    case k::calls: {
      const std::int64_t n = c.count;
      switch (c.op) {
        case ast::compare_op::ge: return {at_least(n)};
        case ast::compare_op::gt: return {at_least(n + 1)};
        case ast::compare_op::lt: return {at_least(n, true)};
        case ast::compare_op::le: return {at_least(n + 1, true)};
        case ast::compare_op::eq: return {at_least(n), at_least(n + 1, true)};
      }
      break;
    }
    case k::wait: {
      // Every comparison is false while the estimate is unknown.
      const auto wait = [&](predicate::kind kind, bool negated = false) {
        atom_test w;
        w.test.type = kind;
        w.test.threshold = c.count;
        w.negated = negated;
        return w;
      };
      atom_test known;
      known.test.type = predicate::kind::wait_known;
      switch (c.op) {
        case ast::compare_op::gt: return {wait(predicate::kind::wait_above)};
        case ast::compare_op::ge: return {wait(predicate::kind::wait_at_least)};
        case ast::compare_op::lt: return {known, wait(predicate::kind::wait_at_least, true)};
        case ast::compare_op::le: return {known, wait(predicate::kind::wait_above, true)};
        case ast::compare_op::eq:
          return {wait(predicate::kind::wait_at_least), wait(predicate::kind::wait_above, true)};
      }
      break;
    }
    case k::caller:
      a.test.type = predicate::kind::caller_in;
      a.test.callers = c.callers;
      std::sort(a.test.callers.begin(), a.test.callers.end());
      break;
    case k::via: a.test.type = predicate::kind::via_in; a.test.vias = c.vias; break;
    case k::during:
      a.test.type = predicate::kind::during;
      a.test.days = c.days;
      a.test.windows = c.windows;
      break;
    case k::on: a.test.type = predicate::kind::on_dates; a.test.dates = c.dates; break;
    case k::to:
      a.test.type = predicate::kind::transfer_to;
      a.test.callers = c.callers;
      std::sort(a.test.callers.begin(), a.test.callers.end());
      break;
    case k::not_:
    case k::and_:
    case k::or_: return {};  // not atoms
  }
  return {a};
}

tree_target tree_builder::compile(const ast::condition& c, tree_target t, tree_target f) {
  using k = ast::condition::kind;
  switch (c.type) {
    case k::and_: {
      tree_target next = t;
      for (auto it = c.operands.rbegin(); it != c.operands.rend(); ++it) next = compile(*it, next, f);
      return next;
    }
    case k::or_: {
      tree_target next = f;
      for (auto it = c.operands.rbegin(); it != c.operands.rend(); ++it) next = compile(*it, t, next);
      return next;
    }
    case k::not_: return compile(c.operands.at(0), f, t);
    default: break;
  }
  // Every test of the atom must hold: chain them, the last one first.
  const std::vector<atom_test> tests = atom_tests(c, overflow_threshold_);
  tree_target target = t;
  for (auto it = tests.rbegin(); it != tests.rend(); ++it) {
    target = it->negated ? test(it->test, f, target) : test(it->test, target, f);
  }
  return target;
}

void tree_builder::build(const std::vector<rule_to_build>& rules) {
  clinic_.predicates.clear();
  predicates_ = predicate_table(clinic_.predicates);
  clinic_.root = build_into(rules, clinic_.nodes, clinic_.leaves);
}

void tree_builder::build_transfer(const std::vector<rule_to_build>& rules) {
  predicates_ = predicate_table(clinic_.predicates);
  transfer_tree& t = clinic_.transfer;
  t.configured = true;
  t.root = build_into(rules, t.nodes, t.leaves);
}

tree_target tree_builder::build_into(const std::vector<rule_to_build>& rules, std::vector<tree_node>& nodes,
                                     std::vector<tree_leaf>& leaves) {
  nodes.clear();
  leaves.clear();
  nodes_out_ = &nodes;
  leaves_out_ = &leaves;
  leaves_.clear();
  nodes_.clear();
  tree_target next = leaf(rules.back().action, rules.back().reason);
  for (std::size_t i = rules.size() - 1; i-- > 0;) {
    next = compile(*rules[i].when, leaf(rules[i].action, rules[i].reason), next);
  }
  return next;
}

}  // namespace callpolicy
