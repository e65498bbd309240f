// Notes that turn a syntax error into its likely fix (docs/tooling.md): the
// spelling of another language ('=>' for '->', '&&' for 'and'), a string
// written without its quotes, an id with '_' or capitals, and for a block
// left open, where it opened and which '}' seems to be missing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callpolicy {

struct syntax_hint {
  std::vector<std::string> notes;
  // A block left open is reported where its '}' is missing, not at the end
  // of the file: the first line inside it indented no deeper than its
  // opening line. What the parser said after that point followed from the
  // missing brace and is dropped.
  struct moved {
    std::size_t offset = 0;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string message;
  };
  std::optional<moved> moved_to;
};

// `text` is the whole file, `offset` the byte where the error is reported
// and `message` the error's message (which says what was expected).
syntax_hint syntax_hints(std::string_view text, std::size_t offset, std::string_view message);

}  // namespace callpolicy
