// `fmt`: idempotent, comment-preserving, and meaning-preserving (the compiled
// set of a file and of its formatted text are identical).
#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "authoring/formatter.h"
#include "compiler/compiler.h"
#include "compiler/parser.h"
#include "tests/support/subprocess.h"

using namespace callpolicy;

namespace {

std::string format_text(const std::string& text) {
  diagnostic_sink sink;
  const ast::policy_file file = parse_policy("t.policy", text, sink);
  BOOST_REQUIRE(!sink.has_errors());
  return format_policy(file, text);
}

// `messy` formats to `expected`, and `expected` is a fixed point.
void expect_canonical(const std::string& messy, const std::string& expected) {
  BOOST_TEST(format_text(messy) == expected);
  BOOST_TEST(format_text(expected) == expected);
}

compiled_set compile_set(const std::vector<source_file>& files) {
  source_set sources;
  sources.files = files;
  diagnostic_sink sink;
  compiled_set set = compile_sources(sources, {days_from_civil(2026, 11, 24)}, sink).set;
  BOOST_REQUIRE(!sink.has_errors());
  set.sources.clear();
  return set;
}

std::vector<std::string> policy_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".policy") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(formatting_preserves_meaning_and_is_idempotent_over_every_policy) {
  for (const std::string& dir : {std::string(CALLPOLICY_SOURCE_DIR "/examples"), std::string(CALLPOLICY_SOURCE_DIR "/rules"),
                                 std::string(CALLPOLICY_SOURCE_DIR "/tests/data")}) {
    std::vector<source_file> original;
    std::vector<source_file> formatted;
    for (const std::string& path : policy_files(dir)) {
      const std::string text = testing::read_text(path);
      const std::string once = format_text(text);
      BOOST_TEST_INFO(path);
      BOOST_TEST(format_text(once) == once);
      original.push_back({path, text});
      formatted.push_back({path, once});
    }
    BOOST_TEST_INFO(dir);
    BOOST_TEST((compile_set(original) == compile_set(formatted)));
  }
}

BOOST_AUTO_TEST_CASE(messy_file_round_trips_to_the_canonical_form_with_its_comments) {
  const std::string messy = R"(# Front desk policy
clinic   messy{timezone "UTC"   # zone
name "Messy Clinic"
hours{mon,tue,wed,thu,fri 9:00-17:00}}
)";
  // 9:00 is a syntax error: fmt refuses files that do not parse.
  diagnostic_sink sink;
  parse_policy("m.policy", messy, sink);
  BOOST_TEST(sink.has_errors());

  const std::string fixable = R"(# Front desk policy
clinic   messy{timezone "UTC"   # zone
name "Messy Clinic"
hours{mon,tue,wed,thu,fri 09:00-17:00
      sat    10:00-12:00}

   # how calls are routed
route{ (closed)or(overflow and via sip)->ai as "x"
  otherwise->voicemail}
overflow 3 fallback voicemail}
test "t"{expect ai at 2026-12-05T11:00}
)";
  const std::string expected = R"(# Front desk policy
clinic messy {
  timezone "UTC"  # zone
  name     "Messy Clinic"
  hours {
    weekdays  09:00-17:00
    sat       10:00-12:00
  }

  # how calls are routed
  route {
    closed or overflow and via sip -> ai as "x"
    otherwise                      -> voicemail
  }
  overflow 3
  fallback voicemail
}

test "t" {
  expect ai
  at     2026-12-05T11:00
}
)";
  BOOST_TEST(format_text(fixable) == expected);
  BOOST_TEST(format_text(expected) == expected);
}

BOOST_AUTO_TEST_CASE(menus_forwards_and_flow_tests_round_trip) {
  const std::string messy = R"(clinic m { timezone "UTC" region "CA"
numbers { ported +14165551234 }
forward +14165550000 {timeout 20s unanswered menu caller-id +14165551234 screen   "Press 1 for a call."}
ai {capacity   3 unavailable busy}
menu{say "Press 1."   # the greeting
1->ai 2 -> forward
*   -> hangup
timeout -> fallback}
mode disabled fallback forward unreachable   busy }
test "t" { at 2026-12-02T10:00 dial no-answer digits none caller "(416) 555-0111" expect menu }
)";
  const std::string expected = R"(clinic m {
  timezone "UTC"
  region   "CA"
  numbers {
    ported    +14165551234
  }
  forward  +14165550000 { timeout 20s unanswered menu caller-id +14165551234 screen "Press 1 for a call." }
  ai       { unavailable busy capacity 3 }
  menu {
    say "Press 1."  # the greeting
    1 -> ai
    2 -> forward
    * -> hangup
    timeout -> fallback
  }
  mode     disabled
  fallback forward
  unreachable busy
}

test "t" {
  at     2026-12-02T10:00
  dial   no-answer
  digits none
  caller "(416) 555-0111"
  expect menu
}
)";
  expect_canonical(messy, expected);
}

BOOST_AUTO_TEST_CASE(easter_rules_round_trip) {
  const std::string messy = "calendar c {\n  easter   -2 \"Good Friday\"\n easter +1\n  easter \"Easter Sunday\"\n}\n";
  const std::string expected =
      "calendar c {\n  easter -2 \"Good Friday\"\n  easter +1\n  easter    \"Easter Sunday\"\n}\n";
  expect_canonical(messy, expected);
}

BOOST_AUTO_TEST_CASE(weekday_beside_rules_round_trip) {
  const std::string messy = "calendar c {\n  yearly   mon   before 05-25 \"Victoria Day\"\n yearly tue after 11-01\n}\n";
  const std::string expected =
      "calendar c {\n  yearly mon before 05-25 \"Victoria Day\"\n  yearly tue after 11-01\n}\n";
  expect_canonical(messy, expected);
}

