// The warnings (docs/language.md, "Diagnostics") that judge a clinic's meaning rather than its
// syntax, run on a clinic that compiled without errors: dead route rules
// (judged exactly over the week, the dates and the call counts), shadowed
// schedule lines, overlapping windows, holidays on closed days, dated entries
// all in the past, and a week in which nobody answers.
#pragma once

#include "compiler/ast.h"
#include "model/compiled_policy.h"
#include "compiler/compiler.h"
#include "model/diagnostic.h"

namespace callpolicy {

void run_lints(const ast::clinic& source, const compiled_clinic& compiled,
               const compile_options& options, diagnostic_sink& sink);

}  // namespace callpolicy
