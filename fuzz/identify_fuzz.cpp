// Call identification from Twilio's `To` (numbers and SIP addresses in any
// shape, dialled numbers in national form included) against the example
// clinics: never a crash, and a match is a clinic of the set reached the way
// the address says; callers read from any `From` are E.164 or nothing.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "compiler/compiler.h"
#include "fuzz/fuzz_check.h"
#include "runtime/identify.h"

namespace {
std::shared_ptr<const callpolicy::policy_set> examples() {
  using namespace callpolicy;
  const source_set sources = read_sources({CALLPOLICY_EXAMPLES});
  diagnostic_sink sink;
  compile_output out = compile_sources(sources, {}, sink);
  return policy_set::load(std::move(out.set)).set;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto set = examples();
  FUZZ_CHECK(set != nullptr);
  const std::string_view to(reinterpret_cast<const char*>(data), size);
  const auto match = callpolicy::identify_clinic(*set, to);
  if (match) {
    FUZZ_CHECK(match->clinic != nullptr);
    if (callpolicy::is_e164(to)) FUZZ_CHECK(match->via != callpolicy::via_kind::sip);
  }
  // A PBX's caller, in any form, comes out in E.164 or not at all.
  std::string buffer;
  for (const char* region : {"", "CA", "AU", "GB"}) {
    const std::string_view caller = callpolicy::caller_e164(to, region, buffer);
    FUZZ_CHECK(caller.empty() || callpolicy::is_e164(caller));
  }
  (void)callpolicy::sip_user_of(to);
  (void)callpolicy::percent_decode(to, true);
  return 0;
}
