// The inbox's admin endpoints (docs/operations.md, "The inbox"): what a
// front desk lists, and marks done.
#include <nlohmann/json.hpp>

#include "server/admin/admin_handlers.h"
#include "server/json_line.h"
#include "server/twilio/form.h"

namespace callpolicy::server {
namespace {

using json = nlohmann::ordered_json;

std::string json_message(std::string_view key, std::string_view message) {
  std::string out;
  json_line(out).add(key, message).end();
  out += '\n';
  return out;
}

// Who marked an item done: a short name, printable, as the status page shows it.
bool acceptable_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (const char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return false;
  }
  return true;
}

}  // namespace

void admin_handlers::list_inbox(std::string_view target, response& out) {
  const std::string state_text(query_value(target, "state"));
  const std::string clinic(query_value(target, "clinic"));
  const inbox_state state = state_text.empty() || state_text == "open" ? inbox_state::open
                            : state_text == "done"                     ? inbox_state::done
                            : state_text == "all"                      ? inbox_state::all
                                                                       : static_cast<inbox_state>(255);
  if (static_cast<int>(state) == 255) {
    out.answer(400, json_message("error", "'state' must be open, done or all"), "application/json");
    return;
  }
  std::string source, error;
  const std::vector<inbox_item> items = inbox_items(clinic, state, source, error);
  std::string body = "{\"items\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    body += item_json(items[i]);
  }
  body += "],\"source\":";
  body += json(source).dump();
  if (!error.empty()) body += ",\"error\":" + json(error).dump(-1, ' ', false, json::error_handler_t::replace);
  body += "}\n";
  out.answer(200, body, "application/json");
}

std::vector<inbox_item> admin_handlers::inbox_items(std::string_view clinic, inbox_state state, std::string& source,
                                                    std::string& error) {
  const std::int64_t now = unix_ms(clock_type::now());
  source = "journal";
  if (!context_.state.shares_inbox()) return context_.inbox.list(clinic, state, now);
  std::vector<inbox_item> items;
  if (context_.state.load_inbox(items, error)) {
    source = "shared";
    return select_items(std::move(items), clinic, state);
  }
  source = "local";
  return context_.inbox.list(clinic, state, now);
}

void admin_handlers::mark_inbox_done(std::string_view id, std::string_view body, response& out) {
  const auto fail = [&](unsigned status, std::string_view message) {
    out.answer(status, json_message("error", message), "application/json");
  };
  std::string by = "admin";
  if (!body.empty()) {
    const json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object()) return fail(400, "expected a JSON object: {\"by\": \"...\"}");
    for (const auto& field : request.items()) {
      if (field.key() != "by") return fail(400, "unknown field '" + field.key() + "'");
    }
    if (const auto it = request.find("by"); it != request.end()) {
      if (!it->is_string() || !acceptable_name(it->get<std::string>())) {
        return fail(400, "'by' must be a name of 1 to 100 printable characters");
      }
      by = it->get<std::string>();
    }
  }
  const std::int64_t now = unix_ms(clock_type::now());
  out.action = "inbox done";
  out.reason.assign(id);
  if (context_.state.shares_inbox()) {
    bool known = false;
    std::string error;
    if (!context_.state.mark_inbox_done(id, by, now, known, error)) {
      return fail(503, "the state store did not answer (" + error + "); the item stays open");
    }
    if (!known) return fail(404, "no inbox item '" + std::string(id) + "'");
    context_.inbox.mark_done(id, by, now);
  } else {
    if (!context_.inbox.contains(id)) return fail(404, "no inbox item '" + std::string(id) + "'");
    context_.inbox.mark_done(id, by, now);
    // The memory store's marks live in the journal; the answer waits for the line.
    journal_record::append(out.journal_line, journal_record::inbox_done{.time_ms = now, .id = id, .done_by = by});
  }
  for (const inbox_item& item : context_.inbox.list({}, inbox_state::all, now)) {
    if (item.id != id) continue;
    out.clinic = item.clinic;
    out.answer(200, item_json(item) + "\n", "application/json");
    return;
  }
  std::string answer;
  json_line(answer).add("id", id).add("state", "done").end();
  out.answer(200, answer + "\n", "application/json");
}

}  // namespace callpolicy::server
