// A clinic's modes desugared into route rules (docs/language.md, "Modes"),
// its route's and its transfer block's decision trees, and the conditions
// checked for what they need from the clinic.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "compiler/clinic_compiler_state.h"
#include "compiler/tree_builder.h"

namespace callpolicy {

// Walks a condition for what it needs from the clinic.
void clinic_compiler::check_condition(const ast::condition& c, bool in_transfer) {
  using k = ast::condition::kind;
  if (c.type == k::to && !in_transfer) {
    error<messages::to_outside_transfer_block>(c.where);
  }
  if (c.type == k::overflow && !source.overflow) {
    error<messages::overflow_needs_threshold>(c.where);
  }
  if (c.type == k::wait && !source.lines && !source.overflow) {
    error<messages::wait_needs_lines>(c.where);
  }
  if (c.type == k::scheduled && !source.schedule) {
    error<messages::scheduled_needs_schedule>(c.where);
  }
  for (const auto& o : c.operands) check_condition(o, in_transfer);
}

// The synthetic conditions of the modes (docs/language.md, "Modes").
ast::condition clinic_compiler::atom(ast::condition::kind kind, const location& where) {
  ast::condition c;
  c.type = kind;
  c.where = where;
  return c;
}

void clinic_compiler::build_routes(compiled_clinic& c) {
  // The fallback action: `fallback X`, else voicemail.
  c.fallback = action_kind::voicemail;
  if (source.fallback) {
    if (source.fallback->value == ast::action_ref::fallback) {
      error<messages::fallback_names_fallback>(source.fallback->where);
    } else {
      c.fallback = static_cast<action_kind>(source.fallback->value);
    }
  }
  auto concrete = [&](ast::action_ref a) {
    return a == ast::action_ref::fallback ? c.fallback : static_cast<action_kind>(a);
  };

  std::vector<ast::condition> mode_conditions;  // owns what mode rules point at
  mode_conditions.reserve(2);
  std::vector<rule_to_build> rules;
  std::vector<location> rule_locations;  // where each rule's action comes from
  bool uses_fallback = false;

  if (source.mode && source.route) {
    error<messages::mode_beside_route>(source.route->where, where_text(source.mode->where));
  }
  if (source.route) {
    c.mode = "route";
    const auto& items = source.route->items;
    const auto otherwise =
        std::find_if(items.begin(), items.end(), [](const ast::route_rule& r) { return !r.when; });
    if (otherwise == items.end()) {
      error<messages::route_without_otherwise>(source.route->where);
      return;
    }
    if (otherwise != items.end() - 1) {
      error<messages::otherwise_not_last_in_route>(otherwise->where, items.end() - otherwise - 1);
    }
    for (auto it = items.begin(); it != otherwise + 1; ++it) {
      if (it->when) check_condition(*it->when);
      uses_fallback |= it->action.value == ast::action_ref::fallback;
      std::string reason = it->label  ? it->label->value
                           : it->when ? condition_reason(*it->when)
                                      : std::string("otherwise");
      rules.push_back(
          {it->when ? &*it->when : nullptr, concrete(it->action.value), std::move(reason)});
      rule_locations.push_back(it->action.where);
    }
  } else {
    const ast::mode_kind mode = source.mode ? source.mode->value : ast::mode_kind::always;
    const location where = source.mode ? source.mode->where : source.where;
    c.mode = canonical_mode(mode);
    using k = ast::condition::kind;
    switch (mode) {
      case ast::mode_kind::always:
        rules.push_back({nullptr, action_kind::ai, "always-on"});
        break;
      case ast::mode_kind::disabled:
        rules.push_back({nullptr, c.fallback, "disabled"});
        uses_fallback = true;
        break;
      case ast::mode_kind::after_hours_only:
        mode_conditions.push_back(atom(k::open, where));
        mode_conditions.push_back(atom(k::holiday, where));
        rules.push_back({&mode_conditions[0], c.fallback, "business-hours"});
        rules.push_back({&mode_conditions[1], action_kind::ai, "holiday"});
        rules.push_back({nullptr, action_kind::ai, "after-hours"});
        uses_fallback = true;
        break;
      case ast::mode_kind::overflow_only:
        mode_conditions.push_back(atom(k::overflow, where));
        if (!source.overflow) {
          error<messages::overflow_mode_needs_threshold>(where);
        }
        rules.push_back({&mode_conditions[0], action_kind::ai, "overflow"});
        rules.push_back({nullptr, c.fallback, "under-capacity"});
        uses_fallback = true;
        break;
      case ast::mode_kind::scheduled:
        mode_conditions.push_back(atom(k::scheduled, where));
        if (!source.schedule) {
          error<messages::scheduled_mode_needs_schedule>(where);
        }
        rules.push_back({&mode_conditions[0], action_kind::ai, "scheduled-on"});
        rules.push_back({nullptr, c.fallback, "scheduled-off"});
        uses_fallback = true;
        break;
    }
    rule_locations.assign(rules.size(), where);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].action == c.fallback && source.fallback)
        rule_locations[i] = source.fallback->where;
    }
  }
  if (uses_fallback && !source.fallback) {
    report<messages::no_fallback_given>(sink, source.where, source.id);
  }
  // A forward that is used needs a number, a menu its block.
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!require_configured(rules[i].action, rule_locations[i])) break;
  }
  if (failed || rules.empty()) return;
  tree_builder(c, c.overflow_threshold).build(rules);
}

// The transfer block's own tree (docs/language.md, "Transfers from the
// AI"), over the predicates of the clinic's: `to` never reaches the tree
// that answers calls. Without `otherwise`, a target no rule names is
// refused to voicemail.
void clinic_compiler::build_transfer(compiled_clinic& c) {
  if (!source.transfer || failed) return;
  const auto& items = source.transfer->items;
  const auto otherwise =
      std::find_if(items.begin(), items.end(), [](const ast::route_rule& r) { return !r.when; });
  if (otherwise != items.end() && otherwise != items.end() - 1) {
    error<messages::otherwise_not_last_in_transfer>(otherwise->where, items.end() - otherwise - 1);
  }
  std::vector<rule_to_build> rules;
  for (auto it = items.begin(); it != items.end() && it != std::next(otherwise); ++it) {
    if (it->when) check_condition(*it->when, true);
    const bool named_fallback = it->action.value == ast::action_ref::fallback;
    const action_kind a = named_fallback ? c.fallback : static_cast<action_kind>(it->action.value);
    if (a == action_kind::ai) {
      named_fallback ? error<messages::transfer_back_to_ai_by_fallback>(it->action.where)
                     : error<messages::transfer_back_to_ai>(it->action.where);
      continue;
    }
    if (a == action_kind::forward && c.forward.unanswered == action_kind::ai) {
      diagnostic& d = error<messages::transfer_forward_loops>(it->action.where);
      if (source.forward && source.forward->unanswered) {
        d.notes.push_back(
            fmt::format(messages::unanswered_given_at, where_text(source.forward->unanswered->where)));
      }
      continue;
    }
    if (!require_configured(a, it->action.where)) continue;
    std::string reason = it->label  ? it->label->value
                         : it->when ? condition_reason(*it->when)
                                    : std::string("otherwise");
    rules.push_back({it->when ? &*it->when : nullptr, a, std::move(reason)});
  }
  if (otherwise == items.end())
    rules.push_back({nullptr, action_kind::voicemail, "transfer refused"});
  if (failed) return;
  tree_builder(c, c.overflow_threshold).build_transfer(rules);
}

}  // namespace callpolicy
