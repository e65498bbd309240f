// "did you mean" wherever a name is expected: keywords, modes, actions,
// conditions, calendars, clinic ids and command-line options, each within
// a slip of the right word.
#include <boost/test/unit_test.hpp>

#include "tests/support/subprocess.h"

using namespace callpolicy::testing;

namespace {
const std::string rules = CALLPOLICY_SOURCE_DIR "/rules";

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_CASE(keyword_typos_get_the_keyword_they_missed) {
  temp_dir dir;
  const std::string path = dir.write("typo.policy", R"(clinic typo {
  timzone "America/Toronto"
  fallbak voicemail
  holiday { 2026-12-25 }
  mode after-hour-only
  route {
    closd -> ai
    open -> voicemial
    otherwise -> ai
  }
}
)");
  const auto r = run_callpolicy({"check", path});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST_INFO(r.err);
  for (const std::string& expected :
       {std::string("typo.policy:2:3: error[E001]: unknown item 'timzone' in clinic\n"), std::string("did you mean 'timezone'?"),
        std::string("did you mean 'fallback'?"), std::string("did you mean 'holidays'?"),
        std::string("did you mean 'after-hours-only'?"), std::string("did you mean 'closed'?"),
        std::string("did you mean 'voicemail'?")}) {
    BOOST_TEST(has(r.err, expected), expected);
  }
}

BOOST_AUTO_TEST_CASE(a_word_far_from_every_keyword_gets_no_guess) {
  temp_dir dir;
  const std::string path = dir.write("far.policy", "clinic far {\n  timezone \"UTC\"\n  xyzzyplugh 3\n}\n");
  const auto r = run_callpolicy({"check", path});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(!has(r.err, "did you mean"));
}

BOOST_AUTO_TEST_CASE(unknown_calendars_clinics_and_options_are_suggested) {
  temp_dir dir;
  const std::string path =
      dir.write("cal.policy", "clinic c {\n  timezone \"UTC\"\n  numbers { ported +14165550001 }\n  fallback voicemail\n"
                              "  mode after-hours-only\n  hours { mon-fri 09:00-17:00 }\n  holidays { use ontaro }\n}\n"
                              "calendar ontario { 2026-12-25 }\n");
  const auto calendar = run_callpolicy({"check", path});
  BOOST_TEST(calendar.exit_code == 1);
  BOOST_TEST(has(calendar.err, "error[E030]: unknown calendar 'ontaro'\n"));
  BOOST_TEST(has(calendar.err, "note: did you mean 'ontario'?"));
  const auto clinic = run_callpolicy({"eval", rules, "--clinic", "coastal-pediatric", "--at", "2027-01-05T10:00"});
  BOOST_TEST(clinic.exit_code == 1);
  BOOST_TEST(has(clinic.err, "callpolicy eval: unknown clinic 'coastal-pediatric', did you mean 'coastal-pediatrics'?"));
  const auto option = run_callpolicy({"check", "--stirct", rules});
  BOOST_TEST(option.exit_code == 2);
  BOOST_TEST(has(option.err, "callpolicy check: unknown option '--stirct', did you mean '--strict'?"));
  const auto nested = run_callpolicy({"override", "list", "--admn", "http://127.0.0.1:1"});
  BOOST_TEST(nested.exit_code == 2);
  BOOST_TEST(has(nested.err, "callpolicy override list: unknown option '--admn', did you mean '--admin'?"));
  // Known options, with a value after '=', still parse.
  BOOST_TEST(run_callpolicy({"check", "--format=json", rules}).exit_code == 0);
}
