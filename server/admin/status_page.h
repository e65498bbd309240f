// The status page, on the admin address: for the people who run
// the phones, who answers every clinic's calls right now and why.
//
// Pages are rendered here, on the server, so that they work without
// JavaScript and the first paint is the answer; a little plain JavaScript
// (embedded, no build step, no CDN) refreshes them every second by fetching
// the same fragments this file renders, and sends override changes with the
// admin bearer token. There is one renderer for each piece, whichever asks.
//
//   GET /                      every clinic (200 at most, `?q=` searches) and who answers now
//   GET /clinics/{id}            one clinic: now, its week, holidays ahead, numbers, recent
//                              decisions, an override form, and the dry run of `eval --explain`
//                              (`?at=&via=&calls=&caller=`)
//   GET /reloads               the last reload, every diagnostic as `check` prints it
//   GET /ui/now.json           {rows, count, banner}: the rows of the table (`?q=`, or
//                              `?clinic=ID`) and the reload banner, for the refresh
//   GET /inbox                 the inbox (`?clinic=ID&state=open|done`), each open item with a button
//                              that marks it done
//   GET /ui/app.js, /ui/app.css
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/policy_set.h"
#include "server/state/call_state.h"
#include "server/endpoints.h"
#include "server/inbox/inbox.h"
#include "server/state/overrides.h"
#include "server/policy_store.h"
#include "server/recent_decisions.h"

namespace callpolicy::server {

struct response;

// What the pages show, gathered by the caller when a page needs it.
struct page_data {
  std::shared_ptr<const policy_set> set;
  reload_report last_reload;
  std::map<std::string, std::int32_t> active;
  std::vector<clinic_override> overrides;
  state_health state;
  std::int64_t ai_legs = 0;     // live, across the fleet when the store is shared
  std::uint32_t ai_capacity = 0;  // --ai-capacity; 0: unlimited
  const recent_decisions* recent = nullptr;
  std::string public_url;
  bool admin_writes = false;  // an admin token is configured
  // The inbox of a clinic (empty: every clinic's), read only by the pages that show it.
  std::function<std::vector<inbox_item>(std::string_view clinic, inbox_state state)> inbox;
  std::chrono::system_clock::time_point now{};
};

// Answers one of the page endpoints (the `{id}` of a clinic's page in
// `segment`, the part after '?' in `query`).
void serve_status_page(endpoint_id page, std::string_view segment, std::string_view query,
                       const std::function<page_data()>& gather, response& out);

}  // namespace callpolicy::server
