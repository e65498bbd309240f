// Levenshtein distance, for "did you mean" suggestions (zone names, command
// names). `same` compares two characters after whatever folding the caller
// wants (case, '_' for ' ').
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace callpolicy {

template <typename Same>
std::size_t edit_distance(std::string_view a, std::string_view b, Same same) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  return edit_distance(a, b, [](char x, char y) { return x == y; });
}

// The candidate a typo most likely meant: the nearest by edit distance, if
// it is near enough to be a slip (one edit in a short word, two in a longer
// one) and not the word itself; empty when none is.
template <typename Candidates>
std::string_view closest_word(std::string_view word, const Candidates& candidates) {
  const std::size_t allowed = word.size() >= 5 ? 2 : word.size() >= 3 ? 1 : 0;
  std::string_view best;
  std::size_t best_distance = allowed + 1;
  for (const auto& candidate : candidates) {
    const std::string_view c(candidate);
    if (c == word) return {};
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace callpolicy
