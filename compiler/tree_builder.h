// Builds a clinic's decision tree from its rules (docs/language.md, "Diagnostics"). Each rule's
// condition is compiled by continuation: true goes to the rule's leaf, false
// to the tree of the rules after it; `and`, `or` and `not` only rewire the
// continuations, so every internal node tests exactly one predicate.
// Identical predicates, leaves and nodes are shared.
#pragma once

#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "model/compiled_policy.h"

namespace callpolicy {

// The predicate tests an atom of a condition stands for, all of which must
// hold: `calls == N` is `calls >= N` and not `calls >= N+1`; `closed` is
// not `open`. Shared by the tree builder and the exact lints.
struct atom_test {
  predicate test;
  bool negated = false;
};
std::vector<atom_test> atom_tests(const ast::condition& atom, std::optional<std::uint32_t> overflow_threshold);

// The clinic's predicates, each once, found by value in constant time: a
// route of 10,000 rules must not compare each new predicate with every
// earlier one. Shared by the tree builder and the exact lints.
class predicate_table {
 public:
  explicit predicate_table(std::vector<predicate>& predicates);
  std::uint32_t intern(const predicate& p);

 private:
  std::vector<predicate>* predicates_;
  std::unordered_map<std::string, std::uint32_t> index_;
};

struct rule_to_build {
  const ast::condition* when = nullptr;  // nullptr: otherwise
  action_kind action = action_kind::ai;
  std::string reason;
};

class tree_builder {
 public:
  // `overflow_threshold` is what `overflow` means; the caller has checked it exists if used.
  tree_builder(compiled_clinic& clinic, std::optional<std::uint32_t> overflow_threshold)
      : clinic_(clinic), overflow_threshold_(overflow_threshold) {}

  // Sets clinic.root, nodes, leaves and predicates. The last rule must be `otherwise`.
  void build(const std::vector<rule_to_build>& rules);
  // Sets clinic.transfer, adding to the predicates `build` left.
  void build_transfer(const std::vector<rule_to_build>& rules);

 private:
  tree_target build_into(const std::vector<rule_to_build>& rules, std::vector<tree_node>& nodes,
                         std::vector<tree_leaf>& leaves);
  tree_target compile(const ast::condition& c, tree_target if_true, tree_target if_false);
  tree_target test(predicate p, tree_target if_true, tree_target if_false);
  tree_target leaf(action_kind action, const std::string& reason);

  compiled_clinic& clinic_;
  std::optional<std::uint32_t> overflow_threshold_;
  predicate_table predicates_{clinic_.predicates};
  std::map<std::pair<action_kind, std::string>, tree_target> leaves_;
  std::map<std::tuple<std::uint32_t, tree_target, tree_target>, tree_target> nodes_;
  std::vector<tree_node>* nodes_out_ = &clinic_.nodes;
  std::vector<tree_leaf>* leaves_out_ = &clinic_.leaves;
};

}  // namespace callpolicy
