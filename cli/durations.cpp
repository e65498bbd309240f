// Durations as options write them (docs/tooling.md): "90s", "15m", "1h".
#include <algorithm>
#include <string>

#include "cli/durations.h"

namespace callpolicy::cli {

std::optional<std::chrono::milliseconds> parse_span(const std::string& text, std::initializer_list<std::string_view> units,
                                                    std::chrono::milliseconds max) {
  std::size_t used = 0;
  long long amount = 0;
  try {
    amount = std::stoll(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string unit = text.substr(used);
  if (!unit.empty() && std::find(units.begin(), units.end(), unit) == units.end()) return std::nullopt;
  const long long scale = unit == "ms" ? 1 : unit.empty() || unit == "s" ? 1000 : unit == "m" ? 60'000 : 3'600'000;
  if (amount <= 0 || amount > max.count() / scale) return std::nullopt;
  return std::chrono::milliseconds{amount * scale};
}

std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
  const auto span = parse_span(text, {"s", "m", "h"}, std::chrono::hours(366 * 24));
  if (!span || *span < std::chrono::seconds(1)) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(*span);
}

}  // namespace callpolicy::cli
