// A unified diff of two texts by lines (`fmt --diff`), in the format of
// `diff -u` so that `patch` and review tools read it. Policies are small:
// the longest common subsequence is computed directly, no Myers needed.
#pragma once

#include <string>
#include <string_view>

namespace callpolicy::cli {

// Empty when the texts are equal.
std::string unified_diff(std::string_view path, std::string_view before, std::string_view after);

}  // namespace callpolicy::cli
