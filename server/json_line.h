// JSON lines for the request log and the journal, written straight into a
// reused buffer. Strings are escaped once, and bytes that are not valid UTF-8
// (a raw request target, a decoded form value) become U+FFFD: a log line can
// never throw, whatever an attacker sends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace callpolicy::server {

// Appends `text` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// One flat JSON object: json_line(out).add("type", "call").add("n", 3).end().
// end() closes the object (a journal record, to which the journal adds the
// newline); end_line() closes it and the line (a log line).
class json_line {
 public:
  explicit json_line(std::string& out) : out_(out) { out_ += '{'; }
  json_line& add(std::string_view name, std::string_view value);
  json_line& add(std::string_view name, const char* value) { return add(name, std::string_view(value)); }
  json_line& add(std::string_view name, std::int64_t value);
  json_line& add(std::string_view name, int value) { return add(name, std::int64_t{value}); }
  json_line& add(std::string_view name, bool value);
  void end() { out_ += '}'; }
  void end_line() { out_ += "}\n"; }

 private:
  void name(std::string_view name);
  std::string& out_;
  bool first_ = true;
};

}  // namespace callpolicy::server
