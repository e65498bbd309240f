// The lints (docs/language.md, "Diagnostics") that must be judged exactly rather than by pattern:
// a route rule that never decides, a schedule line every minute of which a
// later line overrides, and a week in which nobody answers a call.
//
// "Exactly" means over every class of inputs that can change an answer:
// - dates: a reference week of ordinary dates (no special, holiday, dated
//   schedule line or `on` date on it or the day before), every special
//   date, every dated holiday, schedule and `on` date (ranges: their first
//   eight days and their last), yearly holidays over today's year - 1 to
//   + 28 (which covers every weekday they can fall on), and the day after
//   each of those for windows that cross midnight;
// - minutes: the segments between all window boundaries of the clinic;
// - active calls: 0 and every threshold of `overflow` and `calls`, and one below;
// - callers: each listed caller, and any other; vias: all three.
// The predicates are evaluated by model/time_tables.h, as at run time.
#pragma once

#include "compiler/ast.h"
#include "model/compiled_policy.h"
#include "compiler/compiler.h"
#include "model/diagnostic.h"
#include "model/time_tables.h"

namespace callpolicy {

// The classes above, each for one clinic (a plan takes the union of two):
// the minutes of a day at which the answer can change (minute_classes, in
// model/time_tables.h), the call counts that matter, and the callers named
// ("" for any other), and the mean call lengths in seconds at which an
// estimated wait passes a threshold at one of those counts (0: unknown).
std::vector<std::int32_t> call_classes(const compiled_clinic& clinic);
std::vector<std::string> caller_classes(const compiled_clinic& clinic);
std::vector<std::int32_t> mean_call_classes(const compiled_clinic& clinic, const std::vector<std::int32_t>& calls);

void run_exact_lints(const ast::clinic& source, const compiled_clinic& compiled,
                     const compile_options& options, diagnostic_sink& sink);

}  // namespace callpolicy
