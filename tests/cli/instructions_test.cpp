// What `instructions` tells an office manager about when the AI answers is
// read off the compiled decision, per integration, and agrees with `eval`.
#include <boost/test/unit_test.hpp>

#include "tests/support/subprocess.h"

using namespace callpolicy::testing;

namespace {
const std::string rules = CALLPOLICY_SOURCE_DIR "/rules";

std::string action_at(const std::string& at, const std::string& via, const std::string& calls) {
  const auto r = run_callpolicy({"eval", rules, "--clinic", "coastal-pediatrics", "--at", at, "--via", via, "--calls",
                                 calls, "--format", "json"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  const auto at_action = r.out.find("\"action\":\"");
  return r.out.substr(at_action + 10, r.out.find('"', at_action + 10) - at_action - 10);
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_summary_says_per_integration_what_eval_decides) {
  const auto r = run_callpolicy({"instructions", rules, "--clinic", "coastal-pediatrics", "--sip-domain",
                                 "parlae.sip.twilio.com"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  const std::string ported = "Calls to the clinic's own (ported) number: the AI answers weekdays before 08:30 and "
                             "after 17:30; weekends all day; and on holidays.";
  const std::string sip = "Calls from the office phone system (SIP): the AI answers weekdays before 08:30 and after "
                          "17:30; weekends all day; and on holidays; with 2 or more calls already in progress, it "
                          "answers every call.";
  BOOST_TEST(r.out.find(ported + " " + sip) != std::string::npos, r.out.substr(0, 600));
  // What the sentences claim, checked against eval on Tuesday 2027-01-05.
  BOOST_TEST(action_at("2027-01-05T10:00", "ported", "3") != "ai");  // busy does not matter to ported callers
  BOOST_TEST(action_at("2027-01-05T10:00", "sip", "2") == "ai");
  BOOST_TEST(action_at("2027-01-05T10:00", "sip", "1") != "ai");
  BOOST_TEST(action_at("2027-01-05T08:29", "ported", "0") == "ai");
  BOOST_TEST(action_at("2027-01-05T08:30", "ported", "0") != "ai");
  BOOST_TEST(action_at("2027-01-05T17:30", "ported", "0") == "ai");
  BOOST_TEST(action_at("2027-01-09T12:00", "ported", "0") == "ai");  // a Saturday
}

BOOST_AUTO_TEST_CASE(the_summary_names_menus_and_forwards_that_lead_to_the_ai) {
  temp_dir dir;
  const std::string path = dir.write("flow.policy", R"(clinic flow {
  timezone "America/Toronto"
  numbers { ported +14165550001 }
  hours { mon-fri 09:00-17:00 }
  route {
    open -> forward
    otherwise -> menu
  }
  forward +14165550000 { timeout 25s unanswered ai }
  menu {
    say "Press 1 for our assistant, 2 to leave a message."
    1 -> ai
    2 -> voicemail
    timeout 6s -> voicemail
  }
}
)");
  const auto r = run_callpolicy({"instructions", path, "--clinic", "flow", "--sip-domain", "parlae.sip.twilio.com"});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  BOOST_TEST(r.out.find("The AI answers no call when no other calls are in progress. A call forwarded to staff that "
                        "nobody answers within 25 seconds goes to the AI. Some calls hear a keypad menu first; "
                        "pressing 1 reaches the AI.") != std::string::npos,
             r.out.substr(0, 600));
}
