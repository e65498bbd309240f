// Log and journal lines: whatever bytes go in, the line is valid JSON that
// nlohmann's strict parser reads back, with invalid UTF-8 replaced.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.h"
#include "server/json_line.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace callpolicy::server;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string line;
  json_line(line).add("value", text).add("n", static_cast<std::int64_t>(size)).end_line();
  const auto parsed = nlohmann::json::parse(line, nullptr, false);
  FUZZ_CHECK(!parsed.is_discarded());
  FUZZ_CHECK(parsed["value"].get<std::string>() == valid_utf8(text));
  FUZZ_CHECK(line.find('\n') == line.size() - 1);  // one line, whatever the input
  return 0;
}
