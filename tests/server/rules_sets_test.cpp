// Which sets a server agrees to serve, and how it notices a new one: a set
// without clinics is refused at start and on reload (it would answer every
// call "not in service"), and a deploy that swaps a symlink is seen.
#include <filesystem>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/serve_fixture.h"

using namespace callpolicy::testing;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string clinic_policy(const std::string& mode_lines) {
  return "clinic swap-test {\n  timezone \"UTC\"\n  numbers { ported +15555550100 }\n" + mode_lines + "}\n";
}
const std::string answered_by_ai = clinic_policy("  mode always\n");
const std::string answered_busy = clinic_policy("  mode disabled\n  fallback busy\n");

}  // namespace

BOOST_FIXTURE_TEST_CASE(an_empty_rules_directory_is_refused_at_start, serve_fixture) {
  fs::create_directories(dir.path() + "/empty");
  std::vector<std::string> serve{"serve", "--listen", "127.0.0.1:" + std::to_string(free_port()),
                                 "--admin-listen", "127.0.0.1:" + std::to_string(free_port())};
  const std::vector<std::string> rest = args(dir.path() + "/empty");
  serve.insert(serve.end(), rest.begin(), rest.end());
  const auto r = run_callpolicy(serve);
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(r.exit_code < 128);
  BOOST_TEST(contains(r.err, "error[E024]"));
  BOOST_TEST(!contains(r.err, "the last good set keeps serving"));
  // A bundle of no clinic is refused the same way.
  const auto bundle = run_callpolicy({"compile", dir.path() + "/empty", "--allow-empty", "-o", dir.path() + "/e.json"});
  BOOST_REQUIRE(bundle.exit_code == 0);
  serve[serve.size() - rest.size() + 1] = dir.path() + "/e.json";
  const auto b = run_callpolicy(serve);
  BOOST_TEST(b.exit_code == 1);
  BOOST_TEST(contains(b.err, "the bundle holds no clinic"));
}

BOOST_FIXTURE_TEST_CASE(a_reload_to_an_empty_set_never_applies, serve_fixture) {
  const std::string rules = dir.path() + "/rules";
  fs::create_directories(rules);
  dir.write("rules/clinic.policy", answered_by_ai);
  server_process server(args(rules));
  fs::remove(rules + "/clinic.policy");
  BOOST_TEST(eventually([&] {
    const json s = json::parse(http_request(server.admin_port(), "GET", "/status").body);
    return s["last_reload"]["ok"] == false;
  }));
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(1), "+15555550100"), token).body, "<Sip>"));
  BOOST_TEST(http_request(server.port(), "GET", "/readyz").status == 200);
  BOOST_TEST(contains(server.log(), "\"code\":\"E024\""));
}

