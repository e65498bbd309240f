// `eval --explain`: why one call is decided as it is (docs/tooling.md). Each
// condition the clinic's rules read, with its value at that instant and
// what makes it so (the window that is open, the holiday by name, the calls
// against the threshold, the schedule line that decides), then every rule in
// order with whether it holds and where it is written.
//
// It reads the source (for rules and their positions) beside the compiled
// clinic and its time tables (for the values), so the facts it states are the
// ones the decision tree tests.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast.h"
#include "model/compiled_policy.h"
#include "model/time_tables.h"

namespace callpolicy {

struct explanation {
  struct fact {
    std::string name;    // "open", "holiday", "scheduled", "overflow", "calls", "caller", "via"
    bool value = false;  // for "calls", whether any calls are active
    std::string detail;  // "wed 09:00-17:00", "'Christmas Day' (yearly 12-25)"
  };
  struct rule {
    std::string condition;  // canonical, or "otherwise"
    std::string action;     // concrete: fallback resolved
    std::string reason;
    bool holds = false;
    bool decided = false;  // the first rule that holds
    location where;
  };
  std::string decided_by;  // "mode 'after-hours-only'" or "route"
  std::vector<fact> facts;
  std::vector<rule> rules;
};

// As `eval --explain` prints it: "why", each fact, then the rules, "=>" on the one that decided.
std::string explanation_text(const explanation& why);

explanation explain_call(const ast::clinic& source, const compiled_clinic& clinic, const clinic_tables& tables,
                         const local_call& call);

}  // namespace callpolicy
