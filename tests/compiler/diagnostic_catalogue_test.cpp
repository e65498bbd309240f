// docs/language.md's table of diagnostics and the compiler's catalogue
// (model/diagnostic.h) are one list: every code the compiler can report is
// documented, with its meaning word for word and an example, and the docs
// name no code the compiler does not have. Adding a row to either alone
// fails here, as tests/server/endpoints_test.cpp holds docs/operations.md to
// the endpoint table.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "compiler/diagnostic_messages.h"
#include "grammar/policy_errors.h"
#include "model/diagnostic.h"

using namespace callpolicy;

namespace {

struct documented {
  std::string meaning, example;
  int line = 0;
};

bool is_error_code(std::string_view code) {
  return code.size() == 4 && code[0] == 'E' &&
         std::all_of(code.begin() + 1, code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_warning_code(std::string_view code) {
  return code.size() > 2 && code.starts_with("W-") && code.back() != '-' &&
         std::all_of(code.begin() + 2, code.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

// The rows `| `CODE` | meaning | example |` of docs/language.md. (Read by
// hand: std::regex under the sanitizers trips a false -Wmaybe-uninitialized
// in GCC 12.)
std::map<std::string, documented> documented_codes() {
  std::ifstream in(CALLPOLICY_SOURCE_DIR "/docs/language.md");
  BOOST_REQUIRE(in);
  std::map<std::string, documented> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.starts_with("| `") || !line.ends_with(" |")) continue;
    const auto code_end = line.find("` | ", 3);
    if (code_end == std::string::npos) continue;
    const std::string code = line.substr(3, code_end - 3);
    if (!is_error_code(code) && !is_warning_code(code)) continue;
    const std::string rest = line.substr(code_end + 4, line.size() - 2 - (code_end + 4));
    const auto split = rest.find(" | ");
    BOOST_TEST_INFO("docs/language.md:" << number);
    BOOST_TEST_REQUIRE(split != std::string::npos);
    BOOST_TEST(out.count(code) == 0u, "documented twice: " << code);
    out[code] = {rest.substr(0, split), rest.substr(split + 3), number};
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_code_is_documented_and_the_docs_name_no_other) {
  const auto docs = documented_codes();
  BOOST_TEST(docs.size() >= 50u);  // the table was found and read
  std::set<std::string_view> codes;
  for (const diagnostic_kind& kind : catalogue) {
    BOOST_TEST_INFO(kind.code);
    BOOST_TEST(codes.insert(kind.code).second, "a code in the catalogue twice");
    const auto it = docs.find(std::string(kind.code));
    BOOST_TEST((it != docs.end()), "no row in docs/language.md");
    if (it == docs.end()) continue;
    BOOST_TEST(it->second.meaning == kind.meaning, "docs/language.md:" << it->second.line << " says otherwise");
    BOOST_TEST(!it->second.example.empty(), "docs/language.md:" << it->second.line << " has no example");
  }
  for (const auto& [code, row] : docs) {
    BOOST_TEST(codes.count(code) == 1u, "docs/language.md:" << row.line << " documents " << code
                                                             << ", which the compiler does not have");
  }
}

BOOST_AUTO_TEST_CASE(errors_are_numbered_and_warnings_named) {
  for (const diagnostic_kind& kind : catalogue) {
    BOOST_TEST_INFO(kind.code);
    if (kind.level == severity::error) {
      BOOST_TEST(is_error_code(kind.code));
    } else {
      BOOST_TEST(is_warning_code(kind.code));
    }
  }
  // A code that arrives as text (the grammar's) finds its kind.
  const diagnostic_kind* too_deep = find_diagnostic_kind("E014");
  BOOST_REQUIRE(too_deep);
  BOOST_TEST(too_deep->meaning == codes::too_deep.meaning);
  BOOST_TEST(find_diagnostic_kind("E999") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_message_takes_its_code_and_severity_from_its_kind) {
  diagnostic_sink sink;
  report<messages::every_date_past>(sink, {"f.policy", 1, 1}, "smile-dental", "2026-12-04");
  report<messages::not_a_time_of_day>(sink, {"f.policy", 2, 1}, "25:00");
  BOOST_TEST(sink.warning_count() == 1u);
  BOOST_TEST(sink.error_count() == 1u);
  BOOST_TEST(sink.all()[0].code == codes::past_dates);
  BOOST_TEST(sink.all()[0].message == "every dated entry of clinic 'smile-dental' is in the past (before 2026-12-04)");
  BOOST_TEST(sink.all()[0].notes == std::vector<std::string>{"add this year's dates, or remove the old ones"},
             boost::test_tools::per_element());
  BOOST_TEST(sink.all()[1].code == codes::bad_time);
  BOOST_TEST(sink.all()[1].notes.empty());
}

// A note may use arguments the text does not, by position.
BOOST_AUTO_TEST_CASE(a_note_reads_the_same_arguments_as_its_text) {
  diagnostic_sink sink;
  report<messages::item_given_twice_at>(sink, {"f.policy", 9, 3}, "timeout", 4u, 5u);
  BOOST_REQUIRE(sink.all().size() == 1u);
  BOOST_TEST(sink.all()[0].message == "'timeout' is given twice; the first stays");
  BOOST_TEST(sink.all()[0].notes.size() == 1u);
  BOOST_TEST(sink.all()[0].notes.at(0) == "first given at 4:5");
}

// Every code the compiler has is said by some message: a row of the message
// table, or the grammar's own table for syntax errors; a code nothing can say
// is a code documented for nothing.
BOOST_AUTO_TEST_CASE(every_code_is_said_by_a_message) {
  std::set<std::string_view> said{grammar::error_code<grammar::top_item>, grammar::error_code<grammar::escaped_char>,
                                  grammar::error_code<grammar::too_deep>};
  std::set<std::string_view> names;
  for (const diagnostic_message* m : message_table) {
    BOOST_TEST_INFO(m->name);
    BOOST_TEST(names.insert(m->name).second, "a message name in the table twice");
    const diagnostic_kind* kind = find_diagnostic_kind(m->kind.code);
    BOOST_TEST((kind && kind->level == m->kind.level && kind->meaning == m->kind.meaning),
               "a kind outside the catalogue");
    said.insert(m->kind.code);
  }
  for (const diagnostic_kind& kind : catalogue) {
    BOOST_TEST_INFO(kind.code);
    BOOST_TEST(said.count(kind.code) == 1u, "no message says it");
  }
}

// docs/language.md's rules for messages: lower case, no final period; a
// note is a line of its own.
BOOST_AUTO_TEST_CASE(messages_are_written_alike) {
  for (const diagnostic_message* m : message_table) {
    BOOST_TEST_INFO(m->name);
    BOOST_TEST(!m->text.empty());
    if (m->text.empty()) continue;
    // An acronym ("SIP user ...") is no capital of a sentence.
    const bool capitalised = m->text.size() > 1 && m->text[0] >= 'A' && m->text[0] <= 'Z' &&
                             m->text[1] >= 'a' && m->text[1] <= 'z';
    BOOST_TEST(!capitalised, "starts with a capital");
    BOOST_TEST(m->text.back() != '.', "ends with a period");
    BOOST_TEST(m->text.find('\n') == std::string_view::npos);
    // A second note only after a first, so that no empty note is written.
    BOOST_TEST(!(m->notes[0].empty() && !m->notes[1].empty()));
    for (std::string_view note : m->notes) {
      BOOST_TEST(note.find('\n') == std::string_view::npos);
      BOOST_TEST((note.empty() || note.back() != '.'), "a note ends with a period");
    }
  }
}
