#include "server/admin/status_page.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/diagnostic_render.h"
#include "compiler/explain.h"
#include "model/time_tables.h"
#include "model/zones.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"
#include "runtime/week_render.h"
#include "server/twilio/form.h"
#include "server/journal/journal.h"
#include "server/admin/status_assets.h"
#include "server/admin/status_page_parts.h"
#include "server/response.h"

namespace callpolicy::server {

namespace {

constexpr std::size_t rows_at_most = 200;
// How far ahead "until" looks for the answer's next change.
constexpr std::chrono::seconds answer_horizon = std::chrono::days(7);

}  // namespace

namespace page_parts {

void esc(std::string& out, std::string_view text) { append_xml_escaped(out, text); }

std::string escaped(std::string_view text) {
  std::string out;
  esc(out, text);
  return out;
}

// A path segment or query value, percent-encoded.
std::string url_part(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string page(std::string_view title, std::string_view body) {
  std::string out = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)";
  esc(out, title);
  out += R"( - callpolicy</title>
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header><nav aria-label="Pages"><a href="/">Now</a> <a href="/inbox">Inbox</a> <a href="/reloads">Reloads</a></nav></header>
<main id="main">
)";
  out += body;
  out += "</main>\n</body>\n</html>\n";
  return out;
}

std::string_view action_words(action_kind a) {
  switch (a) {
    case action_kind::ai: return "AI receptionist";
    case action_kind::voicemail: return "voicemail";
    case action_kind::forward: return "staff (forward)";
    case action_kind::busy: return "busy message";
    case action_kind::menu: return "keypad menu";
    case action_kind::hangup: return "hang up";
    case action_kind::callback: return "callback offer";
  }
  return "";
}

const clinic_override* override_of(const std::vector<clinic_override>& overrides, std::string_view clinic,
                                   std::chrono::system_clock::time_point at) {
  for (const clinic_override& o : overrides) {
    if (o.clinic == clinic && o.until > at) return &o;
  }
  return nullptr;
}

std::vector<via_kind> vias_of(const compiled_clinic& c) {
  std::vector<via_kind> out;
  if (!c.ported.empty()) out.push_back(via_kind::ported);
  if (!c.forwarded.empty()) out.push_back(via_kind::forwarded);
  if (!c.sip_users.empty()) out.push_back(via_kind::sip);
  if (out.empty()) out.push_back(via_kind::ported);
  return out;
}

namespace {

std::string capitalised_weekday(day_number date) {
  std::string day(weekday_name(weekday_of(date)));
  day[0] = static_cast<char>(day[0] - 'a' + 'A');
  return day;
}

// "Tue 14:05", in the clinic's zone.
std::string local_clock(const runtime_clinic& c, std::chrono::sys_seconds at) {
  const local_parts local = to_local(c.zone, at);
  return fmt::format("{} {}", capitalised_weekday(local.date),
                     format_clock(static_cast<std::uint16_t>(local.seconds / 60)));
}

}  // namespace

std::string local_moment(const runtime_clinic& c, std::chrono::system_clock::time_point at,
                         std::chrono::system_clock::time_point now) {
  const auto at_s = std::chrono::floor<std::chrono::seconds>(at);
  const local_parts local = to_local(c.zone, at_s);
  const day_number today = to_local(c.zone, std::chrono::floor<std::chrono::seconds>(now)).date;
  const std::string clock = format_clock(static_cast<std::uint16_t>(local.seconds / 60));
  std::string shown;
  if (local.date == today) {
    shown = clock;
  } else if (local.date == today + 1) {
    shown = "tomorrow " + clock;
  } else if (local.date > today && local.date < today + 7) {
    shown = capitalised_weekday(local.date) + " " + clock;
  } else {
    shown = format_date(local.date) + " " + clock;
  }
  return fmt::format(R"(<time datetime="{}">{}</time>)", escaped(rfc3339_utc(at)), escaped(shown));
}

std::string local_timestamp(const runtime_clinic& c, std::chrono::system_clock::time_point at) {
  const local_parts local = to_local(c.zone, std::chrono::floor<std::chrono::seconds>(at));
  return fmt::format(R"(<time datetime="{}">{} {} {:02}:{:02}:{:02}</time>)", escaped(rfc3339_utc(at)),
                     capitalised_weekday(local.date), format_date(local.date), local.seconds / 3600,
                     local.seconds / 60 % 60, local.seconds % 60);
}

// One table row: the clinic, its time, who answers by each integration, the
// calls against its threshold, its override. The one renderer of a row, for
// the page and for its refresh.
void clinic_row(std::string& out, const runtime_clinic& c, const page_data& d) {
  const auto at = std::chrono::floor<std::chrono::seconds>(d.now);
  const auto active_it = d.active.find(c.policy.id);
  const std::int32_t active = active_it == d.active.end() ? 0 : active_it->second;
  const clinic_override* o = override_of(d.overrides, c.policy.id, d.now);
  out += fmt::format(R"(<tr data-clinic="{}">)", escaped(c.policy.id));
  out += fmt::format(R"(<th scope="row"><a href="/clinics/{}">{}</a><div class="id">{}</div></th>)",
                     url_part(c.policy.id), escaped(c.policy.name), escaped(c.policy.id));
  out += fmt::format(R"(<td data-label="Local time">{}<div class="zone">{}</div></td>)", local_clock(c, at),
                     escaped(c.policy.timezone));
  out += R"(<td data-label="Who answers now"><ul class="answers">)";
  for (const via_kind via : vias_of(c.policy)) {
    decision dec = decide(c, {at, active, {}, via});
    std::string reason(dec.reason);
    if (o && can_answer_with(c.policy, o->action)) {
      dec.action = o->action;
      reason = o->decision_reason();
    }
    // Until when: the override's end, else the policy's next change at
    // today's count (a change in the count changes it sooner).
    std::string until;
    if (o && can_answer_with(c.policy, o->action)) {
      until = "until " + local_moment(c, o->until, d.now) + " (override)";
    } else if (const auto change = next_change(c, {at, active, {}, via}, answer_horizon)) {
      until = "until " + local_moment(c, *change, d.now);
    } else {
      until = "no change within 7 days";
    }
    out += fmt::format(R"(<li class="answer {}"><span class="via">{}</span> <strong class="action">{}</strong> )"
                       R"(<span class="reason">{}</span> <span class="until">{}</span></li>)",
                       action_name(dec.action), via_name(via), action_words(dec.action), escaped(reason), until);
  }
  out += "</ul></td>";
  const auto threshold = c.policy.overflow_threshold;
  if (threshold && static_cast<std::int64_t>(active) >= static_cast<std::int64_t>(*threshold)) {
    // At the threshold the clinic counts as busy: what the overflow rules see.
    out += fmt::format(R"(<td data-label="Active calls"><strong class="busy">{} of {}</strong>)"
                       R"(<div class="note">busy: at or over the overflow threshold</div></td>)",
                       active, *threshold);
  } else {
    out += fmt::format(R"(<td data-label="Active calls">{}{}</td>)", active,
                       threshold ? fmt::format(" of {}", *threshold) : "");
  }
  out += R"(<td data-label="Override">)";
  if (o) {
    out += fmt::format(R"(<span class="override">{} until {}</span><div class="reason">{}</div>)",
                       action_words(o->action), local_moment(c, o->until, d.now), escaped(o->reason));
  } else {
    out += "none";
  }
  out += "</td></tr>\n";
}

bool matches(const runtime_clinic& c, std::string_view q) {
  if (q.empty()) return true;
  const auto lower = [](std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  const std::string needle = lower(std::string(q));
  if (lower(c.policy.id).find(needle) != std::string::npos) return true;
  if (lower(c.policy.name).find(needle) != std::string::npos) return true;
  for (const auto* list : {&c.policy.ported, &c.policy.forwarded, &c.policy.sip_users}) {
    for (const std::string& n : *list) {
      if (lower(n).find(needle) != std::string::npos) return true;
    }
  }
  return false;
}

// The rows for `q`; `shown` and `total` count them.
std::string now_rows(const page_data& d, std::string_view q, std::string_view only, std::size_t& shown,
                     std::size_t& total) {
  std::string out;
  shown = total = 0;
  if (!d.set) return out;
  for (const runtime_clinic& c : d.set->clinics()) {
    if (!only.empty() ? c.policy.id != only : !matches(c, q)) continue;
    ++total;
    if (shown >= rows_at_most) continue;
    clinic_row(out, c, d);
    ++shown;
  }
  return out;
}

std::string reload_banner(const page_data& d) {
  if (d.last_reload.ok) return {};
  std::size_t errors = 0;
  for (const diagnostic& x : d.last_reload.diagnostics) errors += x.level == severity::error ? 1 : 0;
  std::string out = R"(<div class="banner" role="alert"><strong>The last reload was not applied:</strong> )";
  esc(out, d.last_reload.error.empty() ? fmt::format("{} error(s)", errors) : d.last_reload.error);
  out += R"(. The last good set keeps serving. <a href="/reloads">See the diagnostics</a>.)";
  for (const diagnostic& x : d.last_reload.diagnostics) {
    if (x.level != severity::error) continue;
    out += fmt::format(R"(<div class="diagnostic">{}:{}:{}: error[{}]: {}</div>)", escaped(x.where.file), x.where.line,
                       x.where.column, escaped(x.code), escaped(x.message));
  }
  out += "</div>\n";
  return out;
}

std::string now_table(const page_data& d, std::string_view rows) {
  std::string out = R"(<table class="clinics cards"><caption class="visually-hidden">Clinics and who answers their calls now</caption>
<thead><tr><th scope="col">Clinic</th><th scope="col">Local time</th><th scope="col">Who answers now</th>)"
                    R"(<th scope="col">Active calls</th><th scope="col">Override</th></tr></thead>
<tbody id="rows" aria-live="polite">)";
  out += rows;
  out += "</tbody></table>\n";
  (void)d;
  return out;
}

