// The inbox through real servers (docs/operations.md, "The inbox"): a
// voicemail and callback requests (key 1, and digits then #) appear in the
// inbox of their clinic and of all, oldest open first; done marks keep who
// and when, survive a kill -9 and a rotation of the journal, and with Redis
// every server shows the same inbox and the marks set on another.
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/redis_process.h"
#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {

const std::string admin_token = "inbox-admin-token";

const std::string bay = R"(clinic bay-clinic {
  timezone "America/Toronto"
  numbers  { ported +14165550170 }
  route {
    caller +14165550111 -> voicemail as "asked for voicemail"
    otherwise           -> callback  as "long wait"
  }
}
)";
const std::string cove = R"(clinic cove-clinic {
  timezone "America/Vancouver"
  numbers  { ported +16045550170 }
  route { otherwise -> callback }
}
)";

struct inbox_fixture : serve_fixture {
  std::string admin_file = dir.write("admin", admin_token + "\n");
  std::string rules = [this] {
    dir.write("rules/bay.policy", bay);
    dir.write("rules/cove.policy", cove);
    return dir.path() + "/rules";
  }();

  std::vector<std::string> serve_args(const std::string& journal_name, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = args(rules, std::move(extra));
    *std::find(a.begin(), a.end(), journal) = dir.path() + "/" + journal_name;
    a.insert(a.end(), {"--admin-token-file", admin_file});
    return a;
  }
};

void callback_request(server_process& s, unsigned long long n, const std::string& to, const std::string& digits,
                      const std::string& from = "+14165550100") {
  const std::string clinic = to == "+14165550170" ? "bay-clinic" : "cove-clinic";
  const auto r = s.post("/twilio/callback?clinic=" + clinic + "&reason=long%20wait",
                        {{"CallSid", call_sid(n)}, {"To", to}, {"From", from}, {"Digits", digits}}, token);
  BOOST_REQUIRE_MESSAGE(contains(r.body, "We will call you back"), r.body);
}

void voicemail(server_process& s, unsigned long long n, const std::string& recording) {
  const auto r = s.post("/twilio/voicemail?clinic=bay-clinic&reason=asked%20for%20voicemail&caller=%2B14165550111&to="
                        "%2B14165550170",
                        {{"CallSid", call_sid(n)},
                         {"RecordingSid", recording},
                         {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + recording},
                         {"RecordingDuration", "42"},
                         {"RecordingStatus", "completed"}},
                        token);
  BOOST_REQUIRE(r.status == 200);
}

json inbox(server_process& s, const std::string& query = "") {
  const auto r = http_request(s.admin_port(), "GET", "/admin/inbox" + query);
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  return json::parse(r.body);
}

http_reply mark_done(server_process& s, const std::string& id, const std::string& body = "",
                     const std::string& bearer = admin_token) {
  return http_request(s.admin_port(), "POST", "/admin/inbox/" + id + "/done", body,
                      {{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}});
}

