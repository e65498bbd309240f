#include "compiler/syntax_hints.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace callpolicy {
namespace {

bool is_id_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

struct line_col {
  std::size_t line = 1;
  std::size_t column = 1;
};

line_col position_of(std::string_view text, std::size_t offset) {
  line_col p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::size_t line_start(std::string_view text, std::size_t offset) {
  const std::size_t nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  return nl == std::string_view::npos || offset == 0 ? 0 : nl + 1;
}

std::size_t indentation(std::string_view text, std::size_t offset) {
  std::size_t i = line_start(text, offset);
  const std::size_t start = i;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return i - start;
}

// The first word of the line a brace opens on: "clinic", "hours", "forward".
std::string block_name(std::string_view text, std::size_t brace) {
  std::size_t i = line_start(text, brace);
  while (i < brace && (text[i] == ' ' || text[i] == '\t')) ++i;
  std::size_t end = i;
  while (end < brace && is_id_char(text[end])) ++end;
  return std::string(text.substr(i, end - i));
}

// Braces up to `offset`, strings and comments skipped: the blocks still
// open there (innermost last), and the first '}' that, standing first on its
// line, closed a block indented differently: where a '}' was likely left out.
struct brace_scan {
  std::vector<std::size_t> open;
  struct mismatch {
    std::size_t opened = 0;  // the block the '}' closed
    std::size_t closing = 0;
  };
  std::vector<mismatch> mismatches;
};

brace_scan scan_braces(std::string_view text, std::size_t offset) {
  brace_scan scan;
  bool in_string = false;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"' || c == '\n') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '{') {
      scan.open.push_back(i);
    } else if (c == '}' && !scan.open.empty()) {
      const std::size_t opened = scan.open.back();
      scan.open.pop_back();
      const bool first_on_line = indentation(text, i) == i - line_start(text, i);
      if (first_on_line && indentation(text, i) != indentation(text, opened)) scan.mismatches.push_back({opened, i});
    }
  }
  return scan;
}

std::string at(std::string_view text, std::size_t offset) {
  const line_col p = position_of(text, offset);
  return fmt::format("{}:{}", p.line, p.column);
}

void block_left_open(std::string_view text, std::size_t offset, syntax_hint& hint) {
  const brace_scan scan = scan_braces(text, offset);
  if (scan.open.empty()) return;
  const std::size_t opened = scan.open.back();
  // A '}' that closed a block inside this one but is indented like an outer
  // block most likely belonged to this one: the inner block lacks its own.
  for (const brace_scan::mismatch& m : scan.mismatches) {
    if (m.opened < opened) continue;
    const std::size_t depth = indentation(text, m.opened);
    // Where the inner block's '}' should be: its first line indented no
    // deeper than the line it opened on.
    std::size_t line = text.find('\n', m.opened);
    while (line != std::string_view::npos && line + 1 < m.closing) {
      const std::size_t begin = line + 1;
      std::size_t first = begin;
      while (first < text.size() && (text[first] == ' ' || text[first] == '\t')) ++first;
      const bool blank = first >= text.size() || text[first] == '\n' || text[first] == '#';
      if (!blank && first - begin <= depth) break;
      line = text.find('\n', begin);
    }
    if (line == std::string_view::npos || line + 1 >= m.closing) break;
    std::size_t first = line + 1;
    while (text[first] == ' ' || text[first] == '\t') ++first;
    const line_col p = position_of(text, first);
    const std::string name = block_name(text, m.opened);
    hint.moved_to = syntax_hint::moved{first, static_cast<std::uint32_t>(p.line), static_cast<std::uint32_t>(p.column),
                                       fmt::format("expected '}}' to close the '{}' block", name)};
    hint.notes.push_back(fmt::format("the '{}' block opened at {}", name, at(text, m.opened)));
    return;
  }
  hint.notes.push_back(fmt::format("the '{}' block opened at {}", block_name(text, opened), at(text, opened)));
}

}  // namespace

syntax_hint syntax_hints(std::string_view text, std::size_t offset, std::string_view message) {
  syntax_hint hint;
  std::vector<std::string>& notes = hint.notes;
  const std::string_view rest = text.substr(std::min(offset, text.size()));
  if (rest.starts_with("=>")) notes.emplace_back("a rule's arrow is written '->'");
  if (rest.starts_with("&&")) notes.emplace_back("'&&' is written 'and'");
  if (rest.starts_with("||")) notes.emplace_back("'||' is written 'or'");
  if (rest.starts_with("!") && !rest.starts_with("!=")) notes.emplace_back("'!' is written 'not'");
  if (rest.starts_with("!=")) notes.emplace_back("'!=' is written with 'not': not calls == 3");

  if (message.starts_with("expected a string") && !rest.empty() && rest[0] != '"' && rest[0] != '\n') {
    std::size_t end = 0;
    while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end])) && rest[end] != '#' &&
           rest[end] != '}')
      ++end;
    if (end > 0) notes.push_back(fmt::format("strings are written in double quotes: \"{}\"", rest.substr(0, end)));
  }

  // `clinic smile_dental {` stops at '_': name the id as it should be.
  if (message == "expected '{'" || message.starts_with("expected a clinic id") ||
      message.starts_with("expected a calendar name")) {
    std::size_t begin = offset;
    while (begin > 0 && is_id_char(text[begin - 1])) --begin;
    std::size_t end = offset;
    while (end < text.size() && is_id_char(text[end])) ++end;
    const std::string_view word = text.substr(begin, end - begin);
    const bool wrong = std::any_of(word.begin(), word.end(), [](char c) {
      return c == '_' || std::isupper(static_cast<unsigned char>(c));
    });
    if (!word.empty() && wrong) {
      std::string fixed;
      for (const char c : word) fixed += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      notes.push_back(fmt::format("ids are lower-case letters, digits and '-': '{}'", fixed));
    }
  }

  if (message.starts_with("expected '}' to close")) block_left_open(text, offset, hint);
  return hint;
}

}  // namespace callpolicy