std::string now_page(const page_data& d, std::string_view q) {
  std::size_t shown = 0;
  std::size_t total = 0;
  const std::string rows = now_rows(d, q, {}, shown, total);
  std::string body = R"(<h1>Who answers now</h1>
<div id="banner">)" + reload_banner(d) + R"(</div>
<form class="search" role="search" action="/" method="get">
<label for="q">Find a clinic (name, id or number)</label>
<input id="q" name="q" type="search" autocomplete="off" value=")" + escaped(q) + R"(">
<button type="submit">Search</button>
</form>
<p id="count" class="count">)" + fmt::format("{} of {} clinic{} shown", shown, total, total == 1 ? "" : "s") +
                     (d.set ? "" : " (no policy set loaded)") + "</p>\n";
  body += now_table(d, rows);
  body += fmt::format(R"(<p class="state">State store: {} {}</p>)", escaped(d.state.backend),
                      d.state.healthy ? "healthy" : "<strong>unreachable: counts are this server's own</strong>");
  // The fleet's AI legs against its capacity: a full one sends calls to
  // each clinic's `unavailable` (docs/operations.md, "AI capacity").
  if (d.ai_capacity > 0) {
    const bool full = d.ai_legs >= static_cast<std::int64_t>(d.ai_capacity);
    body += fmt::format(R"(<p id="ai-legs" class="state">AI legs: {}{} of {} in use{}{}</p>)", full ? "<strong class=\"busy\">" : "",
                        d.ai_legs, d.ai_capacity, full ? ": calls go to each clinic's unavailable action" : "",
                        full ? "</strong>" : "");
  } else {
    body += fmt::format(R"(<p id="ai-legs" class="state">AI legs: {} in use (no fleet capacity set)</p>)", d.ai_legs);
  }
  return page("Who answers now", body);
}