// Every way a watched file can end up empty while the rest of the set is
// sound: the reload is refused, the clinic keeps its policy, and the status
// names the file. (A write that fails on a full disk leaves what an
// open-with-truncate and a close leave: the first case.)
BOOST_FIXTURE_TEST_CASE(an_emptied_policy_file_never_removes_its_clinic, serve_fixture) {
  const std::string other = "clinic other {\n  timezone \"UTC\"\n  numbers { ported +15555550199 }\n  mode always\n}\n";
  fs::create_directories(dir.path() + "/rules");
  fs::create_directories(dir.path() + "/release");
  dir.write("rules/swap-test.policy", answered_by_ai);
  dir.write("rules/other.policy", other);
  dir.write("release/swap-test.policy", "");
  dir.write("release/other.policy", other);
  const std::string link = dir.path() + "/current";
  fs::create_directory_symlink(dir.path() + "/rules", link);
  server_process server(args(link));
  unsigned long long n = 1;
  auto status = [&] { return json::parse(http_request(server.admin_port(), "GET", "/status").body); };
  auto refused_naming = [&](const std::string& file) {
    return eventually([&] {
      const json s = status();
      if (s["last_reload"]["ok"] != false) return false;
      for (const json& d : s["last_reload"]["diagnostics"]) {
        if (d["code"] == "E025" && contains(d["file"].get<std::string>(), file)) return true;
      }
      return false;
    });
  };
  auto still_served = [&] {
    BOOST_TEST(status()["clinics"].size() == 2u);
    BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(n++), "+15555550100"), token).body, "<Sip>"));
    BOOST_TEST(http_request(server.port(), "GET", "/readyz").status == 200);
  };
  auto restore = [&] {
    dir.write("rules/.swap-test.tmp", answered_by_ai);
    fs::rename(dir.path() + "/rules/.swap-test.tmp", dir.path() + "/rules/swap-test.policy");
    BOOST_TEST(eventually([&] { return status()["last_reload"]["ok"] == true; }));
  };
  BOOST_TEST_CONTEXT("truncated in place, as ': > f' or a write lost to a full disk") {
    dir.write("rules/swap-test.policy", "");
    BOOST_TEST(refused_naming("swap-test.policy"));
    still_served();
    restore();
  }
  BOOST_TEST_CONTEXT("cut short inside its opening comments") {
    dir.write("rules/swap-test.policy", "# Swap test clinic\n# owner: front d");
    BOOST_TEST(refused_naming("swap-test.policy"));
    still_served();
    restore();
  }
  BOOST_TEST_CONTEXT("a new file still empty") {
    dir.write("rules/new-clinic.policy", "");
    BOOST_TEST(refused_naming("new-clinic.policy"));
    still_served();
    fs::remove(dir.path() + "/rules/new-clinic.policy");
    BOOST_TEST(eventually([&] { return status()["last_reload"]["ok"] == true; }));
  }
  BOOST_TEST_CONTEXT("a symlink swapped to a release in which the file is empty") {
    fs::create_directory_symlink(dir.path() + "/release", dir.path() + "/current.tmp");
    fs::rename(dir.path() + "/current.tmp", link);
    BOOST_TEST(refused_naming("swap-test.policy"));
    still_served();
  }
  // The status page says so, with the file.
  const std::string page = http_request(server.admin_port(), "GET", "/").body;
  BOOST_TEST(contains(page, "The last reload was not applied"));
  BOOST_TEST(contains(page, "swap-test.policy:1:1: error[E025]"));
}

BOOST_FIXTURE_TEST_CASE(allow_empty_applies_an_empty_set_but_readyz_says_not_ready, serve_fixture) {
  const std::string rules = dir.path() + "/rules";
  fs::create_directories(rules);
  dir.write("rules/clinic.policy", answered_by_ai);
  server_process server(args(rules, {"--allow-empty"}));
  fs::remove(rules + "/clinic.policy");
  BOOST_TEST(eventually([&] { return http_request(server.port(), "GET", "/readyz").status == 503; }));
  BOOST_TEST(contains(http_request(server.port(), "GET", "/readyz").body, "no clinic"));
}

// The Capistrano layout: releases in their own directories, `rules` a
// symlink swapped atomically by a rename in its parent.
BOOST_FIXTURE_TEST_CASE(a_swapped_rules_symlink_is_served_within_two_seconds, serve_fixture) {
  fs::create_directories(dir.path() + "/v1");
  fs::create_directories(dir.path() + "/v2");
  fs::create_directories(dir.path() + "/v3");
  dir.write("v1/clinic.policy", answered_by_ai);
  dir.write("v2/clinic.policy", answered_busy);
  dir.write("v3/clinic.policy", answered_by_ai);
  const std::string link = dir.path() + "/rules";
  fs::create_directory_symlink(dir.path() + "/v1", link);
  server_process server(args(link));
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(1), "+15555550100"), token).body, "<Sip>"));
  unsigned long long n = 2;
  for (const auto& [release, expected] : {std::pair{"v2", "<Hangup/>"}, std::pair{"v3", "<Sip>"}}) {
    BOOST_TEST_CONTEXT("swap to " << release) {
      fs::create_directory_symlink(dir.path() + "/" + release, dir.path() + "/rules.tmp");
      fs::rename(dir.path() + "/rules.tmp", link);  // mv -T: one rename
      BOOST_TEST(eventually([&] {
        return contains(server.post("/twilio/voice", call(call_sid(n++), "+15555550100"), token).body, expected);
      }, std::chrono::seconds(2)));
    }
  }
  // An edit inside the new target is seen too: the watches followed the swap.
  dir.write("v3/.clinic.tmp", answered_busy);
  fs::rename(dir.path() + "/v3/.clinic.tmp", dir.path() + "/v3/clinic.policy");
  BOOST_TEST(eventually([&] {
    return contains(server.post("/twilio/voice", call(call_sid(n++), "+15555550100"), token).body, "<Hangup/>");
  }, std::chrono::seconds(2)));
}

