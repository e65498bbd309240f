// The documents `compile --fallback-dir` writes for Twilio's Fallback URL,
// served by a real nginx and fetched over HTTP as Twilio would, checked
// against the policies they came from.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/wait.h"

using namespace callpolicy::testing;
namespace fs = std::filesystem;

namespace {

// nginx in the foreground, one process, serving `root` on a free port.
class nginx_process {
 public:
  nginx_process(const temp_dir& dir, const std::string& root) : port_(free_port()) {
    fs::create_directories(dir.path() + "/nginx/tmp");
    const std::string conf = dir.write("nginx/nginx.conf", "daemon off;\nmaster_process off;\nworker_processes 1;\n"
                                       "pid " + dir.path() + "/nginx/nginx.pid;\n"
                                       "error_log " + dir.path() + "/nginx/error.log;\n"
                                       "events { worker_connections 64; }\n"
                                       "http {\n  access_log off;\n"
                                       "  client_body_temp_path " + dir.path() + "/nginx/tmp;\n"
                                       "  proxy_temp_path " + dir.path() + "/nginx/tmp;\n"
                                       "  fastcgi_temp_path " + dir.path() + "/nginx/tmp;\n"
                                       "  types { application/xml xml; }\n"
                                       "  server { listen 127.0.0.1:" + std::to_string(port_) +
                                       "; root " + root + "; }\n}\n");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/usr/sbin/nginx", "nginx", "-p", (dir.path() + "/nginx").c_str(), "-c", conf.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (eventually([&] { return http_request(port_, "GET", "/_hangup.xml").status != 0; }, std::chrono::seconds(5)))
      return;
    throw std::runtime_error("nginx did not start: " + read_text(dir.path() + "/nginx/error.log"));
  }
  ~nginx_process() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  nginx_process(const nginx_process&) = delete;
  nginx_process& operator=(const nginx_process&) = delete;
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

const char* policies[] = {
R"(clinic desk {
  timezone "America/Toronto"
  numbers  { ported +14165550101 }
  mode     always
  forward  +14165550000 { say "One moment." timeout 25s caller-id +14165550101 screen "Press 1." }
  voicemail { greeting "Desk & Co. Leave a message." max 120s }
}
)",
R"(clinic message {
  timezone "America/Toronto"
  numbers  { forwarded +14165550202 }
  mode     always
}
)",
R"(clinic closed-line {
  timezone "UTC"
  numbers  { ported +14165550303 }
  mode     always
  forward  +14165550000
  unreachable busy
  busy     { reject }
}
)",
R"(clinic keep-message {
  timezone "UTC"
  numbers  { sip keep }
  mode     always
  forward  +14165550000 { caller-id +14165550404 }
  unreachable voicemail
}
)"};

}  // namespace

BOOST_AUTO_TEST_CASE(each_clinic_has_a_static_document_that_needs_no_server) {
  temp_dir dir;
  int n = 0;
  for (const char* p : policies) dir.write("rules/c" + std::to_string(n++) + ".policy", p);
  const std::string out = dir.path() + "/site/fallback";  // created, parents too
  const auto r = run_callpolicy({"compile", dir.path() + "/rules", "--fallback-dir", out});
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  nginx_process nginx(dir, dir.path() + "/site");
  const auto get = [&](const std::string& name) { return http_request(nginx.port(), "GET", "/fallback/" + name); };
  const std::string head = R"(<?xml version="1.0" encoding="UTF-8"?><Response>)";
  const std::string record_end = R"(playBeep="true" method="GET" action="_hangup.xml"/></Response>)";

  const auto desk = get("desk.xml");
  BOOST_TEST(desk.status == 200);
  BOOST_TEST(desk.headers.at("content-type").find("xml") != std::string::npos);
  // A forward without an action (nothing to call back), then the voicemail;
  // no screen, which needs the server to answer the staff leg.
  BOOST_TEST(desk.body == head + R"(<Say>One moment.</Say><Dial timeout="25" callerId="+14165550101">+14165550000</Dial>)"
                                 R"(<Say>Desk &amp; Co. Leave a message.</Say><Record maxLength="120" )" + record_end + "\n");
  BOOST_TEST(get("message.xml").body ==
             head + R"(<Say>Thank you for calling message. Please leave a message.</Say><Record maxLength="300" )" +
                 record_end + "\n");
  BOOST_TEST(get("closed-line.xml").body == head + R"(<Reject reason="busy"/></Response>)" + "\n");
  BOOST_TEST(get("keep-message.xml").body.find("<Dial") == std::string::npos);
  BOOST_TEST(get("keep-message.xml").body.find("<Record") != std::string::npos);
  // Where a voicemail's <Record> ends, beside the documents.
  const auto hangup = get("_hangup.xml");
  BOOST_TEST(hangup.status == 200);
  BOOST_TEST(hangup.body == head + "<Hangup/></Response>\n");
  // Why the Fallback URL's method must be GET: a static host refuses POST.
  BOOST_TEST(http_request(nginx.port(), "POST", "/fallback/desk.xml", "CallSid=CA1").status == 405);
}

// Every shipped clinic: one document each, none naming a URL of the server.
BOOST_AUTO_TEST_CASE(the_shipped_clinics_documents_follow_their_policies) {
  temp_dir dir;
  const std::string rules = std::string(CALLPOLICY_SOURCE_DIR) + "/rules";
  const auto r = run_callpolicy({"compile", rules, "--fallback-dir", dir.path() + "/site", "-o", dir.path() + "/b.json"});
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  const nlohmann::json bundle = nlohmann::json::parse(read_text(dir.path() + "/b.json"));
  nginx_process nginx(dir, dir.path() + "/site");
  std::size_t documents = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() + "/site")) documents += entry.path().extension() == ".xml";
  BOOST_TEST(documents == bundle["clinics"].size() + 1);  // and _hangup.xml
  for (const auto& c : bundle["clinics"]) {
    const std::string id = c["id"];
    BOOST_TEST_CONTEXT(id) {
      const auto doc = http_request(nginx.port(), "GET", "/" + id + ".xml");
      BOOST_TEST(doc.status == 200);
      BOOST_TEST(doc.body.find("http") == std::string::npos);
      BOOST_TEST(doc.body.find("/twilio/") == std::string::npos);
      BOOST_TEST(doc.body.find("<Sip>") == std::string::npos);
      BOOST_TEST(doc.body.find("<Gather") == std::string::npos);
      const std::string number = c["forward"]["number"];
      const std::string unreachable = c["unreachable"];
      BOOST_TEST(unreachable == (number.empty() ? "voicemail" : "forward"));  // none says otherwise
      if (unreachable == "forward") {
        BOOST_TEST(doc.body.find(">" + number + "</Dial>") != std::string::npos);
      }
      BOOST_TEST(doc.body.find(R"(action="_hangup.xml")") != std::string::npos);
    }
  }
}
