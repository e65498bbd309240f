// What the commands that talk to a running server's admin address share
// (`override`, `inbox`): the bearer token from its file, and what an answer
// means for the exit code (docs/tooling.md).
#pragma once

#include <string>
#include <string_view>

#include "server/http/admin_client.h"

namespace callpolicy::cli {

// The first line of `file`, trailing blanks cut; false when there is none.
bool read_token(const std::string& file, std::string& token);
// Prints why a request failed, naming `what` ("override set"), and returns
// the exit code: 0 for an answer below 300, 2 for no answer or a refused
// token, 1 for any other refusal.
int report_admin_reply(const server::admin_reply& r, std::string_view what);

}  // namespace callpolicy::cli
