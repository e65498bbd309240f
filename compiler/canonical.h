// The canonical spelling of language values (docs/language.md, "Modes"): what a route rule's
// reason is when it has no label, and what `fmt` writes.
//
// Days: `daily`, `weekdays`, `weekends`; otherwise runs of three or more
// consecutive days as ranges (`mon-thu`, and `fri-mon` across the week's
// end), shorter runs as single days, joined by commas (`mon,wed,fri`).
// Conditions: keywords lower case, one space around `and`, `or` and the
// comparison operators, `not X`, lists as `a, b`, and parentheses only where
// precedence needs them: `(closed or overflow) and via sip`.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast.h"
#include "model/time_types.h"

namespace callpolicy {

std::string canonical_days(day_mask days);
std::string canonical_window(const window& w);
std::string canonical_windows(const std::vector<window>& windows);  // "09:00-12:00, 13:00-17:00"
std::string canonical_dates(const date_range& dates);                // "2026-12-24" or "a..b"
std::string canonical_vias(via_mask vias);                           // "ported, sip"
std::string canonical_duration(std::uint32_t seconds);               // "20s", "5m", "1h"
std::string canonical_condition(const ast::condition& condition);
// The canonical condition as a rule's reason, which logs, metrics labels, the
// journal and the AI's SIP headers carry: past max_reason_bytes it is cut at a
// space and ends in " ..." (docs/language.md, "Reasons").
inline constexpr std::size_t max_reason_bytes = 200;
std::string condition_reason(const ast::condition& condition);
std::string_view canonical_action(ast::action_ref action);
std::string_view canonical_mode(ast::mode_kind mode);
// A string literal with its quotes and escapes.
std::string quoted(std::string_view text);

}  // namespace callpolicy
