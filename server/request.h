// A request as the handlers see it, independent of the HTTP library: views
// into the connection's buffers, valid until the handler returns.
#pragma once

#include <string_view>

namespace callpolicy::server {

struct request_view {
  bool admin = false;  // arrived on the admin listener
  std::string_view method;
  std::string_view target;  // path and query, as received
  std::string_view content_type;
  std::string_view signature;  // X-Twilio-Signature
  std::string_view authorization;
  std::string_view host;  // the Host header, empty when absent
  // X-Twilio-Signature or Authorization given more than once: which one a
  // proxy checked and which one the server would read could differ.
  bool repeated_credentials = false;
  std::string_view body;
};

}  // namespace callpolicy::server
