// The admin address against a hostile web page and a hostile client: DNS
// rebinding (a page on another site reaching 127.0.0.1 under its own name),
// framing, repeated credentials, and the credentials' spelling.
#include <ctime>

#include <boost/test/unit_test.hpp>

#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;

namespace {

http_reply get_with_host(int port, const std::string& target, const std::string& host) {
  return http_raw(port, "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n",
                  std::chrono::seconds(5));
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_rebound_host_name_gets_421_and_probes_answer_any_host, serve_fixture) {
  server_process server(args(examples, {"--admin-host", "ops.clinic.example"}));
  const int admin = server.admin_port();
  const std::string own = "127.0.0.1:" + std::to_string(admin);
  for (const std::string target : {"/", "/status", "/metrics", "/reloads", "/clinics/smile-dental"}) {
    BOOST_TEST_CONTEXT(target) {
      BOOST_TEST(get_with_host(admin, target, "attacker.example").status == 421);
      BOOST_TEST(get_with_host(admin, target, "attacker.example:" + std::to_string(admin)).status == 421);
      BOOST_TEST(get_with_host(admin, target, own).status != 421);
    }
  }
  BOOST_TEST(get_with_host(admin, "/status", "localhost:" + std::to_string(admin)).status == 200);
  BOOST_TEST(get_with_host(admin, "/status", "LOCALHOST").status == 200);
  BOOST_TEST(get_with_host(admin, "/status", "[::1]:" + std::to_string(admin)).status == 200);
  BOOST_TEST(get_with_host(admin, "/status", "ops.clinic.example").status == 200);
  BOOST_TEST(get_with_host(admin, "/status", "10.1.2.3").status == 421);  // listening on 127.0.0.1 only
  BOOST_TEST(get_with_host(admin, "/healthz", "attacker.example").status == 200);
  BOOST_TEST(get_with_host(admin, "/readyz", "attacker.example").status == 200);
}

BOOST_FIXTURE_TEST_CASE(admin_pages_cannot_be_framed_or_sniffed, serve_fixture) {
  server_process server(args(examples));
  auto page = http_request(server.admin_port(), "GET", "/");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(page.headers["x-frame-options"] == "DENY");
  BOOST_TEST(page.headers["x-content-type-options"] == "nosniff");
  BOOST_TEST(contains(page.headers["content-security-policy"], "frame-ancestors 'none'"));
  BOOST_TEST(contains(page.headers["content-security-policy"], "script-src 'self'"));
}

BOOST_FIXTURE_TEST_CASE(repeated_credentials_are_refused_and_the_scheme_is_case_insensitive, serve_fixture) {
  const std::string admin_token_file = dir.write("admin-token", "s3cret-admin\n");
  server_process server(args(examples, {"--admin-token-file", admin_token_file}));
  const std::string until = utc_in(std::chrono::hours(1));
  const std::string body = R"({"action": "voicemail", "until": ")" + until + R"(", "reason": "drill"})";
  const auto post = [&](const std::string& headers) {
    return http_raw(server.admin_port(),
                    "POST /admin/clinics/smile-dental/override HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    "Content-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n" + headers + "\r\n" + body,
                    std::chrono::seconds(5));
  };
  BOOST_TEST(post("Authorization: bearer s3cret-admin\r\n").status == 200);
  BOOST_TEST(post("Authorization: BEARER  s3cret-admin\r\n").status == 200);
  BOOST_TEST(post("Authorization: Bearer s3cret-admin\r\nAuthorization: Bearer wrong\r\n").status == 400);
  BOOST_TEST(post("Authorization: Bearer wrong\r\nAuthorization: Bearer s3cret-admin\r\n").status == 400);
  BOOST_TEST(post("Authorization: Basic s3cret-admin\r\n").status == 401);
  // Twilio's signature given twice: refused before either is checked.
  const auto fields = call(call_sid(1), "+14165551234");
  const std::string form_body = form(fields);
  const std::string signature = sign(token, server.base_url() + "/twilio/voice", form_body);
  const auto twice = http_raw(server.port(),
                              "POST /twilio/voice HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                              "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: " +
                                  signature + "\r\nX-Twilio-Signature: forged\r\nContent-Length: " +
                                  std::to_string(form_body.size()) + "\r\n\r\n" + form_body,
                              std::chrono::seconds(5));
  BOOST_TEST(twice.status == 400);
}

BOOST_FIXTURE_TEST_CASE(override_reasons_refuse_characters_that_hide_or_reorder_text, serve_fixture) {
  const std::string admin_token_file = dir.write("admin-token", "s3cret-admin\n");
  server_process server(args(examples, {"--admin-token-file", admin_token_file}));
  const std::string until = utc_in(std::chrono::hours(1));
  const auto set = [&](const std::string& reason_json) {
    return http_request(server.admin_port(), "POST", "/admin/clinics/smile-dental/override",
                        R"({"action": "voicemail", "until": ")" + until + R"(", "reason": ")" +
                            reason_json + R"("})",
                        {{"Authorization", "Bearer s3cret-admin"}, {"Content-Type", "application/json"}});
  };
  for (const std::string& hostile : {std::string("storm\\u0085"), std::string("storm\\u202Egnp.exe"),
                                     std::string("\\u2066storm"), std::string("a\\u200Fb"), std::string("a\\u007Fb"),
                                     std::string("a\\u061Cb"), std::string("a\\nb")}) {
    BOOST_TEST_CONTEXT(hostile) { BOOST_TEST(set(hostile).status == 400); }
  }
  BOOST_TEST(set("tempête de neige").status == 200);  // accented text is no control character
}

// A flood that takes every public slot, from five addresses: the operators
// still reach the status page, which has slots of its own.
BOOST_FIXTURE_TEST_CASE(a_public_flood_does_not_lock_out_the_admin_address, serve_fixture) {
  server_process server(args(examples, {"--max-connections", "20", "--max-connections-per-address", "4"}));
  std::vector<int> held;
  for (int a = 2; a <= 6; ++a) {
    for (int i = 0; i < 4; ++i) {
      const int fd = open_connection(server.port(), "127.0.0." + std::to_string(a));
      if (fd < 0) continue;
      send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      if (receive(fd, std::chrono::milliseconds(500)).rfind("HTTP/1.1 200", 0) == 0) held.push_back(fd);
    }
  }
  BOOST_TEST(held.size() == 20u);
  // The public address is full ...
  const int more = open_connection(server.port(), "127.0.0.7");
  BOOST_TEST_REQUIRE(more >= 0);
  send_all(more, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(receive(more, std::chrono::seconds(1)).empty());
  ::close(more);
  // ... and the admin address answers.
  BOOST_TEST(http_request(server.admin_port(), "GET", "/status").status == 200);
  for (int fd : held) ::close(fd);
}
