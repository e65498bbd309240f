#include "server/http/admin_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace callpolicy::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

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
  const auto colon = authority.rfind(':');
  const std::string host(authority.substr(0, colon));
  const std::string port(colon == std::string_view::npos ? std::string_view("80") : authority.substr(colon + 1));
  try {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    tcp::resolver resolver(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> request{http::string_to_verb(method), prefix + path, 11};
    request.set(http::field::host, std::string(authority));
    request.set(http::field::user_agent, "callpolicy");
    if (!bearer_token.empty()) request.set(http::field::authorization, "Bearer " + bearer_token);
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    http::read(stream, buffer, parser);
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = parser.get().body();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    reply.error = e.what();
  }
  return reply;
}

}  // namespace callpolicy::server