BOOST_AUTO_TEST_CASE(counted_weekdays_and_weekday_anchors_round_trip) {
  const std::string messy =
      "calendar c {\n  yearly 1st  tue after 1st   mon of nov \"Election Day\"\n"
      "  yearly 2nd sun   before 12-25\n yearly fri after last thu of nov\n}\n";
  const std::string expected =
      "calendar c {\n  yearly 1st tue after 1st mon of nov \"Election Day\"\n"
      "  yearly 2nd sun before 12-25\n  yearly fri after last thu of nov\n}\n";
  expect_canonical(messy, expected);
}

BOOST_AUTO_TEST_CASE(every_n_years_round_trips) {
  expect_canonical("calendar c {\n  from 2000   every  2 years yearly 11-03 \"A\"\n from 2025 until 2033 every 4 years easter\n}\n",
                   "calendar c {\n  from 2000 every 2 years yearly 11-03      \"A\"\n  from 2025 until 2033 every 4 years easter\n}\n");
}

BOOST_AUTO_TEST_CASE(orthodox_easter_round_trips) {
  expect_canonical("calendar c {\n  orthodox-easter   -2 \"Good Friday\"\n orthodox-easter\n}\n",
                   "calendar c {\n  orthodox-easter -2 \"Good Friday\"\n  orthodox-easter\n}\n");
}

BOOST_AUTO_TEST_CASE(observed_shifts_and_years_are_canonical) {
  // Shifts in weekday order, after the label; years before the rule, from first.
  const std::string messy =
      "calendar c {\n  yearly 12-26 \"Boxing Day\"   observed sun->tue,sat  ->  mon\n"
      "  from   2021  until 2030 yearly 09-30 \"T&R\"\n until 2024 easter +1 observed mon -> wed\n}\n";
  const std::string expected =
      "calendar c {\n  yearly 12-26                      \"Boxing Day\" observed sat -> mon, sun -> tue\n"
      "  from 2021 until 2030 yearly 09-30 \"T&R\"\n  until 2024 easter +1 observed mon -> wed\n}\n";
  expect_canonical(messy, expected);
}

BOOST_AUTO_TEST_CASE(callback_blocks_round_trip) {
  const std::string messy = R"(clinic t { timezone "UTC"
numbers { ported +14165551234 } route { overflow -> callback
otherwise -> ai } overflow 3
callback {   otherwise voicemail
  timeout 8s say "Press 1."   confirm "Thanks:" } notify{url "https://desk.example.com/h"} }
test "t" { at 2026-12-02T10:00 calls 4 digits 4165550199 expect hangup }
)";
  const std::string expected = R"(clinic t {
  timezone "UTC"
  numbers {
    ported    +14165551234
  }
  route {
    overflow  -> callback
    otherwise -> ai
  }
  overflow 3
  callback { say "Press 1." confirm "Thanks:" timeout 8s otherwise voicemail }
  notify   { url "https://desk.example.com/h" }
}

test "t" {
  at     2026-12-02T10:00
  calls  4
  digits 4165550199
  expect hangup
}
)";
  expect_canonical(messy, expected);
}

BOOST_AUTO_TEST_CASE(transfer_blocks_and_transfer_tests_round_trip) {
  const std::string messy = R"(clinic t { timezone "UTC"
numbers { ported +14165551234 } forward +14165550000
transfer { closed->voicemail as "transfer after hours"
to +14165550000,+14165550001 -> forward   # the desk
otherwise -> voicemail as "transfer refused" } }
test "t" { at 2026-12-02T10:00 transfer +14165550000 expect forward }
)";
  const std::string expected = R"(clinic t {
  timezone "UTC"
  numbers {
    ported    +14165551234
  }
  forward  +14165550000
  transfer {
    closed                        -> voicemail as "transfer after hours"
    to +14165550000, +14165550001 -> forward  # the desk
    otherwise                     -> voicemail as "transfer refused"
  }
}

test "t" {
  at     2026-12-02T10:00
  transfer +14165550000
  expect forward
}
)";
  expect_canonical(messy, expected);
}

BOOST_AUTO_TEST_CASE(fmt_command_check_and_write) {
  testing::temp_dir dir;
  const std::string file = dir.write("a.policy", "clinic a{timezone \"UTC\"}\n");
  const auto check = testing::run_callpolicy({"fmt", "--check", dir.path()});
  BOOST_TEST(check.exit_code == 1);
  BOOST_TEST(check.out == file + "\n");
  BOOST_TEST(testing::run_callpolicy({"fmt", "-w", dir.path()}).exit_code == 0);
  BOOST_TEST(testing::read_text(file) == "clinic a {\n  timezone \"UTC\"\n}\n");
  BOOST_TEST(testing::run_callpolicy({"fmt", "--check", dir.path()}).exit_code == 0);
  dir.write("broken.policy", "clinic b {\n");
  const auto broken = testing::run_callpolicy({"fmt", "-w", dir.path()});
  BOOST_TEST(broken.exit_code == 1);
  BOOST_TEST(testing::read_text(dir.path() + "/broken.policy") == "clinic b {\n");
  BOOST_TEST(broken.err.find("expected '}' to close the 'clinic' block") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(examples_and_rules_are_formatted) {
  const auto r = testing::run_callpolicy({"fmt", "--check", CALLPOLICY_SOURCE_DIR "/examples", CALLPOLICY_SOURCE_DIR "/rules"});
  BOOST_TEST_INFO(r.out);
  BOOST_TEST(r.exit_code == 0);
}
