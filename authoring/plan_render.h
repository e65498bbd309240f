// A plan as the terminal, a pull request, the GitHub annotations and a
// machine read it (docs/tooling.md documents the JSON).
#pragma once

#include <string>

#include "authoring/plan.h"

namespace callpolicy {

struct plan_heading {
  std::string from, to;  // what was compared, as the user named it ("origin/main:rules/", "rules/")
  int dated_days = 90;
};

std::string render_plan_text(const policy_plan& plan, const plan_heading& heading);
std::string render_plan_markdown(const policy_plan& plan, const plan_heading& heading);
std::string render_plan_github(const policy_plan& plan, const plan_heading& heading);
std::string render_plan_json(const policy_plan& plan, const plan_heading& heading);

// "ai/lunch", `ai/"closed or overflow"`.
std::string outcome_text(std::string_view action, std::string_view reason);

}  // namespace callpolicy