std::string reloads_page(const page_data& d) {
  const reload_report& r = d.last_reload;
  std::string body = "<h1>Reloads</h1>";
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const diagnostic& x : r.diagnostics) (x.level == severity::error ? errors : warnings) += 1;
  body += fmt::format(R"(<p id="reload-result" class="{}">Last reload at {}: <strong>{}</strong>{}. {} error{}, {} warning{}.</p>)",
                      r.ok ? "ok" : "failed", escaped(rfc3339_utc(r.at)),
                      r.ok ? "applied" : "not applied, the last good set keeps serving",
                      r.error.empty() ? "" : " (" + escaped(r.error) + ")", errors, errors == 1 ? "" : "s", warnings,
                      warnings == 1 ? "" : "s");
  // As `check` prints them: the files read again for the source lines.
  source_texts texts;
  for (const diagnostic& x : r.diagnostics) {
    if (texts.count(x.where.file)) continue;
    std::ifstream in(x.where.file, std::ios::binary);
    std::stringstream text;
    if (in) text << in.rdbuf();
    texts.emplace(x.where.file, text.str());
  }
  body += R"(<pre class="diagnostics" id="diagnostics">)" + escaped(render_text(r.diagnostics, texts, false)) + "</pre>";
  return page("Reloads", body);
}

