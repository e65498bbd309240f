// The status page's recent decisions and its "Who answers now", from a real
// server: kept in memory (a page view reads no file), restored from the
// journal at a restart, callers from a PBX shown in E.164, bounded per clinic.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>

#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;

namespace {

int call_sip(const server_process& server, const std::string& sid, const std::string& to, const std::string& from) {
  const std::string body = form(call(sid, to, from));
  return http_request(server.port(), "POST", "/twilio/sip", body,
                      {{"X-Twilio-Signature", sign(token, server.base_url() + "/twilio/sip", body)}})
      .status;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(recent_decisions_come_from_memory_and_survive_a_restart, serve_fixture) {
  const std::string to = "sip:north-shore-medical@clinic.sip.twilio.com";
  {
    server_process server(args(examples));
    // A PBX in Sydney sends the national form of the caller's number.
    for (unsigned n = 1; n <= 25; ++n) {
      BOOST_REQUIRE(call_sip(server, call_sid(n), to, "sip:0298765432@pbx.example.com.au") == 200);
    }
    const auto page = http_request(server.admin_port(), "GET", "/clinics/north-shore-medical");
    BOOST_REQUIRE(page.status == 200);
    BOOST_TEST(contains(page.body, "+61298765432"));
    BOOST_TEST(!contains(page.body, "sip:0298765432"));
    // The newest twenty, newest first, each with its CallSid.
    BOOST_TEST(count_of(page.body, "class=\"call-sid\"") == 20u);
    BOOST_TEST(contains(page.body, call_sid(25)));
    BOOST_TEST(!contains(page.body, call_sid(5)));
    BOOST_TEST(page.body.find(call_sid(25)) < page.body.find(call_sid(24)));
    BOOST_TEST(contains(page.body, "Time (Australia/Sydney)"));
    // Removing the journal changes nothing the page shows: it reads no file.
    std::filesystem::remove(journal);
    const auto again = http_request(server.admin_port(), "GET", "/clinics/north-shore-medical");
    BOOST_TEST(count_of(again.body, "class=\"call-sid\"") == 20u);
  }
  // A journal written again, then a restart: the page shows what was journaled.
  {
    server_process server(args(examples));
    BOOST_REQUIRE(call_sip(server, call_sid(101), to, "sip:+61298765000@pbx.example.com.au") == 200);
  }
  server_process restarted(args(examples));
  const auto page = http_request(restarted.admin_port(), "GET", "/clinics/north-shore-medical");
  BOOST_TEST(contains(page.body, call_sid(101)));
  BOOST_TEST(contains(page.body, "+61298765000"));
  BOOST_TEST(count_of(page.body, "class=\"call-sid\"") == 1u);
}

BOOST_FIXTURE_TEST_CASE(recent_decisions_work_with_the_journal_off, serve_fixture) {
  server_process server({"--rules", examples, "--auth-token-file", token_file, "--journal", "", "--threads", "2"});
  BOOST_REQUIRE(call_sip(server, call_sid(7), "sip:north-shore-medical@clinic.sip.twilio.com",
                         "sip:anonymous@pbx.example.com.au") == 200);
  const auto page = http_request(server.admin_port(), "GET", "/clinics/north-shore-medical");
  BOOST_TEST(contains(page.body, call_sid(7)));
  // Not a phone number: shown as Twilio sent it, escaped.
  BOOST_TEST(contains(page.body, "sip:anonymous@pbx.example.com.au"));
}

BOOST_FIXTURE_TEST_CASE(the_now_view_says_until_when_and_marks_a_busy_clinic, serve_fixture) {
  server_process server(args(examples));
  const auto rows_now = [&] {
    const auto r = http_request(server.admin_port(), "GET", "/ui/now.json?clinic=north-shore-medical");
    BOOST_REQUIRE(r.status == 200);
    return r.body;
  };
  // With no call active, the answer changes when the clinic opens or closes:
  // every answer says until when, as a <time> carrying the UTC instant.
  const std::string idle = rows_now();
  BOOST_TEST_INFO(idle);
  BOOST_TEST(count_of(idle, "class=\\\"until\\\"") == count_of(idle, "class=\\\"answer "));
  BOOST_TEST(contains(idle, "until <time datetime=\\\""));
  BOOST_TEST(!contains(idle, "class=\\\"busy\\\">"));
  const std::string to = "sip:north-shore-medical@clinic.sip.twilio.com";
  for (unsigned n = 1; n <= 5; ++n) BOOST_REQUIRE(call_sip(server, call_sid(n), to, "+61298765432") == 200);
  // Five calls against a threshold of three: emphasised, and said in words.
  const std::string busy = rows_now();
  BOOST_TEST_INFO(busy);
  BOOST_TEST(contains(busy, R"(<strong class=\"busy\">5 of 3</strong>)"));
  BOOST_TEST(contains(busy, "at or over the overflow threshold"));
}

// The page's script and style are served byte for byte as the files in
// server/admin/assets/ hold them (embedded at build time), UTF-8 and the
// last newline included.
BOOST_FIXTURE_TEST_CASE(the_page_assets_are_the_files_in_the_source_tree, serve_fixture) {
  server_process server(args(examples));
  for (const auto& [path, file, type] :
       {std::tuple{"/ui/app.js", "status.js", "text/javascript"}, std::tuple{"/ui/app.css", "status.css", "text/css"}}) {
    BOOST_TEST_CONTEXT(path) {
      std::ifstream in(std::string(CALLPOLICY_SOURCE_DIR "/server/admin/assets/") + file, std::ios::binary);
      BOOST_REQUIRE(in);
      const std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto r = http_request(server.admin_port(), "GET", path);
      BOOST_TEST(r.status == 200);
      BOOST_TEST(contains(r.headers.at("content-type"), type));
      BOOST_TEST(r.body.size() == expected.size());
      BOOST_TEST((r.body == expected));
    }
  }
}
