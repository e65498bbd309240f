// End-to-end: a real `callpolicy serve` attacked as a hostile client and
// faulted as an unlucky operator would (docs/operations.md, "Robustness"). Each case pins one
// finding of the review: it failed before the fix.
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/support/serve_fixture.h"
#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"

using namespace callpolicy::testing;
using json = nlohmann::json;

namespace {


long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// User plus system CPU time of `pid`, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

std::vector<json> journal_records(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const json j = json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(j);
  }
  return out;
}

}  // namespace

// Finding 1: a byte that is not UTF-8 in anything logged or journaled.
BOOST_FIXTURE_TEST_CASE(bytes_that_are_not_utf8_are_replaced_in_logs_journal_and_status, serve_fixture) {
  const std::string rules = dir.path() + "/rules";
  std::filesystem::create_directories(rules);
  std::ofstream(rules + "/caf\xE9.policy")
      << "clinic cafe {\n  timezone \"UTC\"\n  numbers { ported +14165551234 }\n  mode always\n}\n";
  server_process server(args(rules));
  BOOST_TEST(http_raw(server.port(), "GET /\xFF HTTP/1.1\r\nHost: x\r\n\r\n", std::chrono::seconds(2)).status == 404);
  BOOST_TEST(server.post("/twilio/voice", call(call_sid(1), "+14165551234", "+1416\xFF\xFE"), token).status == 200);
  BOOST_TEST(server.post("/twilio/voice", call("CA\xFF", "+14165551234"), token).status == 400);
  const auto status = http_request(server.admin_port(), "GET", "/status");
  BOOST_TEST(status.status == 200);
  BOOST_TEST(!json::parse(status.body, nullptr, false).is_discarded());
  BOOST_TEST(contains(status.body, "caf\xEF\xBF\xBD.policy"));
  BOOST_TEST(server.running());
  // Every log and journal line is valid JSON, with U+FFFD where the bad bytes were.
  std::istringstream log(server.log());
  std::string line;
  int lines = 0;
  while (std::getline(log, line)) {
    BOOST_TEST(!json::parse(line, nullptr, false).is_discarded(), line);
    ++lines;
  }
  BOOST_TEST(lines >= 4);
  BOOST_TEST(contains(server.log(), "\"path\":\"/\xEF\xBF\xBD\""));
  const auto records = journal_records(journal);
  BOOST_TEST_REQUIRE(records.size() == 1u);
  BOOST_TEST(records[0]["from"] == "+1416\xEF\xBF\xBD\xEF\xBF\xBD");
}

// Findings 2 and 3: trailers and chunk extensions are bounded; none kills
// the process or grows it.
BOOST_FIXTURE_TEST_CASE(huge_trailers_and_endless_chunk_extensions_are_refused, serve_fixture) {
  server_process server(args(examples, {"--read-timeout", "5s"}));
  const std::string head = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  // One trailer field over 65,533 bytes (Boost 1.74 threw std::length_error).
  const auto big_trailer =
      http_raw(server.port(), head + "1\r\na\r\n0\r\nX-Big: " + std::string(70000, 'b') + "\r\n\r\n",
               std::chrono::seconds(3));
  BOOST_TEST((big_trailer.status == 431 || big_trailer.status == 400));
  BOOST_TEST(server.running());

  const long before = rss_kib(server.pid());
  // Trailer fields for two seconds: answered and cut off long before memory grows.
  for (const std::string& endless : {std::string("0\r\n"), std::string("1;")}) {
    const int fd = open_connection(server.port());
    BOOST_TEST_REQUIRE(fd >= 0);
    send_all(fd, head + endless);
    const std::string filler = endless == "0\r\n" ? "X-T: " + std::string(1000, 't') + "\r\n"
                                                  : "e" + std::string(1000, 'x') + ";";
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    std::size_t sent = 0;
    while (std::chrono::steady_clock::now() < until && send_all(fd, filler)) sent += filler.size();
    const std::string reply = receive(fd, std::chrono::seconds(2));
    ::close(fd);
    BOOST_TEST(sent < 32u * 1024 * 1024);  // the server stopped reading and hung up
    BOOST_TEST((reply.rfind("HTTP/1.1 431", 0) == 0 || reply.rfind("HTTP/1.1 400", 0) == 0), reply.substr(0, 40));
  }
  BOOST_TEST(server.running());
  BOOST_TEST(rss_kib(server.pid()) - before < 20 * 1024);
  // A small, well-formed chunked request is still fine.
  const std::string body = form(call(call_sid(1), "+14165551234"));
  std::string chunked = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        "X-Twilio-Signature: " + sign(token, server.base_url() + "/twilio/voice", body) +
                        "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  chunked += fmt::format("{:x}\r\n{}\r\n0\r\nX-Done: yes\r\n\r\n", body.size(), body);
  BOOST_TEST(http_raw(server.port(), chunked, std::chrono::seconds(3)).status == 200);
}

