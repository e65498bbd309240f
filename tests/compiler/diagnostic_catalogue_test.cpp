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

BOOST_AUTO_TEST_CASE(a_kind_decides_its_severity) {
  diagnostic_sink sink;
  sink.report(codes::past_dates, {"f.policy", 1, 1}, "every dated entry is in the past");
  sink.report(codes::bad_time, {"f.policy", 2, 1}, "'25:00' is not a time of day");
  BOOST_TEST(sink.warning_count() == 1u);
  BOOST_TEST(sink.error_count() == 1u);
  BOOST_TEST(sink.all()[0].code == codes::past_dates);
}