std::vector<std::string> ids(const json& j) {
  std::vector<std::string> out;
  for (const json& item : j["items"]) out.push_back(item["id"]);
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(messages_reach_their_clinics_inbox_and_done_marks_last, inbox_fixture) {
  {
    server_process s(serve_args("journal.jsonl"));
    // A few milliseconds apart: items of the same millisecond are listed by id.
    callback_request(s, 1, "+14165550170", "1");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    voicemail(s, 2, "RE0001");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    callback_request(s, 3, "+16045550170", "6045550199");
    const json all = inbox(s);
    BOOST_TEST(ids(all) == (std::vector<std::string>{"callback-" + call_sid(1), "RE0001", "callback-" + call_sid(3)}),
               boost::test_tools::per_element());
    const json& first = all["items"][0];
    BOOST_TEST(first["type"] == "callback");
    BOOST_TEST(first["clinic"] == "bay-clinic");
    BOOST_TEST(first["number"] == "+14165550100");
    BOOST_TEST(first["caller"] == "+14165550100");
    BOOST_TEST(first["to"] == "+14165550170");
    BOOST_TEST(first["reason"] == "long wait");
    BOOST_TEST(first["state"] == "open");
    BOOST_TEST(first["done_by"].is_null());
    const json& message = all["items"][1];
    BOOST_TEST(message["type"] == "voicemail");
    BOOST_TEST(message["recording_url"] == "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0001");
    BOOST_TEST(message["duration"] == 42);
    BOOST_TEST(message["caller"] == "+14165550111");
    BOOST_TEST(message["reason"] == "asked for voicemail");
    BOOST_TEST(std::string(message["time"]).ends_with("Z"));
    BOOST_TEST(all["items"][2]["number"] == "+16045550199");
    BOOST_TEST(contains(http_request(s.admin_port(), "GET", "/metrics").body,
                        "callpolicy_voicemails_total{clinic=\"bay-clinic\"} 1\n"));
    // One clinic's inbox.
    BOOST_TEST(ids(inbox(s, "?clinic=cove-clinic&state=open")) ==
                   (std::vector<std::string>{"callback-" + call_sid(3)}),
               boost::test_tools::per_element());
    BOOST_TEST(http_request(s.admin_port(), "GET", "/admin/inbox?state=closed").status == 400);
    // Marks need the admin token, name who, and keep the first.
    BOOST_TEST(mark_done(s, "RE0001", "", "wrong").status == 401);
    BOOST_TEST(mark_done(s, "RE9999").status == 404);
    BOOST_TEST(mark_done(s, "RE0001", R"({"by": "x\u0007"})").status == 400);
    const auto done = mark_done(s, "RE0001", R"({"by": "Priya at the desk"})");
    BOOST_TEST(done.status == 200, done.body);
    BOOST_TEST(json::parse(done.body)["done_by"] == "Priya at the desk");
    BOOST_TEST(mark_done(s, "RE0001", R"({"by": "someone else"})").status == 200);
    BOOST_TEST(ids(inbox(s, "?state=open")).size() == 2u);
    const json marked = inbox(s, "?state=done");
    BOOST_REQUIRE(marked["items"].size() == 1u);
    BOOST_TEST(marked["items"][0]["done_by"] == "Priya at the desk");
    BOOST_TEST(!marked["items"][0]["done_at"].is_null());
    s.kill_hard();
  }
  // A kill -9 and a restart: the journal had every message and the mark.
  server_process again(serve_args("journal.jsonl", {"--journal-max-size", "1K"}));
  BOOST_TEST(ids(inbox(again, "?state=done")) == (std::vector<std::string>{"RE0001"}), boost::test_tools::per_element());
  BOOST_TEST(ids(inbox(again)).size() == 2u);
  // Past 1K the journal rotates: the new file's snapshot carries the inbox.
  for (unsigned long long n = 10; n < 16; ++n) callback_request(again, n, "+14165550170", "4165550123");
  BOOST_TEST(mark_done(again, "callback-" + call_sid(1)).status == 200);
  callback_request(again, 20, "+14165550170", "1");
  again.kill_hard();
  std::size_t rotations = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    rotations += entry.path().filename().string().starts_with("journal.jsonl.2") ? 1 : 0;
  }
  BOOST_TEST(rotations > 0u);  // the snapshot, not the old lines, holds what follows
  server_process rotated(serve_args("journal.jsonl", {"--journal-max-size", "1K"}));
  BOOST_TEST(ids(inbox(rotated)).size() == 8u);
  // The voicemail count, by clinic, came through the rotation's snapshot.
  const std::string metrics = http_request(rotated.admin_port(), "GET", "/metrics").body;
  BOOST_TEST(contains(metrics, "callpolicy_voicemails_total{clinic=\"bay-clinic\"} 1\n"), metrics);
  const json done_after = inbox(rotated, "?state=done");
  BOOST_TEST(ids(done_after) == (std::vector<std::string>{"callback-" + call_sid(1), "RE0001"}),
             boost::test_tools::per_element());
  BOOST_TEST(done_after["items"][0]["done_by"] == "admin");
}