// Finding 4: a torn last line does not swallow the next record.
BOOST_FIXTURE_TEST_CASE(a_torn_journal_line_does_not_swallow_the_next_voicemail, serve_fixture) {
  {
    std::ofstream torn(journal);
    torn << R"({"type":"voicemail","time_ms":1,"call_sid":")" << call_sid(1)
         << R"(","recording_sid":"RE1"})" << "\n"
         << R"({"type":"voicemail","time_ms":2,"call_s)";  // the crash
  }
  {
    server_process server(args(examples));
    const auto vm = server.post("/twilio/voicemail",
                                {{"CallSid", call_sid(2)}, {"RecordingSid", "RE2"}, {"RecordingUrl", "https://x/RE2"}},
                                token);
    BOOST_TEST(vm.status == 200);
    server.kill_hard();
  }
  server_process restarted(args(examples));
  // Under the sanitizers on CI's loaded cores, /status once came back empty
  // here (and never when run alone): asked again, with the server's log said
  // if it does, so that a stall shows rather than passes silently.
  http_reply status = http_request(restarted.admin_port(), "GET", "/status");
  if (status.status != 200) {
    BOOST_TEST_MESSAGE("/status answered " << status.status << " at first; the server's log:\n" << restarted.log());
    BOOST_REQUIRE(eventually(
        [&] { return (status = http_request(restarted.admin_port(), "GET", "/status")).status == 200; },
        std::chrono::seconds(20)));
  }
  const json s = json::parse(status.body);
  BOOST_TEST(s["voicemails"] == 2);
  BOOST_TEST(contains(restarted.log(), R"("message":"journal record skipped")"));
  BOOST_TEST(contains(restarted.log(), R"("line":2)"));
}

// Finding 5: out of descriptors, accept backs off instead of spinning.
BOOST_FIXTURE_TEST_CASE(out_of_descriptors_accept_backs_off_and_recovers, serve_fixture) {
  server_process server(args(examples, {"--threads", "1"}));
  rlimit tight{48, 48};
  rlimit old{};
  BOOST_TEST_REQUIRE(::prlimit(server.pid(), RLIMIT_NOFILE, &tight, &old) == 0);
  std::vector<int> held;
  for (int i = 0; i < 80; ++i) {
    const int fd = open_connection(server.port());
    if (fd >= 0) held.push_back(fd);
  }
  // Out of descriptors once it says so; from then on it must not spin.
  BOOST_TEST_REQUIRE(eventually([&] { return contains(server.log(), "accept paused: out of file descriptors"); }));
  const long before = cpu_ticks(server.pid());
  // What is measured is the CPU a second costs: the wait is the measurement.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long spent = cpu_ticks(server.pid()) - before;
  BOOST_TEST(spent < 30, "server used " << spent << " ticks of CPU in 1 s while out of descriptors");
  for (int fd : held) ::close(fd);
  ::prlimit(server.pid(), RLIMIT_NOFILE, &old, nullptr);
  BOOST_TEST(eventually([&] { return http_request(server.port(), "GET", "/healthz").status == 200; },
                        std::chrono::seconds(2)));
  BOOST_TEST(contains(server.log(), "accept paused: out of file descriptors"));
}

