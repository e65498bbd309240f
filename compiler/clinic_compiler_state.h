// The compiler of one clinic, shared by clinic_compiler.cpp (the settings,
// actions and menus, the checks of each) and clinic_routes.cpp (modes
// desugared into rules, and the trees of the route and the transfer
// block). Private to compiler/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast.h"
#include "compiler/clinic_compiler.h"
#include "compiler/diagnostic_messages.h"
#include "model/compiled_policy.h"
#include "model/diagnostic.h"

namespace callpolicy {

struct clinic_compiler {
  const ast::clinic& source;
  calendar_resolver& calendars;
  diagnostic_sink& sink;
  bool failed = false;

  // Reports error M and marks the clinic as failed.
  template <const diagnostic_message& M, typename... Args>
  diagnostic& error(const location& where, const Args&... args) {
    failed = true;
    return report<M>(sink, where, args...);
  }

  // Walks a condition for what it needs from the clinic.
  void check_condition(const ast::condition& c, bool in_transfer = false);
  std::optional<compiled_clinic> compile();
  void compile_hours(compiled_clinic& c);
  void compile_dates(compiled_clinic& c);

  // The synthetic conditions of the modes (docs/language.md, "Modes").
  static ast::condition atom(ast::condition::kind kind, const location& where);
  void build_routes(compiled_clinic& c);

  // The transfer block's own tree (docs/language.md, "Transfers from the
  // AI"), over the predicates of the clinic's: `to` never reaches the tree
  // that answers calls. Without `otherwise`, a target no rule names is
  // refused to voicemail.
  void build_transfer(compiled_clinic& c);

  // A static document can dial, record or hang up; the AI, a menu and the
  // fallback's flow need the server (docs/operations.md, "When no server answers").
  void compile_unreachable(compiled_clinic& c);

  // Reports E043 when `action` needs a block the clinic lacks.
  bool require_configured(action_kind action, const location& where);

  // An action of a flow's later step (a menu's key, the AI's `unavailable`,
  // a forward's `unanswered`): `fallback` resolved, `never` (the step's own
  // action: menu, ai or forward) refused.
  std::optional<action_kind> step(const ast::located<ast::action_ref>& a, action_kind fallback,
                                  action_kind never, std::string_view what);

  // "Press 1 to speak with our assistant. Press 2 to reach our staff."
  static std::string composed_menu_say(const menu_config& m);
  void compile_menu(compiled_clinic& c);
  // A callback offer needs no block; its `otherwise` never offers again
  // nor plays a menu, whose silence could lead back to it.
  void compile_callback(compiled_clinic& c);
  void compile_region(compiled_clinic& c);
  void compile_actions(compiled_clinic& c);
};

}  // namespace callpolicy
