#include "server/http/request_framing.h"

#include <vector>

#include "server/text.h"

namespace callpolicy::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::optional<read_failure> failure_of(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted ||
      ec == net::error::bad_descriptor) {
    return std::nullopt;
  }
  if (ec == http::error::body_limit) return read_failure{413, "request body over 64 KiB\n"};
  if (ec == http::error::header_limit) return read_failure{431, "request headers too large\n"};
  if (ec == http::error::buffer_overflow) {
    return read_failure{431, "request header, trailer or chunk line too large\n"};
  }
  if (ec == http::error::bad_chunk_extension)
    return read_failure{400, "chunk extension too large or malformed\n"};
  return read_failure{400, "malformed HTTP request\n"};
}

std::optional<read_failure> framing_failure(const request_message& req) {
  if (req.count(http::field::host) > 1) return read_failure{400, "more than one Host header\n"};
  if (req.version() >= 11 && req.find(http::field::host) == req.end()) {
    return read_failure{400, "missing Host header\n"};
  }
  const auto codings = req.equal_range(http::field::transfer_encoding);
  if (codings.first == codings.second) return std::nullopt;
  if (req.version() < 11) return read_failure{400, "Transfer-Encoding in an HTTP/1.0 request\n"};
  if (req.find(http::field::content_length) != req.end()) {
    return read_failure{400, "both Transfer-Encoding and Content-Length\n"};
  }
  std::vector<std::string_view> list;
  for (auto it = codings.first; it != codings.second; ++it) {
    std::string_view value(it->value().data(), it->value().size());
    while (!value.empty()) {
      const auto comma = value.find(',');
      const std::string_view coding = trim(value.substr(0, comma));
      if (!coding.empty()) list.push_back(coding);
      value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    }
  }
  if (list.empty() || !iequals(list.back(), "chunked")) {
    return read_failure{400, "chunked must be the final transfer coding\n"};
  }
  // RFC 9112 suggests 501 here; 400 keeps 5xx meaning "our fault" on the
  // dashboards, and the connection closes all the same.
  if (list.size() > 1) return read_failure{400, "only the chunked transfer coding is supported\n"};
  return std::nullopt;
}

bool has_obs_fold(std::string_view header) {
  for (std::size_t at = header.find('\n'); at != std::string_view::npos && at + 1 < header.size();
       at = header.find('\n', at + 1)) {
    if (header[at + 1] == ' ' || header[at + 1] == '\t') return true;
  }
  return false;
}

}  // namespace callpolicy::server
