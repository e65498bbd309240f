// A clinic's iCalendar export, read by libical and turned into a calendar
// (import-ics): never a crash or a hang, an error names a line of the
// file, and what is written compiles (the importer compiles it before it
// returns it, so a policy is there exactly when no error is).
#include <cstdint>
#include <string>
#include <string_view>

#include "authoring/ics_import.h"
#include "compiler/compiler.h"
#include "fuzz/fuzz_check.h"

namespace {
const callpolicy::compiled_clinic* maple_dental() {
  using namespace callpolicy;
  static const compile_output out = [] {
    diagnostic_sink sink;
    return compile_sources(read_sources({CALLPOLICY_SOURCE_DIR "/tests/data/ics/maple-dental.policy"}), {}, sink);
  }();
  return out.set.clinics.empty() ? nullptr : &out.set.clinics.front();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace callpolicy;
  static const compiled_clinic* clinic = maple_dental();
  FUZZ_CHECK(clinic != nullptr);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ics_import_options options;
  options.calendar = "closures";
  options.source_name = "fuzz.ics";
  options.first = days_from_civil(2027, 1, 1);
  options.last = days_from_civil(2027, 12, 31);
  for (const compiled_clinic* with : {static_cast<const compiled_clinic*>(nullptr), clinic}) {
    options.clinic = with;
    const ics_import_result r = import_ics(text, options);
    FUZZ_CHECK(r.error.has_value() != !r.policy.empty());
    if (r.error) {
      FUZZ_CHECK(r.error->rfind("fuzz.ics:", 0) == 0);
      // An error at a line is the file's; one without, the importer's own.
      FUZZ_CHECK(r.error->rfind("fuzz.ics: error: internal error", 0) != 0);
    }
  }
  return 0;
}
