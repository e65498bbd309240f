#include "server/http/http_client.h"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace callpolicy::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

struct parsed_url {
  bool tls = false;
  std::string host, port, target, authority;
};

std::optional<parsed_url> parse_url(const std::string& url) {
  parsed_url out;
  std::string_view rest(url);
  if (rest.starts_with("https://")) {
    out.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  out.authority = std::string(rest.substr(0, slash));
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const std::string_view authority(out.authority);
  const auto colon = authority.rfind(':');
  const bool has_port = colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos;
  std::string_view host = has_port ? authority.substr(0, colon) : authority;
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  out.host = std::string(host);
  out.port = has_port ? std::string(authority.substr(colon + 1)) : std::string(out.tls ? "443" : "80");
  if (out.host.empty()) return std::nullopt;
  return out;
}

template <class Stream>
http_answer exchange(Stream& stream, const parsed_url& url, const std::string& method, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request{http::string_to_verb(method), url.target, 11};
  request.set(http::field::host, url.authority);
  request.set(http::field::user_agent, "callpolicy");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  http::read(stream, buffer, parser);
  return {static_cast<int>(parser.get().result_int()), parser.get().body(), {}};
}

}  // namespace

http_answer http_call(const std::string& method, const std::string& url, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::chrono::milliseconds timeout) {
  const std::optional<parsed_url> target = parse_url(url);
  if (!target) return {0, {}, "not an http:// or https:// URL: " + url};
  try {
    net::io_context io;
    tcp::resolver resolver(io);
    if (!target->tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);
      stream.connect(resolver.resolve(target->host, target->port));
      http_answer answer = exchange(stream, *target, method, body, headers);
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return answer;
    }
    ssl::context context(ssl::context::tls_client);
    context.set_default_verify_paths();
    context.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    // SNI, and the certificate must name the host.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), target->host.c_str())) {
      return {0, {}, "cannot set the TLS server name"};
    }
    stream.set_verify_callback(ssl::host_name_verification(target->host));
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(resolver.resolve(target->host, target->port));
    stream.handshake(ssl::stream_base::client);
    http_answer answer = exchange(stream, *target, method, body, headers);
    beast::error_code ec;
    stream.shutdown(ec);  // a peer that closes without close_notify is no failure of the exchange
    return answer;
  } catch (const std::exception& e) {
    return {0, {}, e.what()};
  }
}

}  // namespace callpolicy::server
