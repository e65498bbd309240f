// A syntax error is reported once, with the fix where the mistake is a
// common one, and nothing that follows from it is reported (docs/language.md, "Diagnostics").
#include <boost/test/unit_test.hpp>

#include "compiler/compiler.h"

using namespace callpolicy;

namespace {

std::vector<diagnostic> check(const std::string& text) {
  source_set sources;
  sources.files.push_back({"t.policy", text});
  diagnostic_sink sink;
  compile_sources(sources, {days_from_civil(2026, 11, 24)}, sink);
  return sink.all();
}

std::string clinic(const std::string& body) {
  return "clinic c {\n  timezone \"America/Toronto\"\n  fallback voicemail\n" + body + "}\n";
}

bool has_note(const diagnostic& d, std::string_view note) {
  return std::find(d.notes.begin(), d.notes.end(), note) != d.notes.end();
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_unknown_action_is_the_only_error_not_a_missing_otherwise) {
  const auto all = check(clinic("  route {\n    closed -> ai\n    otherwise -> staff\n  }\n"));
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_TEST(all[0].code == "E001");
  BOOST_TEST(all[0].where.line == 6u);
  BOOST_TEST(all[0].where.column == 18u);
}

BOOST_AUTO_TEST_CASE(a_fat_arrow_is_one_error_suggesting_the_arrow_and_no_lint) {
  const auto all = check(clinic("  route {\n    closed => ai\n    otherwise -> voicemail\n  }\n"));
  BOOST_REQUIRE_EQUAL(all.size(), 1u);  // no W-never-answered for a route that lost its rule
  BOOST_TEST(all[0].code == "E001");
  BOOST_TEST(has_note(all[0], "a rule's arrow is written '->'"));
}

BOOST_AUTO_TEST_CASE(other_languages_operators_name_ours) {
  const auto all = check(clinic("  route {\n    open && overflow -> ai\n    otherwise -> ai\n  }\n"));
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_TEST(has_note(all[0], "'&&' is written 'and'"));
  const auto either = check(clinic("  route {\n    open || overflow -> ai\n    otherwise -> ai\n  }\n"));
  BOOST_REQUIRE_EQUAL(either.size(), 1u);
  BOOST_TEST(has_note(either[0], "'||' is written 'or'"));
}

BOOST_AUTO_TEST_CASE(an_unquoted_zone_is_a_string_error_not_a_missing_zone) {
  const auto all = check("clinic c {\n  timezone America/Toronto\n  fallback voicemail\n}\n");
  BOOST_REQUIRE_EQUAL(all.size(), 1u);  // no E011
  BOOST_TEST(all[0].code == "E001");
  BOOST_TEST(all[0].where.line == 2u);
  BOOST_TEST(has_note(all[0], "strings are written in double quotes: \"America/Toronto\""));
}

BOOST_AUTO_TEST_CASE(an_id_with_an_underscore_names_the_id_to_write) {
  const auto all = check("clinic smile_dental {\n  timezone \"America/Toronto\"\n}\n");
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_TEST(has_note(all[0], "ids are lower-case letters, digits and '-': 'smile-dental'"));
  const auto capitals = check("clinic Smile {\n  timezone \"America/Toronto\"\n}\n");
  BOOST_REQUIRE_EQUAL(capitals.size(), 1u);
  BOOST_TEST(has_note(capitals[0], "ids are lower-case letters, digits and '-': 'smile'"));
}

BOOST_AUTO_TEST_CASE(a_missing_brace_is_reported_where_it_is_missing_and_once) {
  const auto all = check(
      "clinic e {\n  timezone \"America/Toronto\"\n  hours {\n    mon-fri 09:00-17:00\n"
      "  mode after-hours-only\n  fallback voicemail\n}\n"
      "test \"x\" {\n  clinic e\n  at 2026-12-02T10:00\n  expect ai\n}\n");
  BOOST_REQUIRE_EQUAL(all.size(), 1u);  // not the lines after it, nor the test's unknown clinic
  BOOST_TEST(all[0].message == "expected '}' to close the 'hours' block");
  BOOST_TEST(all[0].where.line == 5u);
  BOOST_TEST(all[0].where.column == 3u);
  BOOST_TEST(has_note(all[0], "the 'hours' block opened at 3:9"));
}

BOOST_AUTO_TEST_CASE(a_brace_missing_at_the_end_names_where_the_block_opened) {
  const auto all = check("clinic c {\n  timezone \"America/Toronto\"\n  fallback voicemail\n");
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_TEST(has_note(all[0], "the 'clinic' block opened at 1:10"));
}

BOOST_AUTO_TEST_CASE(values_that_parsed_are_still_checked_beside_a_syntax_error) {
  const auto all = check("clinic c {\n  timezone \"America/Torronto\"\n  mode sometimes\n}\n");
  BOOST_REQUIRE_EQUAL(all.size(), 2u);
  BOOST_TEST(all[0].code == "E010");  // the unknown zone, which did parse
  BOOST_TEST(all[1].code == "E001");
}

// A clinic whose calendar is unknown, used directly or through another
// calendar, is not linted as if it had no holidays: 'holiday' is no rule
// that "never holds" there, it is one whose days are not known.
BOOST_AUTO_TEST_CASE(an_unknown_calendar_is_the_only_diagnostic_not_an_unreachable_rule) {
  for (const std::string& use : {std::string("nowhere"), std::string("regional")}) {
    BOOST_TEST_CONTEXT(use) {
      const auto all = check(clinic("  numbers { ported +14165550001 }\n  hours { mon-fri 09:00-17:00 }\n"
                                    "  holidays { use " + use + " }\n  route {\n    holiday -> voicemail\n"
                                    "    otherwise -> ai\n  }\n") +
                             "calendar regional { use nowhere }\n");
      BOOST_REQUIRE_EQUAL(all.size(), 1u);
      BOOST_TEST(all.front().code == codes::unknown_calendar);
    }
  }
}
