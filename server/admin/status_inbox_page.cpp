// The status page's inbox (docs/operations.md, "The inbox"): every clinic's
// voicemails and callback requests, or one clinic's, open ones oldest first,
// each with a button that marks it done (the admin token, as overrides).
// Cards, not a table, so that a phone's narrow screen shows them whole.
#include <fmt/format.h>

#include "server/admin/status_page_parts.h"

namespace callpolicy::server::page_parts {
namespace {

std::string item_card(const page_data& d, const inbox_item& item, bool show_clinic) {
  const runtime_clinic* c = d.set ? d.set->find_by_id(item.clinic) : nullptr;
  const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(item.time_ms));
  std::string out = fmt::format(R"(<li class="item {}" data-id="{}"><div class="what"><strong>{}</strong> )",
                                item.done ? "done" : "open", escaped(item.id),
                                item.type == "voicemail" ? "Voicemail" : "Call back");
  out += item.number.empty() ? std::string("from an unknown number")
                             : fmt::format(R"(<a href="tel:{0}">{0}</a>)", escaped(item.number));
  if (item.type == "callback" && !item.caller.empty() && item.caller != item.number) {
    out += " (called from " + escaped(item.caller) + ")";
  }
  out += "</div><div class=\"when\">";
  out += c ? local_timestamp(*c, at) : escaped(rfc3339_utc(at));
  if (show_clinic) {
    out += item.clinic.empty() ? std::string(" · no clinic")
                               : fmt::format(R"( · <a href="/clinics/{}">{}</a>)", url_part(item.clinic),
                                             escaped(c ? c->policy.name : item.clinic));
  }
  out += "</div>";
  if (item.type == "voicemail") {
    out += fmt::format(R"(<div class="message">{} s · )", item.duration);
    out += item.recording_url.empty() ? std::string("no recording link")
                                      : fmt::format(R"(<a href="{}" rel="noreferrer">Listen to the recording</a>)",
                                                    escaped(item.recording_url));
    out += "</div>";
  }
  if (!item.reason.empty()) out += "<div class=\"reason\">Why: " + escaped(item.reason) + "</div>";
  if (item.done) {
    const auto done_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(item.done_at_ms));
    out += "<div class=\"done-by\">Done by " + escaped(item.done_by) + ", " +
           (c ? local_timestamp(*c, done_at) : escaped(rfc3339_utc(done_at))) + "</div>";
  } else {
    out += fmt::format(R"(<div class="buttons"><button type="button" class="mark-done" data-id="{}">Mark done</button></div>)",
                       escaped(item.id));
  }
  out += "</li>";
  return out;
}

}  // namespace

std::string inbox_list(const page_data& d, const std::vector<inbox_item>& items, bool show_clinic) {
  if (items.empty()) return R"(<p class="empty">Nothing here.</p>)";
  std::string out = R"(<ul class="inbox">)";
  for (const inbox_item& item : items) out += item_card(d, item, show_clinic);
  return out + "</ul>";
}

std::string inbox_token_form(const page_data& d) {
  if (!d.admin_writes) {
    return R"(<p>Marking items done is off on this server (no --admin-token-file).</p>)";
  }
  return R"(<div class="token"><label for="inbox-token">Admin token (to mark items done)</label>)"
         R"(<input id="inbox-token" type="password" autocomplete="off"></div><p id="inbox-status" role="status"></p>)";
}

std::string inbox_page(const page_data& d, std::string_view clinic, std::string_view state) {
  const runtime_clinic* c = d.set && !clinic.empty() ? d.set->find_by_id(clinic) : nullptr;
  const std::string whose = clinic.empty() ? std::string("every clinic") : escaped(c ? c->policy.name : clinic);
  const bool done = state == "done";
  std::string body = fmt::format(R"(<h1>Inbox: {}</h1><nav aria-label="Inbox" class="tabs">)", whose);
  const std::string base = clinic.empty() ? "/inbox?" : "/inbox?clinic=" + url_part(clinic) + "&amp;";
  body += fmt::format(R"(<a href="{}state=open"{}>Open</a> <a href="{}state=done"{}>Done</a>)", base,
                      done ? "" : R"( aria-current="page")", base, done ? R"( aria-current="page")" : "");
  if (!clinic.empty()) body += R"( <a href="/inbox">Every clinic</a>)";
  body += "</nav>";
  body += R"(<section aria-labelledby="inbox-h" id="inbox" data-clinic=")" + escaped(clinic) + R"(">)";
  body += fmt::format(R"(<h2 id="inbox-h">{}</h2>)", done ? "Done, the last first" : "Open, the oldest first");
  if (!done) body += inbox_token_form(d);
  body += inbox_list(d, d.inbox ? d.inbox(clinic, done ? inbox_state::done : inbox_state::open) : std::vector<inbox_item>{},
                     clinic.empty());
  body += "</section>";
  return page("Inbox", body);
}

}  // namespace callpolicy::server::page_parts
