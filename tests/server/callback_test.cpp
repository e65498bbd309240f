// Callback offers through a real server (docs/language.md, "Callback
// requests"): the offer's TwiML, key 1 and typed digits taking a request
// that the journal holds, a number asked for again once, silence going on
// to voicemail with its reason, and the requests surviving a kill -9.
#include <fstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {

const std::string clinic_number = "+14165550170";

// Every call is offered a callback: the simplest route that reaches one.
const std::string policy = R"(clinic bay-clinic {
  name     "Bay Clinic"
  timezone "America/Toronto"
  numbers  { ported +14165550170 }
  route {
    otherwise -> callback as "long wait"
  }
  callback { confirm "Merci. We will call you back at" timeout 7s otherwise voicemail }
}
)";

struct callback_server : serve_fixture {
  std::string rules = dir.write("rules/bay-clinic.policy", policy);
  server_process server{args(dir.path() + "/rules")};

  http_reply offer_answer(const std::string& sid, const std::string& query,
                          std::vector<std::pair<std::string, std::string>> extra,
                          const std::string& from = "+14165550100") {
    std::vector<std::pair<std::string, std::string>> fields{
        {"CallSid", sid}, {"To", clinic_number}, {"From", from}, {"CallStatus", "in-progress"}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return server.post("/twilio/callback?" + query, fields, token);
  }

  std::vector<json> journal_records(const std::string& type) const {
    std::vector<json> out;
    std::ifstream in(journal);
    std::string line;
    while (std::getline(in, line)) {
      const json j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j["type"] == type) out.push_back(j);
    }
    return out;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_call_hears_the_offer_with_its_clinic_and_reason, callback_server) {
  const auto r = server.post("/twilio/voice", call(call_sid(1), clinic_number), token);
  BOOST_TEST(r.status == 200);
  BOOST_TEST_INFO(r.body);
  BOOST_TEST(contains(r.body, R"(<Gather input="dtmf" finishOnKey="#" timeout="7" action=")" + server.base_url() +
                                  "/twilio/callback?clinic=bay-clinic&amp;reason=long%20wait\">"));
  BOOST_TEST(contains(r.body, "<Say>Press 1 and we will call you back at this number, or enter another number and "
                              "press pound.</Say></Gather><Redirect method=\"POST\">"));
}

BOOST_FIXTURE_TEST_CASE(key_one_and_typed_digits_each_take_a_request_the_journal_keeps, callback_server) {
  const auto own = offer_answer(call_sid(2), "clinic=bay-clinic&reason=long%20wait", {{"Digits", "1"}});
  BOOST_TEST(own.status == 200);
  BOOST_TEST(contains(own.body, "<Say>Merci. We will call you back at 4 1 6 5 5 5 0 1 0 0.</Say><Hangup/>"), own.body);
  // Typed in national form, read in the clinic's region.
  const auto other = offer_answer(call_sid(3), "clinic=bay-clinic&reason=long%20wait", {{"Digits", "6475550199"}});
  BOOST_TEST(contains(other.body, "back at 6 4 7 5 5 5 0 1 9 9.</Say><Hangup/>"), other.body);
  // From a PBX with no phone number: key 1 has nothing to keep.
  const auto anonymous =
      offer_answer(call_sid(4), "clinic=bay-clinic&reason=long%20wait", {{"Digits", "1"}}, "anonymous");
  BOOST_TEST(contains(anonymous.body, "attempt=2"), anonymous.body);
  server.kill_hard();
  const std::vector<json> requests = journal_records("callback_request");
  BOOST_REQUIRE_EQUAL(requests.size(), 2u);
  BOOST_TEST(requests[0]["clinic"] == "bay-clinic");
  BOOST_TEST(requests[0]["number"] == "+14165550100");
  BOOST_TEST(requests[0]["caller"] == "+14165550100");
  BOOST_TEST(requests[0]["to"] == clinic_number);
  BOOST_TEST(requests[0]["reason"] == "long wait");
  BOOST_TEST(requests[0]["call_sid"] == call_sid(2));
  BOOST_TEST(requests[1]["number"] == "+16475550199");
  BOOST_TEST(requests[1]["caller"] == "+14165550100");
}

BOOST_FIXTURE_TEST_CASE(a_bad_number_is_asked_for_once_more_then_voicemail_takes_the_call, callback_server) {
  const std::string query = "clinic=bay-clinic&reason=long%20wait";
  const auto retry = offer_answer(call_sid(5), query, {{"Digits", "12"}});
  BOOST_TEST_INFO(retry.body);
  BOOST_TEST(contains(retry.body, "<Say>Sorry, we could not use that number.</Say><Say>Press 1"));
  // The reason the offer was made travels on, with the second attempt.
  BOOST_TEST(contains(retry.body, "/twilio/callback?clinic=bay-clinic&amp;reason=long%20wait&amp;attempt=2\""));
  const auto second = offer_answer(call_sid(5), query + "&attempt=2", {{"Digits", "99999999999999999999"}});
  BOOST_TEST(contains(second.body, "<Record "), second.body);
  BOOST_TEST(contains(second.body, "reason=callback%20invalid%20number"), second.body);
  // Silence: the block's otherwise, its reason on the voicemail's callback.
  const auto silence = offer_answer(call_sid(6), query, {});
  BOOST_TEST(contains(silence.body, "reason=callback%20timeout"), silence.body);
  const auto metrics = http_request(server.admin_port(), "GET", "/metrics").body;
  BOOST_TEST(contains(metrics, R"(callpolicy_callback_offers_total{clinic="bay-clinic",outcome="retry"} 1)"), metrics);
  BOOST_TEST(contains(metrics, R"(callpolicy_callback_offers_total{clinic="bay-clinic",outcome="invalid number"} 1)"));
  BOOST_TEST(contains(metrics, R"(callpolicy_callback_offers_total{clinic="bay-clinic",outcome="timeout"} 1)"));
  server.kill_hard();
  BOOST_TEST(journal_records("callback_request").empty());
  BOOST_TEST(journal_records("callback").size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(an_offer_without_its_clinic_is_refused_and_an_unknown_one_is_not_in_service,
                        callback_server) {
  BOOST_TEST(offer_answer(call_sid(7), "reason=x", {{"Digits", "1"}}).status == 400);
  const auto gone = offer_answer(call_sid(7), "clinic=no-such-clinic", {{"Digits", "1"}});
  BOOST_TEST(gone.status == 200);
  BOOST_TEST(contains(gone.body, "not in service"));
  // Unsigned: refused like every Twilio webhook.
  BOOST_TEST(server.post("/twilio/callback?clinic=bay-clinic", {{"CallSid", call_sid(8)}, {"Digits", "1"}}, "wrong")
                 .status == 403);
}
