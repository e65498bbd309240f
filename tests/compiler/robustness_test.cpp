// Bad input gets diagnostics, never a crash: thousands of mutations of every
// policy file (bytes deleted, duplicated, replaced, lines swapped) go through
// the whole front end; each must finish, and every diagnostic must carry a
// position inside the file.
#include <filesystem>
#include <random>

#include <boost/test/unit_test.hpp>

#include "authoring/formatter.h"
#include "compiler/compiler.h"
#include "compiler/parser.h"
#include "tests/support/subprocess.h"

using namespace callpolicy;

BOOST_AUTO_TEST_CASE(mutated_policies_get_positioned_diagnostics_and_never_crash) {
  std::vector<std::string> texts;
  for (const char* dir : {CALLPOLICY_SOURCE_DIR "/examples", CALLPOLICY_SOURCE_DIR "/rules"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.path().extension() == ".policy") texts.push_back(testing::read_text(e.path().string()));
    }
  }
  BOOST_REQUIRE(!texts.empty());
  std::mt19937 random(20261124);  // fixed: a failure reproduces
  const std::string alphabet = "{}()\"#,.-:+>=<\n \tabcxyz0123456789";
  std::size_t with_errors = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = texts[random() % texts.size()];
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = random() % text.size();
      switch (random() % 4) {
        case 0: text.erase(at, 1 + random() % 8); break;
        case 1: text.insert(at, text.substr(at, 1 + random() % 16)); break;
        case 2: text[at] = alphabet[random() % alphabet.size()]; break;
        case 3: text.insert(at, 1, static_cast<char>(random() % 256)); break;
      }
    }
    source_set sources;
    sources.files.push_back({"m.policy", text});
    diagnostic_sink sink;
    BOOST_REQUIRE_NO_THROW(compile_sources(sources, {days_from_civil(2026, 11, 24)}, sink));
    const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const diagnostic& d : sink.all()) {
      BOOST_TEST_INFO("round " << round << ": " << d.code << " " << d.message);
      BOOST_REQUIRE(d.where.line >= 1u);
      BOOST_REQUIRE(d.where.line <= lines);
      BOOST_REQUIRE(d.where.column >= 1u);
    }
    if (sink.has_errors()) {
      ++with_errors;
    } else {
      // Whatever still parses also formats to text that parses.
      diagnostic_sink parse_sink;
      const ast::policy_file file = parse_policy("m.policy", text, parse_sink);
      diagnostic_sink again;
      parse_policy("m.policy", format_policy(file, text), again);
      BOOST_REQUIRE(!again.has_errors());
    }
  }
  BOOST_TEST(with_errors > 1000u);  // the mutations did break most files
}
