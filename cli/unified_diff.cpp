#include "cli/unified_diff.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace callpolicy::cli {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    out.push_back(text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1));
    text.remove_prefix(out.back().size());
  }
  return out;
}

struct edit {
  char kind;  // ' ', '-', '+'
  std::string_view line;
};

std::vector<edit> edits(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<std::uint32_t>> lcs(a.size() + 1, std::vector<std::uint32_t>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<edit> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out.push_back({' ', a[i++]});
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back({'-', a[i++]});  // removals first, as diff -u writes them
    } else {
      out.push_back({'+', b[j++]});
    }
  }
  return out;
}

void append_line(std::string& out, char kind, std::string_view line) {
  out += kind;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view path, std::string_view before, std::string_view after) {
  if (before == after) return {};
  const std::vector<edit> all = edits(lines_of(before), lines_of(after));
  constexpr std::size_t context = 3;
  std::string out = fmt::format("--- {}\n+++ {}\n", path, path);
  std::size_t k = 0;
  while (k < all.size()) {
    if (all[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines
    // after the last change closer than twice that.
    std::size_t begin = k >= context ? k - context : 0;
    std::size_t end = k;
    while (end < all.size()) {
      std::size_t next = end;
      while (next < all.size() && all[next].kind == ' ') ++next;
      if (next == all.size() || next - end > 2 * context) break;
      end = next;
      while (end < all.size() && all[end].kind != ' ') ++end;
    }
    end = std::min(all.size(), end + context);
    // Line numbers of the hunk in each text.
    std::size_t old_start = 1, new_start = 1;
    for (std::size_t e = 0; e < begin; ++e) {
      old_start += all[e].kind != '+';
      new_start += all[e].kind != '-';
    }
    std::size_t old_count = 0, new_count = 0;
    for (std::size_t e = begin; e < end; ++e) {
      old_count += all[e].kind != '+';
      new_count += all[e].kind != '-';
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", old_count ? old_start : old_start - 1, old_count,
                       new_count ? new_start : new_start - 1, new_count);
    for (std::size_t e = begin; e < end; ++e) append_line(out, all[e].kind, all[e].line);
    k = end;
  }
  return out;
}

}  // namespace callpolicy::cli
