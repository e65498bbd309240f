#include "server/status_page.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/diagnostic_render.h"
#include "compiler/explain.h"
#include "compiler/parser.h"
#include "model/time_tables.h"
#include "model/zones.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"
#include "runtime/week_render.h"
#include "server/form.h"
#include "server/journal.h"
#include "server/webhooks.h"

namespace callpolicy::server {

std::string_view status_page_script();
std::string_view status_page_style();

namespace {

constexpr std::size_t rows_at_most = 200;

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
<header><nav aria-label="Pages"><a href="/">Now</a> <a href="/reloads">Reloads</a></nav></header>
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

// "Tue 14:05", in the clinic's zone.
std::string local_clock(const runtime_clinic& c, std::chrono::sys_seconds at) {
  const local_parts local = to_local(c.zone, at);
  std::string day(weekday_name(weekday_of(local.date)));
  day[0] = static_cast<char>(day[0] - 'a' + 'A');
  return fmt::format("{} {}", day, format_clock(static_cast<std::uint16_t>(local.seconds / 60)));
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
    out += fmt::format(R"(<li class="answer {}"><span class="via">{}</span> <strong class="action">{}</strong> )"
                       R"(<span class="reason">{}</span></li>)",
                       action_name(dec.action), via_name(via), action_words(dec.action), escaped(reason));
  }
  out += "</ul></td>";
  out += fmt::format(R"(<td data-label="Active calls">{}{}</td>)", active,
                     c.policy.overflow_threshold ? fmt::format(" of {}", *c.policy.overflow_threshold) : "");
  out += R"(<td data-label="Override">)";
  if (o) {
    out += fmt::format(R"(<span class="override">{} until {}</span><div class="reason">{}</div>)",
                       action_words(o->action), escaped(rfc3339_utc(o->until)), escaped(o->reason));
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
  std::string out = R"(<table class="clinics"><caption class="visually-hidden">Clinics and who answers their calls now</caption>
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
  return page("Who answers now", body);
}

std::string recent_decisions(const page_data& d, const std::string& clinic) {
  std::string out = R"(<table class="decisions"><caption>Last decisions</caption><thead><tr><th scope="col">Time (UTC)</th>)"
                    R"(<th scope="col">Caller</th><th scope="col">Via</th><th scope="col">Action</th><th scope="col">Reason</th></tr></thead><tbody>)";
  if (d.journal_path.empty()) return out + R"(<tr><td colspan="5">The journal is off (--journal '').</td></tr></tbody></table>)";
  const std::string needle = fmt::format("\"clinic\":\"{}\"", clinic);
  const auto lines = journal::last_lines(d.journal_path, 50, 32u << 20, [&](std::string_view line) {
    return line.find(needle) != std::string_view::npos &&
           (line.find("\"type\":\"call\"") != std::string_view::npos ||
            line.find("\"type\":\"dial_status\"") != std::string_view::npos ||
            line.find("\"type\":\"menu\"") != std::string_view::npos);
  });
  if (lines.empty()) out += R"(<tr><td colspan="5">No decision for this clinic in the journal's last 32 MB.</td></tr>)";
  for (const std::string& line : lines) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    const auto text = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
    const std::int64_t ms = j.contains("time_ms") && j["time_ms"].is_number_integer() ? j["time_ms"].get<std::int64_t>() : 0;
    const std::string type = text("type");
    const std::string via = type == "call" ? text("via") : type == "menu" ? "menu " + text("digits") : "dial " + text("dial_call_status");
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                       escaped(rfc3339_utc(std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}})),
                       escaped(text("from")), escaped(via), escaped(text("action")), escaped(text("reason")));
  }
  return out + "</tbody></table>\n";
}

struct dry_run_inputs {
  std::string at;
  std::string via;
  std::string calls;
  std::string caller;
};

