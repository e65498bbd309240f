// The admin address's endpoints (docs/operations.md, "The admin address"):
// /status, /metrics, the emergency overrides and the status page. Reads are
// open on that address; every write needs the bearer token. Nothing here
// holds a lock a webhook waits for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/endpoints.h"
#include "server/request.h"
#include "server/response.h"
#include "server/server_context.h"

namespace callpolicy::server {

// Whether the admin listener answers a request naming `host` (the Host
// header, port and all): its own listen address, a loopback name, one of
// `extra` (--admin-host), or, when it listens on every address, any IP
// literal. Anything else is a page on another site reaching the admin
// address through DNS rebinding (docs/operations.md, "The admin address").
bool admin_host_allowed(std::string_view host, std::string_view admin_listen, const std::vector<std::string>& extra);

class admin_handlers {
 public:
  explicit admin_handlers(server_context& context) : context_(context) {}

  // A request to the admin endpoint `e`; `segment` is its `{id}`, if any.
  void handle(const endpoint& e, std::string_view segment, const request_view& request, response& out);

 private:
  void set_override(std::string_view clinic, std::string_view body, response& out);
  void clear_override(std::string_view clinic, response& out);
  void list_overrides(response& out);
  // The inbox (docs/operations.md, "The inbox"): listed, and an item marked done.
  void list_inbox(std::string_view target, response& out);
  // The fleet's inbox from a shared store, else (or while it is away) this
  // server's; `source` says which ("shared", "local", "journal").
  std::vector<inbox_item> inbox_items(std::string_view clinic, inbox_state state, std::string& source,
                                      std::string& error);
  void mark_inbox_done(std::string_view id, std::string_view body, response& out);
  std::string status_json();
  std::int64_t total_ai_legs();

  server_context& context_;
};

}  // namespace callpolicy::server