// Finding 6: one address cannot take every connection slot.
BOOST_FIXTURE_TEST_CASE(one_client_address_cannot_hold_every_slot, serve_fixture) {
  server_process server(args(examples, {"--max-connections-per-address", "4"}));
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    const int fd = open_connection(server.port());
    BOOST_TEST_REQUIRE(fd >= 0);
    // Answered, so surely accepted (the workers' accept queues are separate).
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::string answer;
    while (answer.find("ok\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      answer += receive(fd, std::chrono::milliseconds(100));
    }
    BOOST_TEST_REQUIRE(answer.rfind("HTTP/1.1 200", 0) == 0u);
    held.push_back(fd);
  }
  // A fifth from the same address is closed at once, without an answer.
  const int fifth = open_connection(server.port());
  BOOST_TEST_REQUIRE(fifth >= 0);
  send_all(fifth, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(receive(fifth, std::chrono::seconds(2)).empty());
  ::close(fifth);
  // Another address is served.
  const int other = open_connection(server.port(), "127.0.0.2");
  BOOST_TEST_REQUIRE(other >= 0);
  send_all(other, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  BOOST_TEST(receive(other, std::chrono::seconds(2)).rfind("HTTP/1.1 200", 0) == 0u);
  ::close(other);
  for (int fd : held) ::close(fd);
}

// Finding 7: no transfer coding but chunked; nothing that a proxy could
// frame differently.
BOOST_FIXTURE_TEST_CASE(transfer_codings_other_than_chunked_are_refused_and_close, serve_fixture) {
  server_process server(args(examples));
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto status_of = [&](const std::string& headers, const std::string& body) {
    const std::string raw = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body + smuggled;
    const auto reply = http_raw(server.port(), raw, std::chrono::seconds(2));
    // One answer only: the connection closes, the smuggled request is never read.
    std::size_t answers = 0;
    for (auto at = reply.body.find("HTTP/1.1 "); at != std::string::npos; at = reply.body.find("HTTP/1.1 ", at + 1)) ++answers;
    BOOST_TEST(answers == 0u);
    BOOST_TEST(reply.headers.count("connection") == 1u);
    return reply.status;
  };
  BOOST_TEST(status_of("Transfer-Encoding: gzip\r\n", "") == 400);
  BOOST_TEST(status_of("Transfer-Encoding: chunked, gzip\r\n", "") == 400);
  BOOST_TEST(status_of("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n") == 400);
  BOOST_TEST(status_of("Transfer-Encoding: identity\r\n", "") == 400);
  BOOST_TEST(status_of("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n") == 400);
  BOOST_TEST(status_of("Content-Length: 0\r\nHost: y\r\n", "") == 400);  // a second Host
  BOOST_TEST(server.running());
}

// Finding 8: replay streams and is linear; the journal is not kept in memory.
BOOST_FIXTURE_TEST_CASE(replay_of_a_large_journal_is_linear_and_streamed, serve_fixture) {
  // What the server holds with an empty journal, to compare with.
  long empty_rss = 0;
  std::chrono::steady_clock::duration empty_start{};
  {
    temp_dir other;
    const auto started = std::chrono::steady_clock::now();
    server_process empty({"--rules", examples, "--auth-token-file", token_file, "--journal",
                          other.path() + "/empty.jsonl", "--threads", "2"});
    empty_start = std::chrono::steady_clock::now() - started;
    empty_rss = rss_kib(empty.pid());
  }
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  {
    std::ofstream out(journal);
    const std::string padding(450, 'p');
    // 100,000 calls from two hours ago (over), then 50,000 live ones.
    for (int i = 0; i < 150000; ++i) {
      const long long at = i < 100000 ? now_ms - 7200000 : now_ms - 60000;
      out << R"({"type":"call","time_ms":)" << at << R"(,"call_sid":")" << call_sid(i)
          << R"(","clinic":"harbour-physio","via":"forwarded","to":"+442079460555","from":")" << padding
          << R"(","action":"ai","reason":"overflow"})" << "\n";
    }
  }
  const auto journal_kib = static_cast<long>(std::filesystem::file_size(journal) / 1024);
  const auto started = std::chrono::steady_clock::now();
  server_process server(args(examples));
  const auto took = std::chrono::steady_clock::now() - started;
  // Was 46 s for 50,000 live calls: quadratic. A generous bound on what the
  // replay adds to a start (the compile of the examples, slow under
  // sanitizers on a loaded machine, is counted out), not a benchmark.
#ifdef __SANITIZE_ADDRESS__
  // ASan at -O1 inlines nothing of nlohmann's lexer: 35 s on a quiet 2-core
  // machine, over a minute beside the other suites on CI.
  constexpr auto replay_bound = std::chrono::seconds(150);
#else
  constexpr auto replay_bound = std::chrono::seconds(20);
#endif
  BOOST_TEST(took - empty_start < replay_bound,
             "replay added " << std::chrono::duration_cast<std::chrono::milliseconds>(took - empty_start).count()
                             << " ms to a start of "
                             << std::chrono::duration_cast<std::chrono::milliseconds>(empty_start).count() << " ms");
  const json s = json::parse(http_request(server.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["active_calls"]["harbour-physio"] == 50000);
  // The journal is not kept: what replay leaves is the registry of live calls.
  const long grown = rss_kib(server.pid()) - empty_rss;
  BOOST_TEST(grown < journal_kib / 2, "RSS grew " << grown << " KiB replaying a " << journal_kib << " KiB journal");
}

