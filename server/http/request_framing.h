// Which requests are refused before any handler sees them, and with what
// answer: errors of the read (limits, malformed input), framing a proxy in
// front could read differently (request smuggling), obsolete line folding.
// Private to server/http/.
#pragma once

#include <optional>
#include <string_view>

#include <boost/beast/http.hpp>

#include "server/http/request_arena.h"

namespace callpolicy::server {

// How a request that could not be read is answered (nullopt: just close).
struct read_failure {
  unsigned status;
  std::string_view body;
};

// The answer to a failed read, or nullopt when the connection just ends
// (closed, reset, timed out).
std::optional<read_failure> failure_of(boost::beast::error_code ec);

// Beast's parsed request, with every field and the body in the connection's arena.
using arena_chars = arena_allocator<char>;
using arena_body = boost::beast::http::basic_string_body<char, std::char_traits<char>, arena_chars>;
using request_parser = boost::beast::http::request_parser<arena_body, arena_chars>;
using request_message = request_parser::value_type;

// RFC 9112 6.1 and 6.3: a request body is framed by Content-Length or by
// chunked as the final transfer coding, never both. Anything else could be
// read differently by a proxy in front (request smuggling), so it is refused.
std::optional<read_failure> framing_failure(const request_message& req);

// A line of the header that starts with a space or a tab continues the one
// before it (obs-fold, RFC 9112 section 5.2), or is whitespace before the
// first field: either way not a header this server reads.
bool has_obs_fold(std::string_view header);

}  // namespace callpolicy::server
