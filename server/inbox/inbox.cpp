#include "server/inbox/inbox.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <nlohmann/json.hpp>

#include "server/state/overrides.h"

namespace callpolicy::server {
namespace {

using json = nlohmann::ordered_json;

std::string utc_text(std::int64_t ms) {
  return rfc3339_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

std::int64_t duration_of(std::string_view text) {
  std::int64_t seconds = 0;
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  return seconds;
}

struct item_reader {
  std::optional<inbox_item> operator()(const journal_record::voicemail_of<std::string>& r) const {
    inbox_item i;
    i.id = r.recording_sid;
    i.type = "voicemail";
    i.clinic = r.clinic;
    i.caller = r.caller;
    i.number = r.caller;  // the number to call back
    i.to = r.to;
    i.recording_url = r.recording_url;
    i.reason = r.reason;
    i.call_sid = r.call_sid;
    i.duration = duration_of(r.recording_duration);
    i.time_ms = r.time_ms;
    return i;
  }
  std::optional<inbox_item> operator()(const journal_record::callback_request_of<std::string>& r) const {
    inbox_item i;
    i.id = "callback-" + r.call_sid;
    i.type = "callback";
    i.clinic = r.clinic;
    i.caller = r.caller;
    i.number = r.number;
    i.to = r.to;
    i.reason = r.reason;
    i.call_sid = r.call_sid;
    i.time_ms = r.time_ms;
    return i;
  }
  std::optional<inbox_item> operator()(const journal_record::inbox_item_of<std::string>& r) const {
    if (r.item_type != "voicemail" && r.item_type != "callback") return std::nullopt;
    return inbox_item{r.id,     r.item_type,     r.clinic, r.caller, r.number,  r.to,      r.recording_url,
                      r.reason, r.call_sid,      r.duration, r.time_ms, r.done, r.done_by, r.done_at_ms};
  }
  template <class Other>
  std::optional<inbox_item> operator()(const Other&) const {
    return std::nullopt;
  }
};

}  // namespace

std::optional<inbox_item> item_of_record(const journal_record::any_record& record) {
  return std::visit(item_reader{}, record);
}

journal_record::inbox_item_of<std::string> record_of(const inbox_item& i) {
  return {i.time_ms, i.call_sid, i.id,       i.type, i.clinic,  i.caller,    i.number,    i.to,
          i.recording_url, i.reason, i.duration, i.done, i.done_by, i.done_at_ms};
}

std::string item_json(const inbox_item& i) {
  const json j{{"id", i.id},
               {"type", i.type},
               {"clinic", i.clinic},
               {"caller", i.caller},
               {"number", i.number},
               {"to", i.to},
               {"recording_url", i.recording_url},
               {"duration", i.duration},
               {"reason", i.reason},
               {"time", utc_text(i.time_ms)},
               {"time_ms", i.time_ms},
               {"call_sid", i.call_sid},
               {"state", i.done ? "done" : "open"},
               {"done_by", i.done ? json(i.done_by) : json(nullptr)},
               {"done_at", i.done ? json(utc_text(i.done_at_ms)) : json(nullptr)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<inbox_item> item_from_json(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  inbox_item i;
  const auto string = [&](const char* key, std::string& out) {
    const auto it = j.find(key);
    if (it != j.end() && it->is_string()) out = it->get<std::string>();
  };
  const auto number = [&](const char* key, std::int64_t& out) {
    const auto it = j.find(key);
    if (it != j.end() && it->is_number_integer()) out = it->get<std::int64_t>();
  };
  string("id", i.id);
  string("type", i.type);
  string("clinic", i.clinic);
  string("caller", i.caller);
  string("number", i.number);
  string("to", i.to);
  string("recording_url", i.recording_url);
  string("reason", i.reason);
  string("call_sid", i.call_sid);
  number("duration", i.duration);
  number("time_ms", i.time_ms);
  if (i.id.empty() || (i.type != "voicemail" && i.type != "callback")) return std::nullopt;
  return i;
}

std::vector<inbox_item> select_items(std::vector<inbox_item> items, std::string_view clinic, inbox_state state) {
  std::erase_if(items, [&](const inbox_item& i) {
    const bool wanted_state = state == inbox_state::all || (state == inbox_state::done) == i.done;
    return !wanted_state || (!clinic.empty() && i.clinic != clinic);
  });
  std::sort(items.begin(), items.end(), [](const inbox_item& a, const inbox_item& b) {
    if (a.done != b.done) return !a.done;
    if (a.done && a.done_at_ms != b.done_at_ms) return a.done_at_ms > b.done_at_ms;
    return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.id < b.id;
  });
  return items;
}

void inbox::add(inbox_item item) {
  std::lock_guard lock(mutex_);
  const auto it = items_.find(item.id);
  if (it == items_.end()) {
    if (items_.size() >= max_items) {
      const auto older = [](const auto& a, const auto& b) {
        if (a.second.done != b.second.done) return a.second.done;
        return a.second.time_ms < b.second.time_ms;
      };
      items_.erase(std::min_element(items_.begin(), items_.end(), older));
    }
    std::string id = item.id;
    items_.emplace(std::move(id), std::move(item));
    return;
  }
  // A voicemail record replayed after a snapshot's copy of its item: what
  // the copy knows of its mark stays.
  if (item.done && !it->second.done) {
    it->second.done = true;
    it->second.done_by = item.done_by;
    it->second.done_at_ms = item.done_at_ms;
  }
}

bool inbox::mark_done(std::string_view id, std::string_view by, std::int64_t at_ms) {
  std::lock_guard lock(mutex_);
  const auto it = items_.find(id);
  if (it == items_.end()) return false;
  if (!it->second.done) {
    it->second.done = true;
    it->second.done_by = std::string(by);
    it->second.done_at_ms = at_ms;
  }
  return true;
}

bool inbox::contains(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return items_.find(id) != items_.end();
}

std::vector<inbox_item> inbox::list(std::string_view clinic, inbox_state state, std::int64_t now_ms) {
  std::vector<inbox_item> out;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(items_, [&](const auto& entry) {
      return entry.second.done && entry.second.done_at_ms + done_kept_ms < now_ms;
    });
    for (const auto& [id, item] : items_) {
      if (clinic.empty() || item.clinic == clinic) out.push_back(item);
    }
  }
  return select_items(std::move(out), clinic, state);
}

std::size_t inbox::open_count(std::string_view clinic) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [&](const auto& entry) {
    return !entry.second.done && (clinic.empty() || entry.second.clinic == clinic);
  }));
}

}  // namespace callpolicy::server