// Finding 8 too: the journal rotates, and replay of the new file alone
// restores what the old ones held.
BOOST_FIXTURE_TEST_CASE(the_journal_rotates_and_a_restart_keeps_calls_and_voicemails, serve_fixture) {
  namespace fs = std::filesystem;
  {
    server_process server(args(examples, {"--journal-max-size", "4K"}));
    for (int i = 0; i < 3; ++i) server.post("/twilio/voice", call(call_sid(i), "+442079460555"), token);
    server.post("/twilio/voicemail", {{"CallSid", call_sid(1)}, {"RecordingSid", "RE77"}, {"RecordingUrl", "https://x/RE77"}},
                token);
    // Enough other calls, each ended, to rotate several times.
    for (int i = 100; i < 160; ++i) {
      server.post("/twilio/voice", call(call_sid(i), "+14165551234"), token);
      server.post("/twilio/status", {{"CallSid", call_sid(i)}, {"CallStatus", "completed"}}, token);
    }
    server.kill_hard();
  }
  std::size_t rotated = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("journal.jsonl.", 0) == 0 && name != "journal.jsonl.rotating") ++rotated;
  }
  BOOST_TEST(rotated >= 2u);
  BOOST_TEST(fs::file_size(journal) < 8u * 1024);
  server_process restarted(args(examples, {"--journal-max-size", "4K"}));
  const json s = json::parse(http_request(restarted.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["active_calls"]["harbour-physio"] == 3);
  BOOST_TEST(s["active_calls"]["smile-dental"] == 0);
  BOOST_TEST(s["voicemails"] == 1);
  // The recording is still known: Twilio's retry is not journaled twice.
  restarted.post("/twilio/voicemail", {{"CallSid", call_sid(1)}, {"RecordingSid", "RE77"}}, token);
  BOOST_TEST(json::parse(http_request(restarted.admin_port(), "GET", "/status").body)["voicemails"] == 1);
}

// Finding 9: a Kubernetes ConfigMap volume, swapped atomically by symlink.
BOOST_FIXTURE_TEST_CASE(an_atomic_symlink_swap_of_the_rules_is_loaded_and_reloaded, serve_fixture) {
  namespace fs = std::filesystem;
  const fs::path rules = dir.path() + "/config";
  fs::create_directories(rules / "..2026_11_24_01" );
  std::ofstream(rules / "..2026_11_24_01" / "clinic.policy")
      << "clinic swap {\n  timezone \"UTC\"\n  numbers { ported +15555550100 }\n  mode always\n}\n";
  fs::create_directory_symlink("..2026_11_24_01", rules / "..data");
  fs::create_symlink("..data/clinic.policy", rules / "clinic.policy");
  server_process server(args(rules.string()));
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(1), "+15555550100"), token).body, "<Sip>"));
  // What the kubelet does: a new directory, a new ..data link renamed over the old.
  fs::create_directories(rules / "..2026_11_24_02");
  std::ofstream(rules / "..2026_11_24_02" / "clinic.policy")
      << "clinic swap {\n  timezone \"UTC\"\n  numbers { ported +15555550100 }\n  mode disabled\n  fallback busy\n}\n";
  fs::create_directory_symlink("..2026_11_24_02", rules / "..data_tmp");
  fs::rename(rules / "..data_tmp", rules / "..data");
  fs::remove_all(rules / "..2026_11_24_01");
  int attempt = 2;
  BOOST_TEST(eventually([&] {
    return contains(server.post("/twilio/voice", call(call_sid(attempt++), "+15555550100"), token).body, "<Hangup/>");
  }));
  const json s = json::parse(http_request(server.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["last_reload"]["ok"] == true);
}

