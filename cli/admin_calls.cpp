// What the commands that talk to a running server's admin address share.
#include "cli/admin_calls.h"

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace callpolicy::cli {

bool read_token(const std::string& file, std::string& token) {
  std::ifstream in(file);
  if (!in || !std::getline(in, token)) return false;
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return !token.empty();
}

void add_admin_options(CLI::App* sub, admin_target& target, bool writes) {
  sub->add_option("--admin", target.admin, "the server's admin address (default http://127.0.0.1:9090)");
  auto* token = sub->add_option("--token-file", target.token_file, "the admin bearer token (first line)");
  if (writes) token->required();
}

bool admin_token(const admin_target& target, std::string_view command, std::string& token, int& exit_code) {
  if (target.token_file.empty()) return true;
  if (read_token(target.token_file, token)) return true;
  std::fprintf(stderr, "callpolicy %.*s: no token in '%s'\n", static_cast<int>(command.size()), command.data(),
               target.token_file.c_str());
  exit_code = exit_usage;
  return false;
}

int report_admin_reply(const server::admin_reply& r, std::string_view what) {
  if (r.status == 0) {
    std::fprintf(stderr, "callpolicy %.*s: %s\n", static_cast<int>(what.size()), what.data(), r.error.c_str());
    return exit_usage;
  }
  if (r.status >= 300) {
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    const std::string message = body.is_object() && body.contains("error") && body["error"].is_string()
                                    ? body["error"].get<std::string>()
                                    : r.body;
    std::fprintf(stderr, "callpolicy %.*s: the server answered %d: %s\n", static_cast<int>(what.size()),
                 what.data(), r.status, message.c_str());
    return r.status == 401 || r.status == 403 ? exit_usage : exit_findings;
  }
  return exit_ok;
}

}  // namespace callpolicy::cli
