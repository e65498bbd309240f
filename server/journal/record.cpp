#include "server/journal/record.h"

#include <type_traits>

#include <nlohmann/json.hpp>

#include "model/time_types.h"
#include "server/json_line.h"

namespace callpolicy::server::journal_record {
namespace {

using json = nlohmann::json;

template <class T>
bool is_default(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return !value;
  } else if constexpr (std::is_arithmetic_v<T>) {
    return value == 0;
  } else {
    return value.empty();
  }
}

// One field from a parsed line into `value`; false when the line lacks it
// or holds another JSON type.
bool read(const json& line, const char* name, std::string& value) {
  const auto it = line.find(name);
  if (it == line.end() || !it->is_string()) return false;
  value = it->get<std::string>();
  return true;
}

bool read(const json& line, const char* name, bool& value) {
  const auto it = line.find(name);
  if (it == line.end() || !it->is_boolean()) return false;
  value = it->get<bool>();
  return true;
}

bool read(const json& line, const char* name, std::int64_t& value) {
  const auto it = line.find(name);
  if (it == line.end() || !it->is_number_integer()) return false;
  // A count past the signed range is no count a server wrote.
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t{INT64_MAX}) return false;
  value = it->get<std::int64_t>();
  return true;
}

bool read(const json& line, const char* name, std::uint64_t& value) {
  const auto it = line.find(name);
  if (it == line.end() || !it->is_number_unsigned()) return false;
  value = it->get<std::uint64_t>();
  return true;
}

template <class Record>
parsed read_record(const json& line, std::int64_t time_ms, std::string call_sid) {
  Record r;
  r.time_ms = time_ms;
  r.call_sid = std::move(call_sid);
  bool complete = true;
  Record::fields(r, [&](const char* name, auto& value, presence p) {
    if (!read(line, name, value) && p == presence::required) complete = false;
  });
  if constexpr (std::is_same_v<Record, override_of<std::string>>) {
    if (complete && !action_from_name(r.action)) complete = false;
  }
  if (!complete) return {std::nullopt, Record::incomplete};
  return {std::move(r), {}};
}

}  // namespace

template <class Record>
void append(std::string& out, const Record& r) {
  json_line line(out);
  line.add("type", Record::type).add("time_ms", r.time_ms).add("call_sid", r.call_sid);
  Record::fields(r, [&](std::string_view name, const auto& value, presence p) {
    if (p == presence::when_set && is_default(value)) return;
    using value_type = std::remove_cvref_t<decltype(value)>;
    if constexpr (std::is_same_v<value_type, std::uint64_t>) {
      line.add(name, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_same_v<value_type, std::string>) {
      line.add(name, std::string_view(value));
    } else {
      line.add(name, value);
    }
  });
  line.end();
}

parsed parse(std::string_view text) {
  const json line = json::parse(text, nullptr, false);
  if (line.is_discarded() || !line.is_object()) {
    return {std::nullopt, "not a JSON object (a line torn by a crash, or garbage)"};
  }
  std::string type, call_sid;
  std::int64_t time_ms = 0;
  if (!read(line, "type", type) || !read(line, "call_sid", call_sid) || !read(line, "time_ms", time_ms)) {
    return {std::nullopt, "missing or mistyped 'type', 'call_sid' or 'time_ms'"};
  }
  // Past 2262 the clock's nanoseconds would overflow.
  if (time_ms < 0 || time_ms > latest_time_ms) return {std::nullopt, "time_ms out of range"};
  if (type == "call") {
    bool snapshot = false;
    if (read(line, "snapshot", snapshot) && snapshot) {
      return read_record<live_call_of<std::string>>(line, time_ms, std::move(call_sid));
    }
    return read_record<call_of<std::string>>(line, time_ms, std::move(call_sid));
  }
  if (type == "status") return read_record<status_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "dial_status") return read_record<dial_status_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "ai_status") return read_record<ai_status_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "transfer") return read_record<transfer_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "menu") return read_record<menu_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "callback") return read_record<callback_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "callback_request") {
    return read_record<callback_request_of<std::string>>(line, time_ms, std::move(call_sid));
  }
  if (type == "inbox_item") return read_record<inbox_item_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "inbox_done") return read_record<inbox_done_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "voicemail") return read_record<voicemail_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "rotated") return read_record<rotated_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "recording") return read_record<recording_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "override") return read_record<override_of<std::string>>(line, time_ms, std::move(call_sid));
  if (type == "override_cleared") {
    return read_record<override_cleared_of<std::string>>(line, time_ms, std::move(call_sid));
  }
  return {std::nullopt, "unknown record type"};
}

// Writers append views; a reader's records (a round trip, a test) append too.
#define CALLPOLICY_JOURNAL_RECORD(record)                                              \
  template void append(std::string&, const record##_of<std::string_view>&); \
  template void append(std::string&, const record##_of<std::string>&);
CALLPOLICY_JOURNAL_RECORD(call)
CALLPOLICY_JOURNAL_RECORD(live_call)
CALLPOLICY_JOURNAL_RECORD(status)
CALLPOLICY_JOURNAL_RECORD(dial_status)
CALLPOLICY_JOURNAL_RECORD(ai_status)
CALLPOLICY_JOURNAL_RECORD(transfer)
CALLPOLICY_JOURNAL_RECORD(menu)
CALLPOLICY_JOURNAL_RECORD(callback)
CALLPOLICY_JOURNAL_RECORD(callback_request)
CALLPOLICY_JOURNAL_RECORD(inbox_item)
CALLPOLICY_JOURNAL_RECORD(inbox_done)
CALLPOLICY_JOURNAL_RECORD(voicemail)
CALLPOLICY_JOURNAL_RECORD(rotated)
CALLPOLICY_JOURNAL_RECORD(recording)
CALLPOLICY_JOURNAL_RECORD(override)
CALLPOLICY_JOURNAL_RECORD(override_cleared)
#undef CALLPOLICY_JOURNAL_RECORD

}  // namespace callpolicy::server::journal_record