// Finding 10: bad journal records are reported with file:line, counted, skipped.
BOOST_FIXTURE_TEST_CASE(bad_journal_records_are_reported_counted_and_skipped, serve_fixture) {
  {
    std::ofstream out(journal);
    out << R"({"type":"voicemail","time_ms":1,"call_sid":"CA1","recording_sid":"RE1"})" << "\n"
        << "garbage that is not json\n"
        << R"({"type":"call","time_ms":"yesterday","call_sid":"CA2","clinic":"harbour-physio"})" << "\n"
        << R"({"type":"call","time_ms":1,"call_sid":7,"clinic":"harbour-physio"})" << "\n"
        << R"({"type":"voicemail","time_ms":2,"call_sid":"CA3","recording_sid":"RE3"})" << "\n"
        // Found by the journal_replay fuzzer: milliseconds past what the clock holds.
        << R"({"type":"call","time_ms":41024448000100,"call_sid":")" << call_sid(5) << R"(","clinic":"harbour-physio"})"
        << "\n";
  }
  server_process server(args(examples));
  const std::string log = server.log();
  BOOST_TEST(contains(log, R"("journal":")" + journal + R"(","line":2)"));
  BOOST_TEST(contains(log, R"("journal":")" + journal + R"(","line":3)"));
  BOOST_TEST(contains(log, R"("journal":")" + journal + R"(","line":4)"));
  BOOST_TEST(contains(log, R"("line":6,"error":"time_ms out of range")"));
  BOOST_TEST(contains(log, R"("records":2,"skipped":4)"));
  BOOST_TEST(contains(http_request(server.admin_port(), "GET", "/metrics").body, "callpolicy_journal_skipped_records 4"));
  const json s = json::parse(http_request(server.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["voicemails"] == 2);
}

// Finding 11, the small ones.
BOOST_FIXTURE_TEST_CASE(a_repeated_webhook_for_an_ended_call_does_not_count_it_again, serve_fixture) {
  server_process server(args(examples));
  BOOST_TEST(server.post("/twilio/voice", call(call_sid(1), "+442079460555"), token).status == 200);
  server.post("/twilio/status", {{"CallSid", call_sid(1)}, {"CallStatus", "completed"}}, token);
  BOOST_TEST(server.post("/twilio/voice", call(call_sid(1), "+442079460555"), token).status == 200);
  const json s = json::parse(http_request(server.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["active_calls"]["harbour-physio"] == 0);
}

BOOST_FIXTURE_TEST_CASE(duplicate_identifying_parameters_are_refused, serve_fixture) {
  server_process server(args(examples));
  auto fields = call(call_sid(1), "+14165551234");
  fields.emplace_back("To", "+442079460555");
  BOOST_TEST(server.post("/twilio/voice", fields, token).status == 400);
  auto sids = call(call_sid(2), "+14165551234");
  sids.emplace_back("CallSid", call_sid(3));
  BOOST_TEST(server.post("/twilio/voice", sids, token).status == 400);
}

BOOST_FIXTURE_TEST_CASE(call_sids_must_have_twilios_shape, serve_fixture) {
  server_process server(args(examples));
  BOOST_TEST(server.post("/twilio/voice", call("CA1", "+14165551234"), token).status == 400);
  BOOST_TEST(server.post("/twilio/voice", call("CA" + std::string(32, 'g'), "+14165551234"), token).status == 400);
  BOOST_TEST(server.post("/twilio/status", {{"CallSid", "x"}, {"CallStatus", "completed"}}, token).status == 400);
  BOOST_TEST(server.post("/twilio/voice", call(call_sid(0xabcdef), "+14165551234"), token).status == 200);
}

BOOST_FIXTURE_TEST_CASE(header_details_follow_the_rfcs, serve_fixture) {
  server_process server(args(examples));
  // Media types are case-insensitive.
  const std::string body = form(call(call_sid(1), "+14165551234"));
  BOOST_TEST(http_request(server.port(), "POST", "/twilio/voice", body,
                          {{"Content-Type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"},
                           {"X-Twilio-Signature", sign(token, server.base_url() + "/twilio/voice", body)}})
                 .status == 200);
  // HEAD tells the length GET would send.
  auto head = http_raw(server.port(), "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                             std::chrono::seconds(2));
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.headers["content-length"] == "3");
  BOOST_TEST(head.body.empty());
  // A SIP scheme in upper case is a SIP address.
  const auto sip = server.post("/twilio/sip", call(call_sid(2), "SIP:north-shore-medical@clinics.sip.twilio.com"), token);
  BOOST_TEST(!contains(sip.body, "not in service"));
  BOOST_TEST(contains(server.log(), R"("clinic":"north-shore-medical")"));
}

// A header continued on the next line (obs-fold) is refused with 400 on both
// addresses, not unfolded: a proxy in front may read it otherwise. A request
// whose header arrives a few bytes at a time, and pipelined requests, still work.
BOOST_FIXTURE_TEST_CASE(obsolete_line_folding_is_refused, serve_fixture) {
  server_process server(args(examples));
  const std::string body = form(call(call_sid(1), "+14165551234"));
  const std::string signature = sign(token, server.base_url() + "/twilio/voice", body);
  const std::string folded = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature:\r\n " + signature +
                             "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  const auto refused = http_raw(server.port(), folded, std::chrono::seconds(3));
  BOOST_TEST(refused.status == 400);
  BOOST_TEST(contains(refused.body, "obsolete line folding"));
  const auto tabbed = http_raw(server.admin_port(), "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain,\r\n\t*/*\r\n\r\n",
                               std::chrono::seconds(3));
  BOOST_TEST(tabbed.status == 400);
  // Whitespace before the first field is the same mistake.
  BOOST_TEST(http_raw(server.port(), "GET /healthz HTTP/1.1\r\n Host: x\r\n\r\n", std::chrono::seconds(3)).status == 400);
  // Unfolded, the same request is answered.
  const std::string plain = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: " + signature +
                            "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
  // Two at once on one connection, and then one sent a byte at a time.
  const int fd = open_connection(server.port());
  BOOST_REQUIRE(fd >= 0);
  BOOST_REQUIRE(send_all(fd, plain + plain));
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (got.find("</Response>", got.find("</Response>") + 1) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    got += receive(fd, std::chrono::milliseconds(200));
  }
  BOOST_TEST(got.find("HTTP/1.1 200", got.find("HTTP/1.1 200") + 1) != std::string::npos);
  for (const char c : plain) BOOST_REQUIRE(send_all(fd, std::string(1, c)));
  std::string third;
  const auto later = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (third.find("</Response>") == std::string::npos && std::chrono::steady_clock::now() < later) {
    third += receive(fd, std::chrono::milliseconds(200));
  }
  BOOST_TEST(contains(third, "HTTP/1.1 200"));
  ::close(fd);
}

BOOST_FIXTURE_TEST_CASE(a_voicemail_callback_retried_by_twilio_is_journaled_once, serve_fixture) {
  server_process server(args(examples));
  const std::vector<std::pair<std::string, std::string>> vm{
      {"CallSid", call_sid(1)}, {"RecordingSid", "RE0123"}, {"RecordingUrl", "https://x/RE0123"}};
  BOOST_TEST(server.post("/twilio/voicemail", vm, token).status == 200);
  BOOST_TEST(server.post("/twilio/voicemail", vm, token).status == 200);
  server.kill_hard();
  std::size_t copies = 0;
  for (const json& r : journal_records(journal)) copies += r["type"] == "voicemail" ? 1 : 0;
  BOOST_TEST(copies == 1u);
  // Also across a restart.
  server_process restarted(args(examples));
  BOOST_TEST(restarted.post("/twilio/voicemail", vm, token).status == 200);
  restarted.stop();
  copies = 0;
  for (const json& r : journal_records(journal)) copies += r["type"] == "voicemail" ? 1 : 0;
  BOOST_TEST(copies == 1u);
}

// SIGTERM drains: every request whose record reached the journal got its answer.
// With one worker the event loop commits the journal itself; with more, a
// writer thread does (server/journal.h): both drain the same way.
BOOST_FIXTURE_TEST_CASE(sigterm_answers_every_journaled_request, serve_fixture) {
  for (const std::string threads : {"1", "2"}) {
    BOOST_TEST_CONTEXT("--threads " << threads) {
      std::filesystem::remove(journal);
      server_process server(args(examples, {"--threads", threads}));
      std::atomic<bool> stop{false};
      std::mutex answered_mutex;
      std::set<std::string> answered;
      std::vector<std::thread> load;
      for (int t = 0; t < 4; ++t) {
        load.emplace_back([&, t] {
          for (int i = 0; !stop; ++i) {
            const std::string sid = call_sid(1000000ull * (t + 1) + i);
            const auto r = server.post("/twilio/voice", call(sid, "+14165551234"), token);
            if (r.status == 200) {
              std::lock_guard lock(answered_mutex);
              answered.insert(sid);
            }
          }
        });
      }
      // Stopped while requests are in flight, not before the first.
      BOOST_TEST_REQUIRE(eventually([&] {
        std::lock_guard lock(answered_mutex);
        return answered.size() >= 50;
      }));
      BOOST_TEST(server.stop() == 0);
      stop = true;
      for (auto& t : load) t.join();
      std::size_t journaled = 0, unanswered = 0;
      for (const json& r : journal_records(journal)) {
        ++journaled;
        if (!answered.count(r["call_sid"].get<std::string>())) ++unanswered;
      }
      BOOST_TEST(journaled > 10u);
      BOOST_TEST(unanswered == 0u);
    }
  }
}

// Finding 12: status and metrics only on the admin address; writes need the token.
BOOST_FIXTURE_TEST_CASE(status_and_metrics_live_on_the_admin_address_only, serve_fixture) {
  const std::string admin_token_file = dir.write("admin-token", "s3cret-admin\n");
  server_process server(args(examples, {"--admin-token-file", admin_token_file}));
  BOOST_TEST(http_request(server.port(), "GET", "/status").status == 404);
  BOOST_TEST(http_request(server.port(), "GET", "/metrics").status == 404);
  BOOST_TEST(http_request(server.port(), "POST", "/admin/clinics/smile-dental/override", "{}").status == 404);
  BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200);
  BOOST_TEST(http_request(server.admin_port(), "GET", "/status").status == 200);
  BOOST_TEST(http_request(server.admin_port(), "GET", "/metrics").status == 200);
  BOOST_TEST(http_request(server.admin_port(), "GET", "/readyz").status == 200);
  // Webhooks are not served on the admin address.
  BOOST_TEST(http_request(server.admin_port(), "POST", "/twilio/voice", form(call(call_sid(1), "+14165551234"))).status == 404);
  auto anonymous = http_request(server.admin_port(), "POST", "/admin/clinics/smile-dental/override", "{}");
  BOOST_TEST(anonymous.status == 401);
  BOOST_TEST(contains(anonymous.headers["www-authenticate"], "Bearer"));
  BOOST_TEST(http_request(server.admin_port(), "DELETE", "/admin/clinics/smile-dental/override", "",
                          {{"Authorization", "Bearer wrong"}})
                 .status == 401);
  BOOST_TEST(http_request(server.admin_port(), "DELETE", "/admin/clinics/smile-dental/override", "",
                          {{"Authorization", "Bearer s3cret-admin"}})
                 .status != 401);
}

BOOST_FIXTURE_TEST_CASE(admin_writes_are_off_without_a_token_file, serve_fixture) {
  server_process server(args(examples));
  BOOST_TEST(http_request(server.admin_port(), "POST", "/admin/clinics/smile-dental/override", "{}").status == 403);
  BOOST_TEST(http_request(server.admin_port(), "GET", "/status").status == 200);
}

// A crash while the rules hold a broken edit: the restart serves the last
// good set (kept beside the journal) instead of staying down.
BOOST_FIXTURE_TEST_CASE(a_restart_while_the_rules_are_broken_serves_the_last_good_set, serve_fixture) {
  const std::string rules = dir.path() + "/rules";
  std::filesystem::create_directories(rules);
  const std::string good = "clinic broken-edit {\n  timezone \"UTC\"\n  numbers { ported +15555550100 }\n  mode always\n}\n";
  dir.write("rules/clinic.policy", good);
  {
    server_process server(args(rules));
    server.kill_hard();
  }
  dir.write("rules/clinic.policy", "clinic broken-edit {\n  timezone \"Nowhere/Land\"\n  mode always\n}\n");
  server_process restarted(args(rules));
  BOOST_TEST(http_request(restarted.port(), "GET", "/readyz").status == 200);
  BOOST_TEST(contains(restarted.post("/twilio/voice", call(call_sid(1), "+15555550100"), token).body, "<Sip>"));
  BOOST_TEST(contains(restarted.log(), R"("message":"the rules have errors; serving the last good set")"));
  const json s = json::parse(http_request(restarted.admin_port(), "GET", "/status").body);
  BOOST_TEST(s["last_reload"]["ok"] == false);
  BOOST_TEST(s["last_reload"]["diagnostics"].size() >= 1u);
  // Fixing the file applies it as usual.
  dir.write("rules/clinic.policy", good);
  BOOST_TEST(eventually([&] {
    return json::parse(http_request(restarted.admin_port(), "GET", "/status").body)["last_reload"]["ok"] == true;
  }));
}

// Without a journal there is nowhere to keep a last good set: broken rules
// stop the start, as before.
BOOST_FIXTURE_TEST_CASE(without_a_journal_broken_rules_stop_the_start, serve_fixture) {
  const std::string rules = dir.path() + "/rules";
  std::filesystem::create_directories(rules);
  dir.write("rules/clinic.policy", "clinic broken {\n  timezone \"Nowhere/Land\"\n}\n");
  const auto started = run_callpolicy({"serve", "--rules", rules, "--auth-token-file", token_file, "--journal", "",
                                       "--listen", "127.0.0.1:" + std::to_string(free_port()), "--admin-listen", ""});
  BOOST_TEST(started.exit_code == 1);
  BOOST_TEST(contains(started.err, "cannot load"));
}

// A snapshot larger than the limit (many recent recordings) must not make
// every batch rotate again: the limit counts records written after it.
BOOST_FIXTURE_TEST_CASE(a_snapshot_over_the_limit_does_not_rotate_every_batch, serve_fixture) {
  namespace fs = std::filesystem;
  server_process server(args(examples, {"--journal-max-size", "1K", "--threads", "1"}));
  for (int i = 0; i < 30; ++i) {
    const std::string recording = fmt::format("RE{:032x}", i);
    server.post("/twilio/voicemail", {{"CallSid", call_sid(i)}, {"RecordingSid", recording}}, token);
  }
  const auto rotated = [&] {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("journal.jsonl.2", 0) == 0) ++n;
    }
    return n;
  };
  const std::size_t before = rotated();
  // 10 status records of about 120 bytes: a rotation or two at 1 KiB, where
  // a limit on the file's size would rotate at each one.
  for (int i = 100; i < 110; ++i) {
    server.post("/twilio/status", {{"CallSid", call_sid(i)}, {"CallStatus", "completed"}}, token);
  }
  BOOST_TEST(rotated() - before <= 4u, rotated() - before << " rotations for about 1.2 KB of records");
}

