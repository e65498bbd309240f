#include "server/http/admin_client.h"

#include "server/http/http_client.h"

namespace callpolicy::server {

admin_reply admin_request(const std::string& url, const std::string& method, const std::string& path,
                          const std::string& body, const std::string& bearer_token, std::chrono::milliseconds timeout) {
  admin_reply reply;
  std::string_view rest(url);
  if (!rest.starts_with("http://")) {
    reply.error = "the admin URL must be http://HOST:PORT (the admin address is for loopback or a private network)";
    return reply;
  }
  rest.remove_prefix(7);
  const auto slash = rest.find('/');
  std::string prefix(slash == std::string_view::npos ? std::string_view{} : rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string_view authority = rest.substr(0, slash);
  std::vector<std::pair<std::string, std::string>> headers;
  if (!bearer_token.empty()) headers.emplace_back("Authorization", "Bearer " + bearer_token);
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  const http_answer answer =
      http_call(method, "http://" + std::string(authority) + prefix + path, body, headers, timeout);
  reply.status = answer.status;
  reply.body = answer.body;
  reply.error = answer.error;
  return reply;
}

}  // namespace callpolicy::server
