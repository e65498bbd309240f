// The journal's format, both sides of it: every record type written and
// read back field for field, the refusals replay logs, and a journal a real
// server wrote before the format had one owner, read by today's reader.
#include <fstream>
#include <map>
#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "server/journal/record.h"

using namespace callpolicy::server;
using namespace callpolicy::server::journal_record;
using json = nlohmann::json;

namespace {

// Every field of a record as text, in the order `fields` lists them, with
// the common ones first: what a round trip must keep.
template <class Record>
std::vector<std::string> field_values(const Record& r) {
  std::vector<std::string> out{std::string(Record::type), std::to_string(r.time_ms), std::string(r.call_sid)};
  Record::fields(r, [&](const char* name, const auto& value, presence) {
    std::ostringstream text;
    text << name << "=" << value;
    out.push_back(text.str());
  });
  return out;
}

// A record of the reader's kind with no field at its default: a distinct
// string per field, counts and flags set; `action` an action's name, as an
// override's must be.
template <class Record>
Record filled() {
  Record r;
  r.time_ms = 1'764'000'000'123;
  r.call_sid = "CA0123456789abcdef0123456789abcdef";
  std::int64_t n = 7;
  Record::fields(r, [&](const char* name, auto& value, presence) {
    using value_type = std::remove_cvref_t<decltype(value)>;
    if constexpr (std::is_same_v<value_type, bool>) {
      value = true;
    } else if constexpr (std::is_arithmetic_v<value_type>) {
      value = static_cast<value_type>(n++);
    } else {
      value = std::string(name) == "action" ? "ai" : std::string(name) + " \"value\" é\n";
    }
  });
  return r;
}

template <class Record>
void round_trips() {
  const Record written = filled<Record>();
  std::string line;
  append(line, written);
  BOOST_TEST_INFO("line: " << line);
  BOOST_TEST(line.find('\n') == std::string::npos);  // escaped: one record, one line
  const parsed p = parse(line);
  BOOST_REQUIRE_MESSAGE(p.record, p.error);
  const Record* read = std::get_if<Record>(&*p.record);
  BOOST_REQUIRE(read);
  BOOST_TEST(field_values(*read) == field_values(written), boost::test_tools::per_element());
  // And written again, byte for byte.
  std::string again;
  append(again, *read);
  BOOST_TEST(again == line);
}

std::string written(const auto& record) {
  std::string line;
  append(line, record);
  return line;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_record_type_round_trips_field_for_field) {
  round_trips<call_of<std::string>>();
  round_trips<live_call_of<std::string>>();
  round_trips<status_of<std::string>>();
  round_trips<dial_status_of<std::string>>();
  round_trips<ai_status_of<std::string>>();
  round_trips<transfer_of<std::string>>();
  round_trips<menu_of<std::string>>();
  round_trips<callback_of<std::string>>();
  round_trips<callback_request_of<std::string>>();
  round_trips<inbox_item_of<std::string>>();
  round_trips<inbox_done_of<std::string>>();
  round_trips<voicemail_of<std::string>>();
  round_trips<rotated_of<std::string>>();
  round_trips<recording_of<std::string>>();
  round_trips<override_of<std::string>>();
  round_trips<override_cleared_of<std::string>>();
  BOOST_TEST(std::variant_size_v<any_record> == 16u);  // a new record type joins the list above
}

BOOST_AUTO_TEST_CASE(records_keep_the_spelling_and_order_written_before_them) {
  BOOST_TEST(written(call{.time_ms = 5,
                          .call_sid = "CA1",
                          .clinic = "c",
                          .via = "ported",
                          .to = "+1",
                          .from = "+2",
                          .forwarded_from = "",
                          .active_calls = 3,
                          .action = "ai",
                          .reason = "open"}) ==
             R"({"type":"call","time_ms":5,"call_sid":"CA1","clinic":"c","via":"ported","to":"+1","from":"+2",)"
             R"("forwarded_from":"","active_calls":3,"action":"ai","reason":"open"})");
  // Flags and notes only when set.
  BOOST_TEST(written(call{.clinic = "c", .by_override = true, .state = "local"}).ends_with(
      R"("reason":"","override":true,"state":"local"})"));
  BOOST_TEST(written(live_call{.time_ms = 1, .call_sid = "CA2", .clinic = "c"}) ==
             R"({"type":"call","time_ms":1,"call_sid":"CA2","clinic":"c","snapshot":true})");
  BOOST_TEST(written(override_cleared{.time_ms = 9, .clinic = "c"}) ==
             R"({"type":"override_cleared","time_ms":9,"call_sid":"","clinic":"c"})");
  BOOST_TEST(written(rotated{.voicemails = 42}) == R"({"type":"rotated","time_ms":0,"call_sid":"","voicemails":42})");
  // Bytes that are not UTF-8 (a hostile form value) are written as U+FFFD, and read back.
  const std::string hostile = written(menu{.clinic = "c", .digits = "1\xff"});
  BOOST_TEST(hostile.find("1\xef\xbf\xbd") != std::string::npos);
  BOOST_TEST(parse(hostile).record.has_value());
}

BOOST_AUTO_TEST_CASE(lines_that_are_no_record_are_refused_with_the_reason_replay_logs) {
  const auto error = [](std::string_view line) {
    const parsed p = parse(line);
    BOOST_TEST(!p.record.has_value());
    return std::string(p.error);
  };
  BOOST_TEST(error(R"({"type":"call","time_ms":1,"call_sid":"CA)") ==
             "not a JSON object (a line torn by a crash, or garbage)");
  BOOST_TEST(error("[1,2]") == "not a JSON object (a line torn by a crash, or garbage)");
  BOOST_TEST(error(R"({"type":"call","call_sid":"CA1"})") == "missing or mistyped 'type', 'call_sid' or 'time_ms'");
  BOOST_TEST(error(R"({"type":"call","time_ms":"1","call_sid":"CA1"})") ==
             "missing or mistyped 'type', 'call_sid' or 'time_ms'");
  BOOST_TEST(error(R"({"type":"status","time_ms":-1,"call_sid":"CA1","status":"completed"})") ==
             "time_ms out of range");
  BOOST_TEST(error(R"({"type":"status","time_ms":7258118400001,"call_sid":"CA1","status":"completed"})") ==
             "time_ms out of range");
  BOOST_TEST(error(R"({"type":"call","time_ms":1,"call_sid":"CA1","clinic":7})") == "call without a 'clinic' string");
  BOOST_TEST(error(R"({"type":"call","time_ms":1,"call_sid":"CA1","snapshot":true})") ==
             "call without a 'clinic' string");
  BOOST_TEST(error(R"({"type":"status","time_ms":1,"call_sid":"CA1"})") == "status without a 'status' string");
  BOOST_TEST(error(R"({"type":"voicemail","time_ms":1,"call_sid":"CA1"})") ==
             "voicemail without a 'recording_sid' string");
  BOOST_TEST(error(R"({"type":"rotated","time_ms":1,"call_sid":"","voicemails":-3})") ==
             "rotated without a 'voicemails' count");
  BOOST_TEST(error(R"({"type":"recording","time_ms":1,"call_sid":""})") ==
             "recording without a 'recording_sid' string");
  BOOST_TEST(error(R"({"type":"override","time_ms":1,"call_sid":"","clinic":"c","action":"party","until_ms":5,)"
                   R"("reason":"r"})") == "override without 'clinic', 'action', 'reason' or 'until_ms'");
  BOOST_TEST(error(R"({"type":"override_cleared","time_ms":1,"call_sid":""})") == "override_cleared without 'clinic'");
  BOOST_TEST(error(R"({"type":"hologram","time_ms":1,"call_sid":""})") == "unknown record type");
  // A field an older server did not write, or of another type, takes its default.
  const parsed old = parse(R"({"type":"call","time_ms":1,"call_sid":"CA1","clinic":"c","active_calls":"many"})");
  BOOST_REQUIRE(old.record.has_value());
  const auto& c = std::get<call_of<std::string>>(*old.record);
  BOOST_TEST(c.active_calls == 0);
  BOOST_TEST(c.via == "");
  BOOST_TEST(!c.by_override);
}

// tests/data/journal/written-by-ee95067.jsonl was written by a real server
// built from main at ee95067, before the format had one owner
// (write_fixture.py beside it): today's reader must take every line of it,
// with the values that server wrote.
BOOST_AUTO_TEST_CASE(a_journal_written_by_an_earlier_server_reads_back_whole) {
  std::ifstream in(CALLPOLICY_SOURCE_DIR "/tests/data/journal/written-by-ee95067.jsonl");
  BOOST_REQUIRE(in);
  std::map<std::string, int> types;
  std::vector<call_of<std::string>> calls;
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    BOOST_TEST_INFO("line " << lines << ": " << line);
    const parsed p = parse(line);
    BOOST_REQUIRE_MESSAGE(p.record, p.error);
    std::visit([&](const auto& r) { ++types[std::string(std::remove_cvref_t<decltype(r)>::type) +
                                           (std::is_same_v<std::remove_cvref_t<decltype(r)>, live_call_of<std::string>>
                                                ? " snapshot"
                                                : "")]; },
               *p.record);
    if (const auto* c = std::get_if<call_of<std::string>>(&*p.record)) calls.push_back(*c);
    // Every field the old server wrote is read and written again as it was;
    // the fields added since are written at their defaults (fields are
    // added, never renamed).
    std::string again;
    std::visit([&](const auto& r) { append(again, r); }, *p.record);
    const json old = json::parse(line);
    json rewritten = json::parse(again);
    for (auto field = rewritten.begin(); field != rewritten.end();) {
      if (old.contains(field.key())) {
        ++field;
        continue;
      }
      BOOST_TEST_INFO("added field " << field.key());
      BOOST_TEST((*field == "" || *field == 0 || *field == false));
      field = rewritten.erase(field);
    }
    BOOST_TEST(rewritten == old);
  }
  for (const char* type : {"call", "call snapshot", "status", "dial_status", "ai_status", "transfer", "menu",
                           "voicemail", "rotated", "recording", "override", "override_cleared"}) {
    BOOST_TEST_INFO(type);
    BOOST_TEST(types[type] > 0);
  }
  BOOST_REQUIRE(!calls.empty());
  BOOST_TEST(calls.front().clinic == "fixture-clinic");
  BOOST_TEST(calls.front().from == "+14165550111");
  BOOST_TEST(calls.front().action == "forward");
  BOOST_TEST(calls.front().reason == "known patient");
  bool overridden = false;
  for (const auto& c : calls) overridden = overridden || (c.by_override && c.action == "voicemail");
  BOOST_TEST(overridden);
}
