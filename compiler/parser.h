// Text to AST. Syntax errors are reported into the sink with what was
// expected, and parsing resynchronises at the next item so that one file can
// report several errors (docs/language.md, "Diagnostics"). The returned AST holds whatever parsed.
#pragma once

#include <optional>
#include <string_view>

#include "compiler/ast.h"
#include "model/diagnostic.h"

namespace callpolicy {

// A leading UTF-8 byte-order mark is skipped (docs/language.md, "Lexical").
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
ast::policy_file parse_policy(std::string_view path, std::string_view text, diagnostic_sink& sink);

// The date-time forms of a test's `at` and of `eval --at`: 2026-12-24T10:00,
// 2026-12-24T10:00:30, with `Z` or `+05:30`/`-04:00`. nullopt if malformed.
std::optional<ast::date_time> parse_date_time(std::string_view text);

}  // namespace callpolicy