// The same dry run as `eval --explain`: the decision, the local time, why,
// and the TwiML the server would answer.
std::string dry_run(const page_data& d, const runtime_clinic& c, const dry_run_inputs& in) {
  std::string out = R"(<section aria-labelledby="dry-result"><h3 id="dry-result">Result</h3>)";
  const auto fail = [&](const std::string& why) {
    return out + R"(<p class="error" role="alert">)" + escaped(why) + "</p></section>";
  };
  std::chrono::sys_seconds instant = std::chrono::floor<std::chrono::seconds>(d.now);
  if (!in.at.empty() && in.at != "now") {
    const auto parsed = parse_date_time(in.at);
    if (!parsed) return fail("'" + in.at + "' is not a time like 2026-12-24T18:00");
    const std::int64_t local = std::int64_t{parsed->date} * 86400 + parsed->seconds;
    if (parsed->offset_minutes) {
      instant = std::chrono::sys_seconds{std::chrono::seconds{local - *parsed->offset_minutes * 60}};
    } else {
      const local_resolution r = resolve_local_time(c.zone, local);
      if (r.type == local_resolution::kind::nonexistent) {
        return fail(in.at + " does not exist in " + c.policy.timezone + " (the clocks skip it for daylight saving)");
      }
      instant = r.instant;
    }
  }
  const via_kind via = in.via.empty() ? default_via(c.policy) : via_from_name(in.via).value_or(default_via(c.policy));
  std::int32_t calls = 0;
  if (!in.calls.empty()) {
    try {
      calls = std::max(0, std::stoi(in.calls));
    } catch (const std::exception&) {
      return fail("calls must be a whole number");
    }
  }
  std::string caller_buffer;
  const std::string_view caller = caller_e164(in.caller, c.policy.region, caller_buffer);
  if (!in.caller.empty() && caller.empty()) return fail("'" + in.caller + "' is not a phone number");
  decision dec = decide(c, {instant, calls, caller, via});
  std::string reason(dec.reason);
  const clinic_override* o = override_of(d.overrides, c.policy.id, std::chrono::system_clock::time_point{instant});
  if (o && can_answer_with(c.policy, o->action)) {
    dec.action = o->action;
    reason = o->decision_reason();
  }
  const decision shown{dec.action, reason};
  std::string twiml;
  write_twiml(twiml, c, shown, {via, in.caller.empty() ? via != via_kind::sip : is_e164(in.caller)},
              {d.public_url, {}, {}});
  out += "<dl class=\"result\">";
  out += fmt::format(R"(<dt>Action</dt><dd id="dry-action">{}</dd>)", action_name(dec.action));
  out += fmt::format(R"(<dt>Reason</dt><dd id="dry-reason">{}</dd>)", escaped(reason));
  out += fmt::format(R"(<dt>Via</dt><dd>{}</dd>)", via_name(via));
  out += fmt::format(R"(<dt>Local time</dt><dd>{}</dd>)", escaped(format_local_time(c, instant)));
  out += fmt::format(R"(<dt>Calls already active</dt><dd>{}</dd>)", calls);
  if (!caller.empty()) out += fmt::format(R"(<dt>Caller</dt><dd>{}</dd>)", escaped(caller));
  out += "</dl>";
  // Why: the rules need the source; the file is read again as it is now.
  std::string why_text;
  std::ifstream in_file(c.policy.source_file, std::ios::binary);
  if (in_file) {
    std::stringstream text;
    text << in_file.rdbuf();
    diagnostic_sink sink;
    const ast::policy_file parsed = parse_policy(c.policy.source_file, text.str(), sink);
    const auto source = std::find_if(parsed.clinics.begin(), parsed.clinics.end(),
                                     [&](const ast::clinic& x) { return x.id == c.policy.id; });
    if (source != parsed.clinics.end() && !sink.has_errors()) {
      const local_parts local = to_local(c.zone, instant);
      explanation why = explain_call(*source, c.policy, *c.tables,
                                     {local.date, static_cast<std::uint16_t>(local.seconds / 60), calls, caller, via});
      if (o) {
        why.decided_by = "override";
        for (auto& r : why.rules) r.decided = false;
        why.facts.insert(why.facts.begin(), {"override", true, o->decision_reason()});
      }
      why_text = explanation_text(why);
    }
  }
  if (why_text.empty()) why_text = "(the clinic's file has changed or cannot be read: no explanation of the rules)";
  out += R"(<h4>Why</h4><pre class="why">)" + escaped(why_text) + "</pre>";
  out += R"(<h4>TwiML</h4><pre class="twiml">)" + escaped(twiml) + "</pre></section>";
  return out;
}

std::string clinic_page(const page_data& d, const runtime_clinic& c, const dry_run_inputs& in, bool ran) {
  const compiled_clinic& p = c.policy;
  const std::string id = escaped(p.id);
  std::string body = fmt::format(R"(<h1>{}</h1><p class="id">{} · {}</p>)", escaped(p.name), id, escaped(p.timezone));
  body += R"(<div id="banner">)" + reload_banner(d) + "</div>";
  std::size_t shown = 0;
  std::size_t total = 0;
  body += R"(<section aria-labelledby="now-h"><h2 id="now-h">Who answers now</h2>)";
  body += now_table(d, now_rows(d, {}, p.id, shown, total));
  body += "</section>";

  // The override: set and cleared through the admin API with the bearer token.
  body += fmt::format(R"(<section aria-labelledby="ov-h"><h2 id="ov-h">Emergency override</h2>
<form id="override" data-clinic="{}" class="override-form">
<p>Every call answered one way until a time, whatever the policy says.{}</p>
<div><label for="ov-action">Answer with</label>
<select id="ov-action" name="action">)",
                      id, d.admin_writes ? "" : " <strong>Admin writes are off on this server (no --admin-token-file).</strong>");
  for (const action_kind a : {action_kind::voicemail, action_kind::ai, action_kind::forward, action_kind::busy, action_kind::menu}) {
    if (!can_answer_with(p, a)) continue;
    body += fmt::format(R"(<option value="{}">{}</option>)", action_name(a), action_words(a));
  }
  body += R"(</select></div>
