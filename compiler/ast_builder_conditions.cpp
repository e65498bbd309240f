// Route conditions (not, and, or and the atoms) and route rules.
#include "compiler/ast_builder.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "grammar/policy_grammar.h"

namespace callpolicy::detail {

namespace g = callpolicy::grammar;

ast::condition ast_builder::build_condition(const node& n) {
  if (n.is_type<g::condition>()) return fold(n, ast::condition::kind::or_);
  if (n.is_type<g::conjunction>() || n.is_type<g::or_operand>()) {
    return fold(n, ast::condition::kind::and_);
  }
  ast::condition c;
  c.where = where(n);
  using k = ast::condition::kind;
  if (n.is_type<g::negation>()) {
    c.type = k::not_;
    c.operands.push_back(build_condition(*n.children.at(0)));
  } else if (n.is_type<g::cond_holiday>()) {
    c.type = k::holiday;
  } else if (n.is_type<g::cond_open>()) {
    c.type = k::open;
  } else if (n.is_type<g::cond_closed>()) {
    c.type = k::closed;
  } else if (n.is_type<g::cond_scheduled>()) {
    c.type = k::scheduled;
  } else if (n.is_type<g::cond_overflow>()) {
    c.type = k::overflow;
  } else if (n.is_type<g::cond_calls>() || n.is_type<g::cond_wait>()) {
    const bool wait = n.is_type<g::cond_wait>();
    c.type = wait ? k::wait : k::calls;
    const std::string op = child_of<g::compare_op>(n)->string();
    c.op = op == ">="   ? ast::compare_op::ge
           : op == ">"  ? ast::compare_op::gt
           : op == "<=" ? ast::compare_op::le
           : op == "<"  ? ast::compare_op::lt
                        : ast::compare_op::eq;
    if (wait) {
      if (auto v = duration_value(*child_of<g::duration>(n))) c.count = static_cast<std::int32_t>(*v);
    } else if (auto v = integer_value(*child_of<g::integer>(n))) {
      c.count = static_cast<std::int32_t>(*v);
    }
  } else if (n.is_type<g::cond_caller>()) {
    c.type = k::caller;
    for (auto& p : phones_of(n)) c.callers.push_back(std::move(p.value));
  } else if (n.is_type<g::cond_to>()) {
    c.type = k::to;
    for (auto& p : phones_of(n)) c.callers.push_back(std::move(p.value));
  } else if (n.is_type<g::cond_via>()) {
    c.type = k::via;
    for (const auto& v : n.children) {
      if (v->is_type<g::via_name>()) c.vias |= via_bit(*via_from_name(v->string()));
    }
  } else if (n.is_type<g::cond_during>()) {
    c.type = k::during;
    c.days = days_of(n).value_or(0);
    for (const auto& w : windows_of(n)) c.windows.push_back(w.value);
  } else if (n.is_type<g::cond_on>()) {
    c.type = k::on;
    c.dates = dates_of(n).value_or(date_range{});
  }
  return c;
}

ast::condition ast_builder::fold(const node& n, ast::condition::kind how) {
  if (n.children.size() == 1) return build_condition(*n.children.front());
  ast::condition chain;
  chain.type = how;
  chain.operands.reserve(n.children.size());
  for (const auto& child : n.children) chain.operands.push_back(build_condition(*child));
  chain.where = chain.operands.front().where;
  return chain;
}

ast::block<ast::route_rule> ast_builder::build_route(const node& n) {
  ast::block<ast::route_rule> b;
  b.where = where(n);
  for (const auto& r : n.children) {
    if (!r->is_type<g::route_rule>()) continue;
    ast::route_rule rule;
    rule.where = where(*r);
    if (const node* cond = child_of<g::condition>(*r)) rule.when = build_condition(*cond);
    if (const node* action = child_of<g::rule_action>(*r)) {
      rule.action = {action_value(*action), where(*action)};
    }
    if (const node* label = child_of<g::rule_label>(*r)) {
      rule.label = ast::located<std::string>{string_value(*label), where(*label)};
    }
    b.items.push_back(std::move(rule));
  }
  return b;
}

}  // namespace callpolicy::detail
