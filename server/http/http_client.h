// One HTTP/1.1 request to a URL, http:// or https:// (certificates checked
// against the system's roots, the host name verified), with a deadline for
// the whole exchange: what `callpolicy override` and `inbox` send to an
// admin address, and what delivery posts to a receiver. Beast stays in
// server/.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace callpolicy::server {

struct http_answer {
  int status = 0;  // 0: no answer; `error` says why
  std::string body;
  std::string error;
};

http_answer http_call(const std::string& method, const std::string& url, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::chrono::milliseconds timeout);

}  // namespace callpolicy::server