// Workers share one listening socket: a second server on a taken port fails
// to start rather than silently sharing the port's traffic.
BOOST_FIXTURE_TEST_CASE(a_second_server_on_a_taken_port_fails_to_start, serve_fixture) {
  server_process server(args(examples, {"--threads", "2"}));
  temp_dir other;
  const auto second = run_callpolicy({"serve", "--rules", examples, "--auth-token-file", token_file, "--journal",
                                      other.path() + "/journal.jsonl", "--threads", "2", "--listen",
                                      "127.0.0.1:" + std::to_string(server.port()), "--admin-listen", ""});
  BOOST_TEST(second.exit_code == 2);
  BOOST_TEST(contains(second.err, "cannot listen"));
  BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200);
}

// The journal is committed by the event loop between batches of handlers. A
// flood of pipelined requests that journal nothing (here forged signatures,
// 403) never lets the loop go idle; a call must still be answered while the
// flood goes on, not after it.
BOOST_FIXTURE_TEST_CASE(a_flood_that_journals_nothing_does_not_hold_back_a_call, serve_fixture) {
  server_process server(args(examples, {"--threads", "1"}));
  const std::string body = form(call(call_sid(1), "+14165551234"));
  const std::string forged = fmt::format(
      "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "X-Twilio-Signature: bm90IGEgc2lnbmF0dXJl\r\nContent-Length: {}\r\n\r\n{}",
      body.size(), body);
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += forged;
  std::atomic<bool> stop{false};
  std::atomic<long> refused{0};
  std::vector<std::thread> flood;
  for (int c = 0; c < 4; ++c) {
    const int fd = open_connection(server.port(), "127.0.0." + std::to_string(10 + c));
    BOOST_TEST_REQUIRE(fd >= 0);
    flood.emplace_back([&, fd] {
      while (!stop && send_all(fd, burst)) {
      }
      ::shutdown(fd, SHUT_WR);
    });
    // Reads until the server closes, after the writer's last burst.
    flood.emplace_back([&, fd] {
      const std::string status = "HTTP/1.1 403";
      std::string tail;
      char buffer[65536];
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) {
          if (std::chrono::steady_clock::now() > give_up) break;
          continue;
        }
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        tail.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t at = tail.find(status); at != std::string::npos; at = tail.find(status, at + 1)) ++refused;
        tail.erase(0, tail.size() > status.size() ? tail.size() - status.size() : 0);
      }
      ::close(fd);
    });
  }
  BOOST_TEST_REQUIRE(eventually([&] { return refused >= 5000; }, std::chrono::seconds(5)));
  const long refused_before = refused;
  const auto start = std::chrono::steady_clock::now();
  const auto answer = server.post("/twilio/voice", call(call_sid(2), "+14165551234"), token);
  const auto waited = std::chrono::steady_clock::now() - start;
  const long refused_during = refused - refused_before;
  stop = true;
  for (auto& t : flood) t.join();
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() < 2000);
  // The flood went on while the call waited: the loop was never idle.
  BOOST_TEST(refused_during > 0);
  bool journaled = false;
  for (const json& r : journal_records(journal)) journaled = journaled || r.value("call_sid", "") == call_sid(2);
  BOOST_TEST(journaled);
}
