// What the commands that talk to a running server's admin address share
// (`override`, `inbox`): the bearer token from its file, and what an answer
// means for the exit code (docs/tooling.md).
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "server/http/admin_client.h"

namespace callpolicy::cli {

// Where a command's request goes: --admin and --token-file.
struct admin_target {
  std::string admin = "http://127.0.0.1:9090";
  std::string token_file;
};
// Adds --admin and --token-file to `sub`, the token required where it writes.
void add_admin_options(CLI::App* sub, admin_target& target, bool writes);
// The bearer token (empty without --token-file); false, with `exit_code`
// set and why printed, when the file holds none.
bool admin_token(const admin_target& target, std::string_view command, std::string& token, int& exit_code);

// The first line of `file`, trailing blanks cut; false when there is none.
bool read_token(const std::string& file, std::string& token);
// Prints why a request failed, naming `what` ("override set"), and returns
// the exit code: 0 for an answer below 300, 2 for no answer or a refused
// token, 1 for any other refusal.
int report_admin_reply(const server::admin_reply& r, std::string_view what);

}  // namespace callpolicy::cli
