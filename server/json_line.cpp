#include "server/json_line.h"

#include <fmt/format.h>

namespace callpolicy::server {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Calls `emit` with each valid UTF-8 sequence of `text`, and with U+FFFD
// for each byte that starts none.
template <class Emit>
void for_each_sequence(std::string_view text, Emit emit) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_sequence(text, i);
    emit(n == 0 ? replacement : text.substr(i, n));
    i += n == 0 ? 1 : n;
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  // Runs of printable ASCII that need no escape, the common case, are
  // appended whole; the rest goes sequence by sequence.
  const auto plain = [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; };
  while (!text.empty()) {
    std::size_t run = 0;
    while (run < text.size() && plain(text[run])) ++run;
    out.append(text.data(), run);
    text.remove_prefix(run);
    if (text.empty()) break;
    // Up to the next plain byte: escapes and multi-byte sequences.
    std::size_t other = 0;
    while (other < text.size() && !plain(text[other])) ++other;
    for_each_sequence(text.substr(0, other), [&](std::string_view sequence) {
      if (sequence.size() > 1) {
        out += sequence;
        return;
      }
      const unsigned char c = static_cast<unsigned char>(sequence[0]);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
          } else {
            out += static_cast<char>(c);
          }
      }
    });
    text.remove_prefix(other);
  }
  out += '"';
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_sequence(text, [&](std::string_view sequence) { out += sequence; });
  return out;
}

void json_line::name(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  append_json_string(out_, name);
  out_ += ':';
}

json_line& json_line::add(std::string_view key, std::string_view value) {
  name(key);
  append_json_string(out_, value);
  return *this;
}

json_line& json_line::add(std::string_view key, std::int64_t value) {
  name(key);
  fmt::format_to(std::back_inserter(out_), "{}", value);
  return *this;
}

json_line& json_line::add(std::string_view key, bool value) {
  name(key);
  out_ += value ? "true" : "false";
  return *this;
}

}  // namespace callpolicy::server
