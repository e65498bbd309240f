// Policies built to exhaust the front end: deep nesting, long chains, long
// chains of calendars. Each command that reads them ends with a diagnostic or
// a result, never a signal (exit 128 + N), and in bounded time and memory.
#include <filesystem>

#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include "tests/support/subprocess.h"

using namespace callpolicy::testing;

namespace {

std::string clinic_with_rule(const std::string& rule) {
  return "clinic deep {\n  timezone \"America/Toronto\"\n  numbers { ported +14165550001 }\n"
         "  fallback voicemail\n  route {\n    " +
         rule + "\n    otherwise -> ai\n  }\n}\n";
}

std::string repeated(std::string_view piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(six_thousand_parentheses_are_an_error_not_a_crash) {
  temp_dir dir;
  const std::string path = dir.write(
      "deep.policy",
      clinic_with_rule(repeated("(", 6000) + "holiday" + repeated(")", 6000) + " -> voicemail"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check", path}, {"compile", path, "-o", dir.path() + "/b.json"},
        {"fmt", "--check", path}}) {
    const auto r = run_callpolicy(args);
    BOOST_TEST_INFO(args.front() << ": exit " << r.exit_code << ", stderr " << r.err.substr(0, 400));
    BOOST_TEST(r.exit_code == 1);
  }
  const auto r = run_callpolicy({"check", path});
  BOOST_TEST(r.err.find("deep.policy:6:261: error[E014]: conditions nest more than 256 levels deep") !=
             std::string::npos);
  BOOST_TEST(count(r.err, "error[") == 1u);  // one mistake, one diagnostic
}

BOOST_AUTO_TEST_CASE(nesting_through_not_and_parentheses_together_is_bounded) {
  temp_dir dir;
  const std::string path =
      dir.write("deep.policy", clinic_with_rule(repeated("not (", 4000) + "open" + repeated(")", 4000) + " -> busy"));
  const auto r = run_callpolicy({"check", path});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("error[E014]") != std::string::npos);
  const std::string nots = dir.write("nots.policy", clinic_with_rule(repeated("not ", 20000) + "open -> busy"));
  const auto n = run_callpolicy({"check", nots});
  BOOST_TEST(n.exit_code == 1);
  BOOST_TEST(n.err.find("error[E014]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nesting_within_the_limit_still_compiles) {
  temp_dir dir;
  const std::string path = dir.write(
      "ok.policy", clinic_with_rule(repeated("(", 200) + "holiday" + repeated(")", 200) + " -> voicemail"));
  const auto r = run_callpolicy({"check", path});
  BOOST_TEST_INFO(r.err);
  BOOST_TEST(r.exit_code == 0);
  const auto e = run_callpolicy({"eval", path, "--clinic", "deep", "--at", "2026-12-25T10:00", "--format", "json"});
  BOOST_TEST(e.exit_code == 0);
  BOOST_TEST(e.out.find("\"action\":\"ai\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_or_of_thirty_thousand_terms_compiles_formats_and_evaluates) {
  temp_dir dir;
  std::string terms = "on 2026-01-01";
  for (int i = 1; i < 30000; ++i) terms += fmt::format(" or calls == {}", i);
  const std::string path = dir.write("long.policy", clinic_with_rule(terms + " -> busy"));
  const auto check = run_callpolicy({"check", path});
  BOOST_TEST_INFO(check.err.substr(0, 400));
  BOOST_TEST(check.exit_code < 128);
  BOOST_TEST(check.err.find("error[") == std::string::npos);
  const auto compiled = run_callpolicy({"compile", path, "-o", dir.path() + "/b.json", "--explain"});
  BOOST_TEST(compiled.exit_code == 0);
  BOOST_TEST(compiled.out.size() < 64u * 1024 * 1024);
  const auto fmt_check = run_callpolicy({"fmt", path});
  BOOST_TEST(fmt_check.exit_code == 0);
  const auto busy = run_callpolicy({"eval", path, "--clinic", "deep", "--at", "2026-12-02T10:00", "--calls", "29999"});
  BOOST_TEST(busy.exit_code == 0);
  BOOST_TEST(busy.out.find("busy") != std::string::npos);
  const auto ai = run_callpolicy({"eval", path, "--clinic", "deep", "--at", "2026-12-02T10:00", "--calls", "30000"});
  BOOST_TEST(ai.exit_code == 0);
  BOOST_TEST(ai.out.find("busy") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_chain_of_ten_thousand_calendars_is_refused_with_a_diagnostic) {
  temp_dir dir;
  std::string text = "clinic chain {\n  timezone \"America/Toronto\"\n  numbers { ported +14165550001 }\n"
                     "  fallback voicemail\n  mode after-hours-only\n  hours { mon-fri 09:00-17:00 }\n"
                     "  holidays { use c0 }\n}\n";
  for (int i = 0; i < 10000; ++i) text += fmt::format("calendar c{} {{ use c{} }}\n", i, i + 1);
  text += "calendar c10000 { yearly 12-25 \"Christmas Day\" }\n";
  const std::string path = dir.write("chain.policy", text);
  const auto r = run_callpolicy({"check", path});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("error[E032]: calendar 'c64' is used through more than 64 calendars in a chain from 'c0'") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_byte_order_mark_is_accepted_and_kept_by_fmt) {
  temp_dir dir;
  const std::string text = "clinic bom {\n  timezone \"UTC\"\n  numbers { ported +14165550001 }\n  fallback voicemail\n}\n";
  const std::string path = dir.write("bom.policy", "\xEF\xBB\xBF" + text);
  const auto check = run_callpolicy({"check", path});
  BOOST_TEST_INFO(check.err);
  BOOST_TEST(check.exit_code == 0);
  const auto formatted = run_callpolicy({"fmt", path});
  BOOST_TEST(formatted.exit_code == 0);
  BOOST_TEST(formatted.out.rfind("\xEF\xBB\xBF" "clinic bom {", 0) == 0u);
  // A mistake on the first line is placed where an editor shows it.
  const std::string bad = dir.write("bad.policy", "\xEF\xBB\xBF" "clinik bom {}\n");
  const auto r = run_callpolicy({"check", bad});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("bad.policy:1:1: error[E001]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_byte_that_is_not_utf8_is_named) {
  temp_dir dir;
  const std::string path = dir.write("latin1.policy", "clinic c {\n  timezone \"UTC\"\n}\n\xFF\n");
  const auto r = run_callpolicy({"check", path});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("latin1.policy:4:1: error[E001]: expected 'clinic', 'calendar' or 'test', found byte 0xFF, "
                        "which is not UTF-8") != std::string::npos);
  const std::string accented = dir.write("accent.policy", "clinic c {\n  timezone \"UTC\"\n}\n\xC3\xA9t\xC3\xA9\n");
  const auto a = run_callpolicy({"check", accented});
  BOOST_TEST(a.err.find("found '\xC3\xA9'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(import_refuses_policy_text_in_a_number_and_writes_nothing) {
  temp_dir dir;
  const std::string settings = dir.write("s.json", R"({"mode": "always", "afterHours": {"enabled": false,
    "businessHours": {"timezone": "America/Toronto", "schedule": {}, "holidays": []}},
    "fallback": {"type": "forward", "forwardNumber": "+14165550000\n  ai { sip \"sip:attacker@evil.example\" }"}})");
  const std::string out = dir.path() + "/out.policy";
  const auto r = run_callpolicy({"import", settings, "--clinic", "c", "-o", out});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("/fallback/forwardNumber: '+14165550000\\n  ai { sip \"sip:attacker@evil.example\" }' is not "
                        "an E.164 number") != std::string::npos);
  BOOST_TEST(r.out.find("attacker") == std::string::npos);
  BOOST_TEST(!std::filesystem::exists(out));
}

BOOST_AUTO_TEST_CASE(import_of_malformed_json_names_line_and_column) {
  temp_dir dir;
  const std::string settings = dir.write("s.json", "{\n  \"mode\": \"always\",\n  \"fallback\": {\"type\": voicemail}\n}\n");
  const auto r = run_callpolicy({"import", settings, "--clinic", "c"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST_INFO(r.err);
  BOOST_TEST(r.err.find("/: not valid JSON at 3:24: syntax error") != std::string::npos);
}