void html(response& out, std::string body) {
  out.status = 200;
  out.content_type = "text/html; charset=utf-8";
  out.body = std::move(body);
}

std::string param(std::string_view query, std::string_view name) {
  return std::string(query_value(std::string("?") + std::string(query), name));
}

}  // namespace page_parts

using namespace page_parts;

void serve_status_page(endpoint_id which, std::string_view segment, std::string_view query,
                       const std::function<page_data()>& gather, response& out) {
  switch (which) {
    case endpoint_id::page_script:
      out.status = 200;
      out.content_type = "text/javascript; charset=utf-8";
      out.body.assign(status_page_script());
      return;
    case endpoint_id::page_style:
      out.status = 200;
      out.content_type = "text/css; charset=utf-8";
      out.body.assign(status_page_style());
      return;
    case endpoint_id::status_page:
      return html(out, now_page(gather(), param(query, "q")));
    case endpoint_id::reloads_page:
      return html(out, reloads_page(gather()));
    case endpoint_id::inbox_page: {
      const std::string state = param(query, "state");
      return html(out, inbox_page(gather(), param(query, "clinic"), state == "done" ? "done" : "open"));
    }
    case endpoint_id::page_rows: {
      const page_data d = gather();
      std::size_t shown = 0;
      std::size_t total = 0;
      const std::string rows = now_rows(d, param(query, "q"), param(query, "clinic"), shown, total);
      const nlohmann::json j{{"rows", rows},
                             {"count", fmt::format("{} of {} clinic{} shown", shown, total, total == 1 ? "" : "s")},
                             {"banner", reload_banner(d)}};
      out.status = 200;
      out.content_type = "application/json";
      out.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
    case endpoint_id::clinic_page: {
      const page_data d = gather();
      const runtime_clinic* c = d.set ? d.set->find_by_id(segment) : nullptr;
      if (!c) {
        out.status = 404;
        out.content_type = "text/html; charset=utf-8";
        out.body = page("No such clinic", "<h1>No such clinic</h1><p>The loaded set has no clinic '" +
                                              escaped(segment) + "'. <a href=\"/\">All clinics</a></p>");
        return;
      }
      const dry_run_inputs in{param(query, "at"), param(query, "via"), param(query, "calls"), param(query, "caller")};
      const bool ran = !in.at.empty() || !in.via.empty() || !in.calls.empty() || !in.caller.empty();
      return html(out, clinic_page(d, *c, in, ran));
    }
    default:
      out.status = 404;
      out.content_type = "text/plain";
      out.body = "not found\n";
  }
}

}  // namespace callpolicy::server
