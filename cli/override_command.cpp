// `callpolicy override set|clear|list`: the emergency override (docs/operations.md, "Emergency overrides")
// for operators, through a running server's admin address.
#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/admin_calls.h"
#include "cli/commands.h"
#include "server/http/admin_client.h"

namespace callpolicy::cli {
namespace {

// "2h", "30m", "90s" from now, as RFC 3339 UTC; anything else as given.
std::string until_of(const std::string& text) {
  if (text.empty() || text.find('T') != std::string::npos) return text;
  std::size_t used = 0;
  long long amount = 0;
  try {
    amount = std::stoll(text, &used);
  } catch (const std::exception&) {
    return text;
  }
  const std::string unit = text.substr(used);
  const long long scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (scale == 0 || amount <= 0) return text;
  const auto at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                  std::chrono::seconds(amount * scale);
  const auto days = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{at - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

}  // namespace

void add_override_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("override", "set, clear or list a clinic's emergency override on a running server");
  command->require_subcommand(1);
  struct options {
    admin_target target;
    std::string clinic;
    std::string action;
    std::string until;
    std::string reason;
    std::string format = "text";
  };
  auto opts = std::make_shared<options>();
  const auto common = [&](CLI::App* sub, bool writes) { add_admin_options(sub, opts->target, writes); };
  auto* set = command->add_subcommand("set", "every call to the clinic answered by ACTION until a time");
  common(set, true);
  set->add_option("--clinic", opts->clinic, "the clinic's id")->required();
  set->add_option("--action", opts->action, "ai, voicemail, forward, busy or menu")
      ->required()
      ->check(CLI::IsMember({"ai", "voicemail", "forward", "busy", "menu"}));
  set->add_option("--until", opts->until, "RFC 3339 with Z or an offset, or a duration from now like 2h")->required();
  set->add_option("--reason", opts->reason, "why (the calls' reason becomes 'override: REASON')")->required();
  auto* clear = command->add_subcommand("clear", "the clinic's override removed");
  common(clear, true);
  clear->add_option("--clinic", opts->clinic, "the clinic's id")->required();
  auto* list = command->add_subcommand("list", "the overrides in force");
  common(list, false);
  list->add_option("--format", opts->format, "text or json")->check(CLI::IsMember({"text", "json"}));

  const auto token = [opts, &exit_code](std::string& out) { return admin_token(opts->target, "override", out, exit_code); };
  set->callback([opts, token, &exit_code] {
    std::string bearer;
    if (!token(bearer)) return;
    const nlohmann::json body{{"action", opts->action}, {"until", until_of(opts->until)}, {"reason", opts->reason}};
    const auto r = server::admin_request(opts->target.admin, "POST", "/admin/clinics/" + opts->clinic + "/override",
                                         body.dump(), bearer);
    exit_code = report_admin_reply(r, "override set");
    if (exit_code != exit_ok) return;
    const auto o = nlohmann::json::parse(r.body, nullptr, false);
    std::printf("%s: every call answered by %s until %s (reason \"override: %s\")\n", opts->clinic.c_str(),
                opts->action.c_str(), o.is_object() ? o.value("until", "").c_str() : "", opts->reason.c_str());
  });
  clear->callback([opts, token, &exit_code] {
    std::string bearer;
    if (!token(bearer)) return;
    const auto r = server::admin_request(opts->target.admin, "DELETE", "/admin/clinics/" + opts->clinic + "/override", "", bearer);
    exit_code = report_admin_reply(r, "override clear");
    if (exit_code != exit_ok) return;
    const auto o = nlohmann::json::parse(r.body, nullptr, false);
    const bool cleared = o.is_object() && o.value("cleared", false);
    std::printf("%s: %s\n", opts->clinic.c_str(), cleared ? "override cleared" : "had no override");
  });
  list->callback([opts, token, &exit_code] {
    std::string bearer;
    if (!token(bearer)) return;
    const auto r = server::admin_request(opts->target.admin, "GET", "/admin/overrides", "", bearer);
    exit_code = report_admin_reply(r, "override list");
    if (exit_code != exit_ok) return;
    if (opts->format == "json") {
      std::fputs(r.body.c_str(), stdout);
      return;
    }
    const auto o = nlohmann::json::parse(r.body, nullptr, false);
    if (!o.is_object() || !o.contains("overrides") || o["overrides"].empty()) {
      std::puts("no overrides");
      return;
    }
    for (const auto& e : o["overrides"]) {
      std::printf("%-24s %-9s until %s  %s\n", e.value("clinic", "").c_str(), e.value("action", "").c_str(),
                  e.value("until", "").c_str(), e.value("reason", "").c_str());
    }
  });
}

}  // namespace callpolicy::cli
