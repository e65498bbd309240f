// The only code that knows output formats for diagnostics.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/diagnostic.h"

namespace callpolicy {

// file path -> its text, to echo the source line under a diagnostic.
using source_texts = std::map<std::string, std::string, std::less<>>;

// file:line:col: error[E012]: message, the source line, a caret under the column.
std::string render_text(const std::vector<diagnostic>& diagnostics, const source_texts& sources,
                        bool colour);
std::string render_json(const std::vector<diagnostic>& diagnostics);
std::string render_sarif(const std::vector<diagnostic>& diagnostics);
std::string render_github(const std::vector<diagnostic>& diagnostics);

}  // namespace callpolicy
