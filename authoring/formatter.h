// `callpolicy fmt`: one canonical layout for a parsed policy file.
//
// Layout: two-space indentation, one item per line, a blank line between
// top-level blocks, columns aligned inside blocks (days in `hours`, dates in
// `holidays` and `special`, conditions and actions in `route`, keys of a
// clinic and of a test), values in canonical spelling (compiler/canonical.h).
// Items keep their order. Comments are kept: a comment at the end of a line
// stays at the end of the line of the item written from it; a comment on a
// line of its own goes before the item that followed it. A single blank line
// between items of the source is kept.
#pragma once

#include <string>
#include <string_view>

#include "compiler/ast.h"

namespace callpolicy {

// `text` is the source the file was parsed from (for blank lines).
std::string format_policy(const ast::policy_file& file, std::string_view text);

}  // namespace callpolicy