<div><label for="ov-hours">For how long</label>
<select id="ov-hours" name="hours"><option value="1">1 hour</option><option value="2" selected>2 hours</option>)"
          R"(<option value="4">4 hours</option><option value="8">8 hours</option><option value="24">24 hours</option></select></div>
<div><label for="ov-reason">Reason (shown in every call's log)</label>
<input id="ov-reason" name="reason" type="text" maxlength="200" required></div>
<div><label for="ov-token">Admin token</label>
<input id="ov-token" name="token" type="password" autocomplete="off" required></div>
<div class="buttons"><button type="submit" id="ov-set">Set override</button>
<button type="button" id="ov-clear">Clear override</button></div>
<p id="ov-status" role="status" aria-live="polite"></p>
</form></section>)";

  // The week, as `callpolicy week --format svg` draws it.
  const auto today = to_local(c.zone, std::chrono::floor<std::chrono::seconds>(d.now)).date;
  week_options w;
  w.from = today;
  w.via = default_via(p);
  const week_grid grid = compute_week(c, w);
  body += R"(<section aria-labelledby="week-h"><h2 id="week-h">This week</h2><div class="week">)";
  body += render_week_svg(c, grid, w);
  body += "</div></section>";

  // Holidays and special days in the next year.
  body += R"(<section aria-labelledby="days-h"><h2 id="days-h">Holidays and special days ahead</h2><ul class="days">)";
  std::size_t listed = 0;
  for (day_number day = today; day < today + 366 && listed < 30; ++day) {
    const bool special = std::any_of(p.specials.begin(), p.specials.end(), [&](const special_day& s) { return s.date == day; });
    const bool holiday = is_holiday(*c.tables, day);
    if (!special && !holiday) continue;
    ++listed;
    std::string what;
    if (holiday) what = holiday_names(p, day) + ": closed";
    if (special) {
      const auto s = std::find_if(p.specials.begin(), p.specials.end(), [&](const special_day& x) { return x.date == day; });
      std::string windows;
      for (const window& win : s->windows) {
        windows += (windows.empty() ? "" : ", ") + format_clock(win.start) + "-" + format_clock(win.end);
      }
      what = "special hours: " + (windows.empty() ? std::string("closed") : windows);
    }
    body += fmt::format("<li><time datetime=\"{0}\">{0}</time> {1}</li>", format_date(day), escaped(what));
  }
  if (listed == 0) body += "<li>None in the next year.</li>";
  body += "</ul></section>";

  // Numbers and SIP users.
  body += R"(<section aria-labelledby="numbers-h"><h2 id="numbers-h">Numbers</h2><ul class="numbers">)";
  for (const std::string& n : p.ported) body += "<li>ported " + escaped(n) + "</li>";
  for (const std::string& n : p.forwarded) body += "<li>forwarded " + escaped(n) + "</li>";
  for (const std::string& n : p.sip_users) body += "<li>SIP user " + escaped(n) + "</li>";
  if (p.ported.empty() && p.forwarded.empty() && p.sip_users.empty()) body += "<li>none</li>";
  body += "</ul></section>";

  // The dry run.
  body += fmt::format(R"(<section aria-labelledby="dry-h"><h2 id="dry-h">What happens if someone calls at…</h2>
<form id="dry" class="dry" action="/clinics/{}" method="get">
<div><label for="dry-at">Local time ({}), or now</label>
<input id="dry-at" name="at" type="text" placeholder="2026-12-24T18:00" value="{}"></div>
<div><label for="dry-via">Via</label><select id="dry-via" name="via">)",
                      url_part(p.id), escaped(p.timezone), escaped(in.at.empty() ? "now" : in.at));
  for (const via_kind v : {via_kind::ported, via_kind::forwarded, via_kind::sip}) {
    const bool selected = in.via.empty() ? v == default_via(p) : via_name(v) == in.via;
    body += fmt::format(R"(<option value="{0}"{1}>{0}</option>)", via_name(v), selected ? " selected" : "");
  }
  body += fmt::format(R"(</select></div>
<div><label for="dry-calls">Calls already active</label><input id="dry-calls" name="calls" type="number" min="0" value="{}"></div>
<div><label for="dry-caller">Caller (optional)</label><input id="dry-caller" name="caller" type="tel" value="{}"></div>
<div class="buttons"><button type="submit" id="dry-run">Try it</button></div>
</form>)",
                      escaped(in.calls.empty() ? "0" : in.calls), escaped(in.caller));
  if (ran) body += dry_run(d, c, in);
  body += "</section>";

  body += R"(<section aria-labelledby="recent-h"><h2 id="recent-h">Recent decisions</h2>)" +
          recent_decisions(d, p.id) + "</section>";
  return page(p.name, body);
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

}  // namespace

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