BOOST_FIXTURE_TEST_CASE(with_redis_every_server_shows_the_same_inbox_and_marks, inbox_fixture) {
  redis_process redis;
  server_process a(serve_args("a.jsonl", {"--state", redis.url()}));
  server_process b(serve_args("b.jsonl", {"--state", redis.url()}));
  callback_request(a, 1, "+14165550170", "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // as above: listed by time, then id
  voicemail(b, 2, "RE0002");
  const std::vector<std::string> both{"callback-" + call_sid(1), "RE0002"};
  const auto shared_by = [&](server_process& s) {
    if (eventually([&] { return ids(inbox(s)) == both; })) return true;
    BOOST_TEST_MESSAGE("inbox: " << inbox(s).dump() << "\nlog: " << s.log());
    return false;
  };
  BOOST_TEST(shared_by(a));
  BOOST_TEST(shared_by(b));
  BOOST_TEST(inbox(a)["source"] == "shared");
  // A mark set on b is seen on a, and a's item marked on b.
  BOOST_TEST(mark_done(b, "callback-" + call_sid(1), R"({"by": "front desk"})").status == 200);
  const json on_a = inbox(a, "?state=done");
  BOOST_REQUIRE(on_a["items"].size() == 1u);
  BOOST_TEST(on_a["items"][0]["done_by"] == "front desk");
  BOOST_TEST(ids(inbox(a, "?state=open")) == (std::vector<std::string>{"RE0002"}), boost::test_tools::per_element());
  // A Redis that loses everything gets each server's items back when it returns.
  redis.cli({"FLUSHALL"});
  redis.kill_hard();
  redis.restart();
  callback_request(a, 3, "+16045550170", "1");
  BOOST_TEST(eventually([&] { return ids(inbox(b)).size() == 3u; }, std::chrono::seconds(15)));
}

BOOST_FIXTURE_TEST_CASE(the_inbox_command_lists_and_marks_through_the_admin_address, inbox_fixture) {
  server_process s(serve_args("journal.jsonl"));
  callback_request(s, 1, "+14165550170", "4165550123");
  voicemail(s, 2, "RE0003");
  const std::string admin = "http://127.0.0.1:" + std::to_string(s.admin_port());
  const auto listed = run_callpolicy({"inbox", "list", "--admin", admin, "--clinic", "bay-clinic"});
  BOOST_TEST(listed.exit_code == 0, listed.err);
  BOOST_TEST(contains(listed.out, "callback-" + call_sid(1)), listed.out);
  BOOST_TEST(contains(listed.out, "+14165550123"));
  BOOST_TEST(contains(listed.out, "RE0003"));
  BOOST_TEST(contains(listed.out, "42s"));
  const auto marked = run_callpolicy({"inbox", "done", "RE0003", "--admin", admin, "--token-file", admin_file, "--by", "Sam"});
  BOOST_TEST(marked.exit_code == 0, marked.err);
  BOOST_TEST(marked.out == "RE0003: done by Sam\n");
  const auto json_list = run_callpolicy({"inbox", "list", "--admin", admin, "--state", "done", "--format", "json"});
  BOOST_TEST(json_list.exit_code == 0);
  BOOST_TEST(json::parse(json_list.out)["items"][0]["done_by"] == "Sam");
  const auto unknown = run_callpolicy({"inbox", "done", "RE0404", "--admin", admin, "--token-file", admin_file});
  BOOST_TEST(unknown.exit_code == 1);
  BOOST_TEST(contains(unknown.err, "404"), unknown.err);
  const auto no_token = run_callpolicy({"inbox", "done", "RE0003", "--admin", admin});
  BOOST_TEST(no_token.exit_code != 0);
}

// A voicemail a server wrote before messages named their clinic: replay
// gives it its call's clinic, from the call's own record.
BOOST_FIXTURE_TEST_CASE(an_old_voicemail_takes_the_clinic_of_its_call, inbox_fixture) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  {
    std::ofstream out(dir.path() + "/old.jsonl");
    out << R"({"type":"call","time_ms":)" << now_ms - 60000 << R"(,"call_sid":")" << call_sid(1)
        << R"(","clinic":"cove-clinic","via":"ported","to":"+16045550170","from":"+16045550100","active_calls":0,)"
        << R"("action":"voicemail","reason":"otherwise"})" << "\n";
    out << R"({"type":"voicemail","time_ms":)" << now_ms - 30000 << R"(,"call_sid":")" << call_sid(1)
        << R"(","recording_sid":"RE0009","recording_url":"https://api.twilio.com/r/9","recording_duration":"7",)"
        << R"("recording_status":"completed"})" << "\n";
    out << R"({"type":"voicemail","time_ms":)" << now_ms - 20000 << R"(,"call_sid":")" << call_sid(2)
        << R"(","recording_sid":"RE0010","recording_url":"","recording_duration":"3","recording_status":"completed"})"
        << "\n";
  }
  server_process s(serve_args("old.jsonl"));
  const json all = inbox(s);
  BOOST_REQUIRE(all["items"].size() == 2u);
  BOOST_TEST(all["items"][0]["id"] == "RE0009");
  BOOST_TEST(all["items"][0]["clinic"] == "cove-clinic");
  BOOST_TEST(all["items"][1]["clinic"] == "");  // its call is not in the journal
  BOOST_TEST(contains(http_request(s.admin_port(), "GET", "/metrics").body,
                      "callpolicy_voicemails_total{clinic=\"cove-clinic\"} 1\n"));
}
