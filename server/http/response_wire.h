// What a response looks like once it leaves the handlers: its bytes on the
// wire (a few fixed headers and the body, written straight into the
// connection's reused buffer, rather than through Beast's serializer, which
// cost more than all the handler's formatting) and its line in the request
// log.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "server/response.h"

namespace callpolicy::server {

struct wire_options {
  bool admin = false;       // the admin listener's security headers
  bool keep_alive = false;  // false: "Connection: close"
  bool head = false;        // HEAD: the length GET would have sent, without the body
};

// Replaces `wire` with `r` as an HTTP/1.1 response.
void write_wire(std::string& wire, const response& r, wire_options options);

// The request's JSON log line, appended to `lines`.
struct request_facts {
  std::string_view remote, method, target;
  std::chrono::steady_clock::duration latency;
};
void append_request_log(std::string& lines, const response& r, const request_facts& facts);

}  // namespace callpolicy::server
