// A journal on a real, small tmpfs that fills up: every voicemail answered
// 200 survives a kill -9 and a restart, every line of the journal parses on
// its own, and a voicemail the disk could not take is answered 503 (Twilio
// retries it) until there is room again. Needs root to mount, as CI has.
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {

struct small_disk {
  std::string path;
  explicit small_disk(std::string where, const char* size) : path(std::move(where)) {
    std::filesystem::create_directories(path);
    const std::string options = std::string("size=") + size;
    BOOST_REQUIRE_MESSAGE(::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0,
                          "mounting a tmpfs needs root: " << std::strerror(errno));
  }
  ~small_disk() { ::umount2(path.c_str(), MNT_DETACH); }
};

std::vector<std::pair<std::string, std::string>> voicemail(int n) {
  const std::string sid = "RE" + std::to_string(100000 + n);
  // Long fields make each record a few kilobytes, so the disk fills within
  // a few dozen records and a batch is cut short inside a line.
  return {{"CallSid", call_sid(static_cast<unsigned long long>(n))},
          {"RecordingSid", sid},
          {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + sid + "?" +
                               std::string(2500 + static_cast<std::size_t>(n % 7) * 111, 'x')},
          {"RecordingDuration", "12"}};
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_full_disk_loses_no_acknowledged_voicemail, serve_fixture) {
  for (const std::string threads : {"1", "2"}) {
    BOOST_TEST_CONTEXT("--threads " << threads) {
      small_disk disk(dir.path() + "/disk-" + threads, "128k");
      const std::string on_disk = disk.path + "/journal.jsonl";
      std::vector<std::string> serve_args = args(examples, {"--threads", threads});
      *std::find(serve_args.begin(), serve_args.end(), journal) = on_disk;
      {
        // A filler to delete later, so that room comes back while the server runs.
        std::ofstream(disk.path + "/filler") << std::string(40 * 1024, 'f');
      }
      std::vector<std::string> acknowledged;
      int refused = 0;
      {
        server_process server(serve_args);
        int next = 0;
        bool freed = false;
        for (int attempts = 0; attempts < 400 && refused < 40; ++attempts) {
          const auto fields = voicemail(next);
          const auto r = server.post("/twilio/voicemail", fields, token);
          BOOST_REQUIRE(r.status == 200 || r.status == 503);
          if (r.status == 200) {
            acknowledged.push_back(fields[1].second);
            ++next;
            continue;
          }
          // Twilio retries the same callback; the first time the disk is
          // full, room comes back, so the retry must land on a line of its own.
          ++refused;
          if (!freed) {
            std::filesystem::remove(disk.path + "/filler");
            freed = true;
          }
        }
        BOOST_TEST(refused > 0);  // the disk did fill, twice: before and after the filler went
        BOOST_TEST(acknowledged.size() > 10u);
        BOOST_TEST(server.running());
        server.kill_hard();
      }
      std::ifstream in(on_disk);
      std::string line;
      std::vector<std::string> journaled;
      while (std::getline(in, line)) {
        const json record = json::parse(line, nullptr, false);
        BOOST_TEST_INFO("line: " << line.substr(0, 120));
        BOOST_TEST(!record.is_discarded());
        if (!record.is_discarded() && record.value("type", "") == "voicemail") {
          journaled.push_back(record.value("recording_sid", ""));
        }
      }
      BOOST_TEST(journaled == acknowledged, boost::test_tools::per_element());
      // The restart reads the same count; the disk is still full.
      std::vector<std::string> restart_args = serve_args;
      server_process restarted(restart_args);
      const json status = json::parse(http_request(restarted.admin_port(), "GET", "/status").body);
      BOOST_TEST(status["voicemails"] == acknowledged.size());
    }
  }
}

// A crash left a torn line, and the disk is full: the server still starts
// (the fragment is cut, which needs no space), answers what it cannot
// journal with 503, and what it does journal lands on a line of its own.
BOOST_FIXTURE_TEST_CASE(a_torn_journal_on_a_full_disk_still_starts, serve_fixture) {
  small_disk disk(dir.path() + "/disk", "64k");
  const std::string on_disk = disk.path + "/journal.jsonl";
  {
    std::ofstream torn(on_disk);
    torn << R"({"type":"voicemail","time_ms":1,"call_sid":")" << call_sid(1) << R"(","recording_sid":"RE1"})"
         << "\n"
         << R"({"type":"voicemail","time_ms":2,"call_s)";
  }
  {
    std::ofstream filler(disk.path + "/filler");
    const std::string block(4096, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) filler.flush();
  }
  std::vector<std::string> serve_args = args(examples, {"--threads", "1"});
  *std::find(serve_args.begin(), serve_args.end(), journal) = on_disk;
  server_process server(serve_args);
  const auto full = server.post("/twilio/voicemail", voicemail(2), token);
  BOOST_TEST((full.status == 200 || full.status == 503));
  std::filesystem::remove(disk.path + "/filler");
  const auto room = server.post("/twilio/voicemail", voicemail(3), token);
  BOOST_TEST(room.status == 200);
  server.kill_hard();
  std::ifstream in(on_disk);
  std::string line;
  int voicemails = 0;
  while (std::getline(in, line)) {
    const json record = json::parse(line, nullptr, false);
    BOOST_TEST_INFO("line: " << line.substr(0, 120));
    // The fragment stays as a line of its own when its newline fits (replay
    // reports and skips it), or is cut when it does not; nothing is glued to it.
    BOOST_TEST((!record.is_discarded() || line == R"({"type":"voicemail","time_ms":2,"call_s)"));
    voicemails += !record.is_discarded() && record.value("type", "") == "voicemail";
  }
  BOOST_TEST(voicemails == (full.status == 200 ? 3 : 2));
}

// The other message a caller leaves: a callback request the disk cannot
// take is never confirmed to the caller, who is sent to voicemail instead;
// every request the caller heard confirmed is in the journal after kill -9.
BOOST_FIXTURE_TEST_CASE(a_callback_request_the_disk_cannot_take_goes_to_voicemail, serve_fixture) {
  dir.write("rules/bay-clinic.policy", R"(clinic bay-clinic {
  timezone "America/Toronto"
  numbers  { ported +14165550170 }
  route { otherwise -> callback }
}
)");
  small_disk disk(dir.path() + "/disk", "64k");
  const std::string on_disk = disk.path + "/journal.jsonl";
  std::vector<std::string> serve_args = args(dir.path() + "/rules", {"--threads", "1"});
  *std::find(serve_args.begin(), serve_args.end(), journal) = on_disk;
  server_process server(serve_args);
  {
    std::ofstream filler(disk.path + "/filler");
    const std::string block(4096, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) filler.flush();
  }
  const auto request = [&](int n) {
    return server.post("/twilio/callback?clinic=bay-clinic&reason=otherwise",
                       {{"CallSid", call_sid(static_cast<unsigned long long>(n))},
                        {"To", "+14165550170"},
                        {"From", "+1416555" + std::to_string(1000 + n)},
                        {"Digits", "1"}},
                       token);
  };
  std::vector<std::string> confirmed;
  int sent_to_voicemail = 0;
  for (int n = 0; n < 40; ++n) {
    if (n == 30) std::filesystem::remove(disk.path + "/filler");
    const auto r = request(n);
    BOOST_REQUIRE(r.status == 200);
    if (contains(r.body, "We will call you back")) {
      confirmed.push_back("+1416555" + std::to_string(1000 + n));
    } else {
      BOOST_TEST(contains(r.body, "<Record "), r.body);
      BOOST_TEST(contains(r.body, "reason=callback%20not%20journaled"), r.body);
      ++sent_to_voicemail;
    }
  }
  BOOST_TEST(sent_to_voicemail > 0);  // the disk was full
  BOOST_TEST(confirmed.size() >= 10u);  // and had room again
  server.kill_hard();
  std::ifstream in(on_disk);
  std::string line;
  std::vector<std::string> journaled;
  while (std::getline(in, line)) {
    const json record = json::parse(line, nullptr, false);
    if (!record.is_discarded() && record.value("type", "") == "callback_request") {
      journaled.push_back(record.value("number", ""));
    }
  }
  BOOST_TEST(journaled == confirmed, boost::test_tools::per_element());
}
