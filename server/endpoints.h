// Every endpoint of the server in one table (docs/operations.md, "Endpoints"): its path and aliases,
// the methods it answers (the 405's Allow header), whether Twilio signs it,
// and which address serves it. Routing, the metrics' endpoint label and the
// 405 read this table; a test checks that docs/operations.md names every
// path in it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace callpolicy::server {

enum class endpoint_id : std::uint8_t {
  healthz,
  readyz,
  voice,
  sip,
  status_callback,
  dial_status,
  ai_status,
  refer,
  screen,
  menu,
  callback,
  voicemail,
  hangup,
  status_page,
  clinic_page,
  reloads_page,
  inbox_page,
  page_rows,
  page_script,
  page_style,
  status_json,
  metrics,
  clinic_override,
  overrides,
  inbox,
  inbox_done,
};

enum class address : std::uint8_t { public_only, admin_only, both };

struct endpoint {
  endpoint_id id;
  std::string_view path;   // a path, or with `{id}` a pattern of one segment
  std::string_view alias;  // the original design's /api/ path, if any
  std::string_view methods;
  bool twilio_signed;
  address served_on;
  std::string_view does;
};

inline constexpr std::array<endpoint, 26> endpoints{{
    {endpoint_id::healthz, "/healthz", "", "GET, HEAD", false, address::both, "liveness"},
    {endpoint_id::readyz, "/readyz", "", "GET, HEAD", false, address::both,
     "readiness: a policy set is loaded"},
    {endpoint_id::voice, "/twilio/voice", "/api/twilio/voice", "POST", true, address::public_only,
     "an inbound call"},
    {endpoint_id::sip, "/twilio/sip", "/api/twilio/sip", "POST", true, address::public_only,
     "a call from a PBX"},
    {endpoint_id::status_callback, "/twilio/status", "/api/twilio/status", "POST", true,
     address::public_only, "a call's status callback"},
    {endpoint_id::dial_status, "/twilio/dial-status", "/api/twilio/dial-status", "POST", true,
     address::public_only, "how a forward ended"},
    {endpoint_id::ai_status, "/twilio/ai-status", "/api/twilio/ai-status", "POST", true,
     address::public_only, "how the AI's leg ended"},
    {endpoint_id::refer, "/twilio/refer", "/api/twilio/refer", "POST", true, address::public_only,
     "the AI's transfer (SIP REFER)"},
    {endpoint_id::screen, "/twilio/screen", "/api/twilio/screen", "POST", true, address::public_only,
     "a screened forward's staff leg"},
    {endpoint_id::menu, "/twilio/menu", "/api/twilio/menu", "POST", true, address::public_only,
     "a menu's key"},
    {endpoint_id::callback, "/twilio/callback", "/api/twilio/callback", "POST", true, address::public_only,
     "a callback offer's digits"},
    {endpoint_id::voicemail, "/twilio/voicemail", "/api/twilio/voicemail", "POST", true,
     address::public_only, "a recording's status callback"},
    {endpoint_id::hangup, "/twilio/hangup", "/api/twilio/hangup", "POST", true,
     address::public_only, "<Hangup/>"},
    {endpoint_id::status_page, "/", "", "GET, HEAD", false, address::admin_only, "the status page"},
    {endpoint_id::clinic_page, "/clinics/{id}", "", "GET, HEAD", false, address::admin_only,
     "a clinic's page"},
    {endpoint_id::reloads_page, "/reloads", "", "GET, HEAD", false, address::admin_only,
     "the last reload"},
    {endpoint_id::inbox_page, "/inbox", "", "GET, HEAD", false, address::admin_only,
     "the inbox page"},
    {endpoint_id::page_rows, "/ui/now.json", "", "GET, HEAD", false, address::admin_only,
     "the status page's rows"},
    {endpoint_id::page_script, "/ui/app.js", "", "GET, HEAD", false, address::admin_only,
     "the page's script"},
    {endpoint_id::page_style, "/ui/app.css", "", "GET, HEAD", false, address::admin_only,
     "the page's style"},
    {endpoint_id::status_json, "/status", "", "GET, HEAD", false, address::admin_only,
     "the server's state as JSON"},
    {endpoint_id::metrics, "/metrics", "", "GET, HEAD", false, address::admin_only,
     "Prometheus metrics"},
    {endpoint_id::clinic_override, "/admin/clinics/{id}/override", "", "POST, PUT, DELETE", false,
     address::admin_only, "set or clear a clinic's emergency override"},
    {endpoint_id::overrides, "/admin/overrides", "", "GET, HEAD", false, address::admin_only,
     "the overrides in force"},
    {endpoint_id::inbox, "/admin/inbox", "", "GET, HEAD", false, address::admin_only,
     "voicemails and callback requests, open or done"},
    {endpoint_id::inbox_done, "/admin/inbox/{id}/done", "", "POST", false, address::admin_only,
     "mark an inbox item done"},
}};

// The endpoint `path` (without its query) names on this address; null when
// none. `matched` is the table's path or alias that it matched (the metrics
// label), and `segment` the `{id}` of a pattern.
const endpoint* find_endpoint(std::string_view path, bool admin, std::string_view& matched,
                              std::string_view& segment);

// Whether `method` is one of `e.methods`.
bool allows(const endpoint& e, std::string_view method);

// The metrics label of a request target: the table's path or alias it
// matched, or "other" (unknown paths must not grow the label set).
inline constexpr std::string_view unknown_endpoint_label = "other";
std::string_view endpoint_label(std::string_view target, bool admin);

}  // namespace callpolicy::server