// The journal and the last good bundle are written beside the rules: the
// parent's watch must not take those for edits (a reload that keeps the
// last good bundle would otherwise trigger the next reload, for ever).
BOOST_FIXTURE_TEST_CASE(writes_beside_the_rules_do_not_reload, serve_fixture) {
  fs::create_directories(dir.path() + "/rules");
  dir.write("rules/clinic.policy", answered_by_ai);
  server_process server(args(dir.path() + "/rules"));
  for (int i = 0; i < 20; ++i) server.post("/twilio/voice", call(call_sid(static_cast<unsigned long long>(i)), "+15555550100"), token);
  dir.write("unrelated.txt", "x");
  // That nothing happens can only be seen over a time: eight times the
  // watcher's 50 ms settle of a burst of events.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const std::string metrics = http_request(server.admin_port(), "GET", "/metrics").body;
  BOOST_TEST(contains(metrics, "callpolicy_reloads_total{result=\"ok\"} 1\n"));  // the start's own
  BOOST_TEST(contains(metrics, "callpolicy_reloads_total{result=\"error\"} 0\n"));
}

// A caller still at a menu when a reload removes it: the key they press
// reaches the clinic's fallback, never an empty <Gather> that loops.
BOOST_FIXTURE_TEST_CASE(a_menu_reloaded_away_sends_its_caller_to_the_fallback, serve_fixture) {
  fs::create_directories(dir.path() + "/rules");
  const std::string file = dir.path() + "/rules/clinic.policy";
  dir.write("rules/clinic.policy", clinic_policy("  mode disabled\n  fallback menu\n  menu {\n    say \"Press 1.\"\n"
                                                 "    1 -> ai\n    timeout 5s -> voicemail\n  }\n"));
  server_process server(args(dir.path() + "/rules"));
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(1), "+15555550100"), token).body, "<Gather"));
  dir.write("rules/.next", clinic_policy("  mode disabled\n  fallback voicemail\n"));
  fs::rename(dir.path() + "/rules/.next", file);
  BOOST_REQUIRE(eventually([&] {
    return contains(server.post("/twilio/voice", call(call_sid(2), "+15555550100"), token).body, "<Record");
  }));
  const auto pressed = server.post("/twilio/menu?clinic=swap-test", {{"CallSid", call_sid(1)}, {"Digits", "1"}}, token);
  BOOST_TEST(pressed.status == 200);
  BOOST_TEST(!contains(pressed.body, "<Gather"));
  BOOST_TEST(contains(pressed.body, "<Record"));
}

// A hot reload of a policy nested 6,000 parentheses deep is a set with an
// error, not a dead server; the restart after it serves the last good set.
BOOST_FIXTURE_TEST_CASE(a_deeply_nested_edit_never_applies_and_never_kills_the_server, serve_fixture) {
  fs::create_directories(dir.path() + "/rules");
  const std::string file = dir.path() + "/rules/clinic.policy";
  dir.write("rules/clinic.policy", answered_by_ai);
  server_process server(args(dir.path() + "/rules"));
  const std::string deep = clinic_policy("  route {\n    " + std::string(6000, '(') + "holiday" +
                                         std::string(6000, ')') + " -> voicemail\n    otherwise -> busy\n  }\n");
  dir.write("rules/.next", deep);
  fs::rename(dir.path() + "/rules/.next", file);
  BOOST_TEST(eventually([&] { return contains(server.log(), "\"code\":\"E014\""); }));
  BOOST_TEST(server.running());
  BOOST_TEST(contains(server.post("/twilio/voice", call(call_sid(1), "+15555550100"), token).body, "<Sip>"));
  server.kill_hard();
  server_process restarted(args(dir.path() + "/rules"));
  BOOST_TEST(contains(restarted.post("/twilio/voice", call(call_sid(2), "+15555550100"), token).body, "<Sip>"));
  BOOST_TEST(contains(restarted.log(), "serving the last good set"));
}
