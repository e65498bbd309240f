// The bundle's one owner is model/: what it writes it reads back, and what it
// reads it writes again byte for byte, for every clinic of the examples and
// the production rules, and it refuses a bundle it cannot trust with a
// pointer to the place.
#include <boost/test/unit_test.hpp>

#include "model/bundle.h"
#include "tests/support/subprocess.h"

using namespace callpolicy;
namespace t = callpolicy::testing;

namespace {

std::string compiled(const std::string& rules) {
  const t::process_result r = t::run_callpolicy({"compile", rules, "-o", "-"});
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_bundle_read_writes_back_byte_for_byte) {
  for (const char* rules : {CALLPOLICY_SOURCE_DIR "/examples", CALLPOLICY_SOURCE_DIR "/rules"}) {
    BOOST_TEST_INFO(rules);
    const std::string text = compiled(rules);
    const bundle_read_result read = read_bundle(text);
    BOOST_TEST_INFO(read.error);
    BOOST_REQUIRE(read.set.has_value());
    BOOST_TEST(!read.set->clinics.empty());
    BOOST_TEST(write_bundle(*read.set) == text);
  }
}

BOOST_AUTO_TEST_CASE(a_bundle_it_cannot_trust_is_refused_with_the_place) {
  const std::string text = compiled(CALLPOLICY_SOURCE_DIR "/examples");
  BOOST_TEST(!read_bundle("").set);
  BOOST_TEST(!read_bundle("[]").set);
  BOOST_TEST(!read_bundle(text.substr(0, text.size() / 2)).set);  // cut short
  const bundle_read_result wrong = read_bundle(R"({"format": 999})");
  BOOST_TEST(!wrong.set);
  BOOST_TEST(!wrong.error.empty());
}

// A holiday's observed shifts and years are checked as the compiler checks
// them: a shift to the same day, a name that is no weekday, years that end
// before they start.
BOOST_AUTO_TEST_CASE(a_holiday_the_compiler_would_refuse_is_refused) {
  const std::string text = compiled(CALLPOLICY_SOURCE_DIR "/rules");
  BOOST_REQUIRE(read_bundle(text).set);
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string tampered = text;
    const auto at = tampered.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    tampered.replace(at, from.size(), to);
    return read_bundle(tampered);
  };
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"("sun": "mon")", R"("sun": "sun")"},
           {R"("sun": "mon")", R"("sunday": "mon")"},
           {R"("sun": "mon")", R"("sun": 1)"},
           {R"("from": 2023)", R"("from": 2023, "until": 2022)"},
           {R"("from": 2023)", R"("from": "2023")"},
           {R"("from": 2023)", R"("from": 2023, "every_years": 1)"},
           {R"("from": 2023)", R"("every_years": 2)"}}) {
    const bundle_read_result r = with(from, to);
    BOOST_TEST_INFO(to);
    BOOST_TEST(!r.set);
    BOOST_TEST(r.error.find("/holidays/") != std::string::npos, r.error);
  }
}
