// The HTTP client of `callpolicy override` (docs/operations.md, "Emergency overrides"): one request to a
// server's admin address, with a deadline. Beast stays in server/.
#pragma once

#include <chrono>
#include <string>

namespace callpolicy::server {

struct admin_reply {
  int status = 0;     // 0: no answer; `error` says why
  std::string body;
  std::string error;
};

// `url` is the admin address, "http://HOST:PORT" (a path after it is kept as a prefix).
admin_reply admin_request(const std::string& url, const std::string& method, const std::string& path,
                          const std::string& body, const std::string& bearer_token,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace callpolicy::server
