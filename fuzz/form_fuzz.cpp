// Twilio's form bodies: any bytes decode or are refused, never crash, and a
// decoded body re-encodes to itself.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "server/twilio/form.h"

namespace {
std::string encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    out += '%';
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto fields = callpolicy::server::parse_form(body);
  if (!fields) return 0;
  std::string again;
  for (const auto& [name, value] : *fields) {
    if (!again.empty()) again += '&';
    again += encode(name) + "=" + encode(value);
  }
  const auto reparsed = callpolicy::server::parse_form(again);
  FUZZ_CHECK(reparsed && *reparsed == *fields);
  // form_value is the first value of a name.
  if (!fields->empty()) {
    const auto& [name, value] = fields->front();
    FUZZ_CHECK(callpolicy::server::form_value(*fields, name) == value);
  }
  return 0;
}
