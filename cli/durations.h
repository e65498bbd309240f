// Durations as options write them: "90s", "15m", "1h", or plain seconds.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace callpolicy::cli {

// An amount and a unit ("50ms", "20s", "5m", "1h"), in milliseconds, within
// [1 ms, max]; `units` are those the option takes, and a bare number is seconds.
std::optional<std::chrono::milliseconds> parse_span(const std::string& text, std::initializer_list<std::string_view> units,
                                                    std::chrono::milliseconds max);
// "90s", "15m", "1h", or plain seconds; up to a year (a longer one would be
// a mistake, and past a few centuries the clock's arithmetic overflows).
std::optional<std::chrono::seconds> parse_duration(const std::string& text);

}  // namespace callpolicy::cli
