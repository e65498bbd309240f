// Small text helpers the HTTP layer and the handlers share.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string_view>

namespace callpolicy::server {

// ASCII case-insensitive equality (header values, media types, codings).
// Not std::tolower: that is a locale-aware call per byte, on every request.
inline bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A hash for string-keyed maps and sets that are looked up by string_view
// (with std::equal_to<>), so a lookup makes no temporary string.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

}  // namespace callpolicy::server
