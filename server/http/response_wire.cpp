#include "server/http/response_wire.h"

#include <boost/beast/http/status.hpp>
#include <fmt/format.h>

#include "server/clock.h"
#include "server/json_line.h"

namespace callpolicy::server {

void write_wire(std::string& wire, const response& r, wire_options options) {
  wire.clear();
  const auto phrase = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status));
  const auto header = [&](std::string_view name, std::string_view value) {
    wire.append(name).append(": ").append(value).append("\r\n");
  };
  wire.append("HTTP/1.1 ").append(fmt::format_int(r.status).c_str()).append(" ");
  wire.append(phrase.data(), phrase.size()).append("\r\n");
  header("Server", "callpolicy");
  header("Content-Type", r.content_type);
  if (!r.allow.empty()) header("Allow", r.allow);
  if (!r.authenticate.empty()) header("WWW-Authenticate", r.authenticate);
  header("X-Content-Type-Options", "nosniff");
  if (options.admin) {
    // The status page loads its script and style from itself and is
    // never framed (clickjacking the override buttons).
    header("Content-Security-Policy",
           "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    header("X-Frame-Options", "DENY");
    header("Referrer-Policy", "no-referrer");
  }
  if (!options.keep_alive) header("Connection", "close");
  header("Content-Length", fmt::format_int(r.body.size()).c_str());
  wire.append("\r\n");
  if (!options.head) wire += r.body;
}

void append_request_log(std::string& lines, const response& r, const request_facts& facts) {
  json_line line(lines);
  line.add("level", r.status >= 500                ? "error"
                    : r.action == "not-in-service" ? "warning"
                                                   : "info")
      .add("time_ms", now_ms())
      .add("remote", facts.remote)
      .add("method", facts.method)
      .add("path", facts.target)
      .add("status", static_cast<std::int64_t>(r.status))
      .add("latency_us", std::chrono::duration_cast<std::chrono::microseconds>(facts.latency).count());
  if (!r.clinic.empty()) line.add("clinic", r.clinic);
  if (!r.call_sid.empty()) line.add("call_sid", r.call_sid);
  if (!r.action.empty()) line.add("action", r.action);
  if (!r.reason.empty()) line.add("reason", r.reason);
  line.end_line();
}

}  // namespace callpolicy::server
