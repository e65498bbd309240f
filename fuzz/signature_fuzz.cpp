// Twilio signature validation over any URL, body and header: never a crash,
// and a body signed with the token validates under it and not under another.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "server/twilio/form.h"
#include "server/twilio/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace callpolicy::server;
  // URL, body and presented signature, separated by newlines.
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto take = [&] {
    const auto newline = input.find('\n');
    const std::string_view part = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
    return part;
  };
  const std::string_view url = take();
  const std::string_view body = take();
  const std::string_view presented = input;
  const auto fields = parse_form(body);
  if (!fields) return 0;
  const std::vector<std::string> tokens{"2bd9e9638872de601313dc77410d3b23"};
  (void)signature_valid(tokens, url, *fields, presented);
  const std::string signature = twilio_signature(tokens.front(), url, *fields);
  FUZZ_CHECK(signature_valid(tokens, url, *fields, signature));
  FUZZ_CHECK(!signature_valid({"another-token"}, url, *fields, signature));
  return 0;
}
