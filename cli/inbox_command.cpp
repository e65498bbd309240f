// `callpolicy inbox list|done`: the front desk's inbox (docs/operations.md,
// "The inbox") through a running server's admin address.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/admin_calls.h"
#include "cli/commands.h"

namespace callpolicy::cli {

void add_inbox_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("inbox", "list the voicemails and callback requests of a running server, or mark one done");
  command->require_subcommand(1);
  struct options {
    admin_target target;
    std::string clinic;
    std::string state = "open";
    std::string id;
    std::string by;
    std::string format = "text";
  };
  auto opts = std::make_shared<options>();
  const auto common = [&](CLI::App* sub, bool writes) { add_admin_options(sub, opts->target, writes); };
  auto* list = command->add_subcommand("list", "the inbox, open items oldest first");
  common(list, false);
  list->add_option("--clinic", opts->clinic, "one clinic's inbox (default: every clinic's)");
  list->add_option("--state", opts->state, "open, done or all (default open)")
      ->check(CLI::IsMember({"open", "done", "all"}));
  list->add_option("--format", opts->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  auto* done = command->add_subcommand("done", "mark an item done");
  common(done, true);
  done->add_option("id", opts->id, "the item's id (a voicemail's RecordingSid, or callback-CALLSID)")->required();
  done->add_option("--by", opts->by, "who dealt with it (default: admin)");

  const auto token = [opts, &exit_code](std::string& out) { return admin_token(opts->target, "inbox", out, exit_code); };
  const auto encoded = [](const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '_' || c == '.' || c == '~';
      out += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
    }
    return out;
  };
  list->callback([opts, token, encoded, &exit_code] {
    std::string bearer;
    if (!token(bearer)) return;
    std::string path = "/admin/inbox?state=" + opts->state;
    if (!opts->clinic.empty()) path += "&clinic=" + encoded(opts->clinic);
    const auto r = server::admin_request(opts->target.admin, "GET", path, "", bearer);
    exit_code = report_admin_reply(r, "inbox list");
    if (exit_code != exit_ok) return;
    if (opts->format == "json") {
      std::fputs(r.body.c_str(), stdout);
      return;
    }
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("items") || j["items"].empty()) {
      std::printf("no %s items\n", opts->state == "all" ? "" : opts->state.c_str());
      return;
    }
    for (const auto& item : j["items"]) {
      const std::string type = item.value("type", "");
      std::string line = fmt::format("{}  {}  {:<9}  {}", item.value("time", ""), item.value("clinic", ""), type,
                                     item.value("number", ""));
      if (type == "voicemail") line += fmt::format("  {}s  {}", item.value("duration", 0), item.value("recording_url", ""));
      if (!item.value("reason", "").empty()) line += fmt::format("  ({})", item.value("reason", ""));
      if (item.value("state", "") == "done" && item["done_by"].is_string()) {
        line += fmt::format("  done by {} at {}", item["done_by"].get<std::string>(),
                            item["done_at"].is_string() ? item["done_at"].get<std::string>() : "");
      }
      std::printf("%s  %s\n", item.value("id", "").c_str(), line.c_str());
    }
  });
  done->callback([opts, token, encoded, &exit_code] {
    std::string bearer;
    if (!token(bearer)) return;
    const std::string body = opts->by.empty() ? std::string() : nlohmann::json{{"by", opts->by}}.dump();
    const auto r = server::admin_request(opts->target.admin, "POST", "/admin/inbox/" + encoded(opts->id) + "/done", body, bearer);
    exit_code = report_admin_reply(r, "inbox done");
    if (exit_code != exit_ok) return;
    const auto item = nlohmann::json::parse(r.body, nullptr, false);
    std::printf("%s: done%s\n", opts->id.c_str(),
                item.is_object() && item.contains("done_by") && item["done_by"].is_string()
                    ? (" by " + item["done_by"].get<std::string>()).c_str()
                    : "");
  });
}

}  // namespace callpolicy::cli
