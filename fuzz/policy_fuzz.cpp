// Policy text from outside (a pull request, an import) through the whole
// front end: parse, checks, lints (the exact ones included), compile, the
// bundle, and `fmt`. Never a crash or a hang; and where the text compiles,
// fmt's output parses, formats to itself, and compiles to the same set.
#include <cstdint>
#include <string>
#include <string_view>

#include "authoring/formatter.h"
#include "compiler/compiler.h"
#include "compiler/parser.h"
#include "fuzz/fuzz_check.h"
#include "model/bundle.h"

namespace {
using namespace callpolicy;

struct compiled {
  bool ok = false;
  compiled_set set;
};

compiled compile_text(const std::string& text) {
  source_set sources;
  sources.files.push_back({"f.policy", text});
  diagnostic_sink sink;
  compiled c;
  c.set = compile_sources(sources, {days_from_civil(2026, 11, 25)}, sink).set;
  c.ok = !sink.has_errors();
  c.set.sources.clear();
  return c;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const compiled original = compile_text(text);
  if (!original.ok) return 0;
  (void)write_bundle(original.set);

  diagnostic_sink parse_sink;
  const ast::policy_file file = parse_policy("f.policy", text, parse_sink);
  FUZZ_CHECK(!parse_sink.has_errors());
  const std::string formatted = format_policy(file, text);
  diagnostic_sink again_sink;
  const ast::policy_file again = parse_policy("f.policy", formatted, again_sink);
  FUZZ_CHECK(!again_sink.has_errors());
  FUZZ_CHECK(format_policy(again, formatted) == formatted);
  const compiled reformatted = compile_text(formatted);
  FUZZ_CHECK(reformatted.ok);
  FUZZ_CHECK(reformatted.set == original.set);
  return 0;
}
