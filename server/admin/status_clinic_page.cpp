// A clinic's page of the status page: who answers now, the override form,
// the week, days ahead, numbers, the dry run of `eval --explain` and the
// recent decisions this server keeps in memory.
#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/explain.h"
#include "compiler/parser.h"
#include "model/time_tables.h"
#include "model/zones.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"
#include "runtime/week_render.h"
#include "server/admin/status_page_parts.h"

namespace callpolicy::server::page_parts {
namespace {

// This server's last decisions for the clinic, newest first, from memory.
std::string recent_decisions_table(const page_data& d, const runtime_clinic& c) {
  std::string out = fmt::format(
      R"(<table class="decisions cards"><caption>Last decisions on this server</caption><thead><tr>)"
      R"(<th scope="col">Time ({})</th><th scope="col">Call</th><th scope="col">Caller</th>)"
      R"(<th scope="col">Step</th><th scope="col">Action</th><th scope="col">Reason</th></tr></thead><tbody>)",
      escaped(c.policy.timezone));
  const std::vector<recent_decision> rows = d.recent ? d.recent->of(c.policy.id) : std::vector<recent_decision>{};
  if (rows.empty())
    out += R"(<tr><td colspan="6">No call for this clinic since this server started.</td></tr>)";
  for (const recent_decision& r : rows) {
    const std::chrono::system_clock::time_point at{std::chrono::milliseconds{r.time_ms}};
    out += fmt::format(
        R"(<tr><td data-label="Time">{}</td><td data-label="Call" class="call-sid">{}</td>)"
        R"(<td data-label="Caller">{}</td><td data-label="Step">{}</td><td data-label="Action">{}</td>)"
        R"(<td data-label="Reason">{}</td></tr>)",
        local_timestamp(c, at), escaped(r.call_sid), escaped(r.caller.empty() ? "unknown" : r.caller),
        escaped(r.step), escaped(r.action), escaped(r.reason));
  }
  return out + "</tbody></table>\n";
}

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
      instant =
          std::chrono::sys_seconds{std::chrono::seconds{local - *parsed->offset_minutes * 60}};
    } else {
      const local_resolution r = resolve_local_time(c.zone, local);
      if (r.type == local_resolution::kind::nonexistent) {
        return fail(in.at + " does not exist in " + c.policy.timezone +
                    " (the clocks skip it for daylight saving)");
      }
      instant = r.instant;
    }
  }
  const via_kind via = in.via.empty() ? default_via(c.policy)
                                      : via_from_name(in.via).value_or(default_via(c.policy));
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
  if (!in.caller.empty() && caller.empty())
    return fail("'" + in.caller + "' is not a phone number");
  decision dec = decide(c, {instant, calls, caller, via});
  std::string reason(dec.reason);
  const clinic_override* o =
      override_of(d.overrides, c.policy.id, std::chrono::system_clock::time_point{instant});
  if (o && can_answer_with(c.policy, o->action)) {
    dec.action = o->action;
    reason = o->decision_reason();
  }
  const decision shown{dec.action, reason};
  std::string twiml;
  write_twiml(twiml, c, shown,
              {via, in.caller.empty() ? via != via_kind::sip : is_e164(in.caller), false, instant, caller, {}},
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
      explanation why = explain_call(
          *source, c.policy, *c.tables,
          {local.date, static_cast<std::uint16_t>(local.seconds / 60), calls, caller, via});
      if (o) {
        why.decided_by = "override";
        for (auto& r : why.rules) r.decided = false;
        why.facts.insert(why.facts.begin(), {"override", true, o->decision_reason()});
      }
      why_text = explanation_text(why);
    }
  }
  if (why_text.empty())
    why_text = "(the clinic's file has changed or cannot be read: no explanation of the rules)";
  out += R"(<h4>Why</h4><pre class="why">)" + escaped(why_text) + "</pre>";
  out += R"(<h4>TwiML</h4><pre class="twiml">)" + escaped(twiml) + "</pre></section>";
  return out;
}

}  // namespace

std::string clinic_page(const page_data& d, const runtime_clinic& c, const dry_run_inputs& in,
                        bool ran) {
  const compiled_clinic& p = c.policy;
  const std::string id = escaped(p.id);
  std::string body = fmt::format(R"(<h1>{}</h1><p class="id">{} · {}</p>)", escaped(p.name), id,
                                 escaped(p.timezone));
  body += R"(<div id="banner">)" + reload_banner(d) + "</div>";
  std::size_t shown = 0;
  std::size_t total = 0;
  body += R"(<section aria-labelledby="now-h"><h2 id="now-h">Who answers now</h2>)";
  body += now_table(d, now_rows(d, {}, p.id, shown, total));
  body += "</section>";

  // The override: set and cleared through the admin API with the bearer token.
  body += fmt::format(
      R"(<section aria-labelledby="ov-h"><h2 id="ov-h">Emergency override</h2>
<form id="override" data-clinic="{}" class="override-form">
<p>Every call answered one way until a time, whatever the policy says.{}</p>
<div><label for="ov-action">Answer with</label>
<select id="ov-action" name="action">)",
      id,
      d.admin_writes
          ? ""
          : " <strong>Admin writes are off on this server (no --admin-token-file).</strong>");
  for (const action_kind a : {action_kind::voicemail, action_kind::ai, action_kind::forward,
                              action_kind::busy, action_kind::menu, action_kind::callback}) {
    if (!can_answer_with(p, a)) continue;
    body += fmt::format(R"(<option value="{}">{}</option>)", action_name(a), action_words(a));
  }
  body +=
      R"(</select></div>
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
  body +=
      R"(<section aria-labelledby="days-h"><h2 id="days-h">Holidays and special days ahead</h2><ul class="days">)";
  std::size_t listed = 0;
  for (day_number day = today; day < today + 366 && listed < 30; ++day) {
    const bool special = std::any_of(p.specials.begin(), p.specials.end(),
                                     [&](const special_day& s) { return s.date == day; });
    const bool holiday = is_holiday(*c.tables, day);
    if (!special && !holiday) continue;
    ++listed;
    std::string what;
    if (holiday) what = holiday_names(p, day) + ": closed";
    if (special) {
      const auto s = std::find_if(p.specials.begin(), p.specials.end(),
                                  [&](const special_day& x) { return x.date == day; });
      std::string windows;
      for (const window& win : s->windows) {
        windows +=
            (windows.empty() ? "" : ", ") + format_clock(win.start) + "-" + format_clock(win.end);
      }
      what = "special hours: " + (windows.empty() ? std::string("closed") : windows);
    }
    body += fmt::format("<li><time datetime=\"{0}\">{0}</time> {1}</li>", format_date(day),
                        escaped(what));
  }
  if (listed == 0) body += "<li>None in the next year.</li>";
  body += "</ul></section>";

  // Numbers and SIP users.
  body +=
      R"(<section aria-labelledby="numbers-h"><h2 id="numbers-h">Numbers</h2><ul class="numbers">)";
  for (const std::string& n : p.ported) body += "<li>ported " + escaped(n) + "</li>";
  for (const std::string& n : p.forwarded) body += "<li>forwarded " + escaped(n) + "</li>";
  for (const std::string& n : p.sip_users) body += "<li>SIP user " + escaped(n) + "</li>";
  if (p.ported.empty() && p.forwarded.empty() && p.sip_users.empty()) body += "<li>none</li>";
  body += "</ul></section>";

  // The dry run.
  body += fmt::format(
      R"(<section aria-labelledby="dry-h"><h2 id="dry-h">What happens if someone calls at…</h2>
<form id="dry" class="dry" action="/clinics/{}" method="get">
<div><label for="dry-at">Local time ({}), or now</label>
<input id="dry-at" name="at" type="text" placeholder="2026-12-24T18:00" value="{}"></div>
<div><label for="dry-via">Via</label><select id="dry-via" name="via">)",
      url_part(p.id), escaped(p.timezone), escaped(in.at.empty() ? "now" : in.at));
  for (const via_kind v : {via_kind::ported, via_kind::forwarded, via_kind::sip}) {
    const bool selected = in.via.empty() ? v == default_via(p) : via_name(v) == in.via;
    body += fmt::format(R"(<option value="{0}"{1}>{0}</option>)", via_name(v),
                        selected ? " selected" : "");
  }
  body += fmt::format(R"(</select></div>
<div><label for="dry-calls">Calls already active</label><input id="dry-calls" name="calls" type="number" min="0" value="{}"></div>
<div><label for="dry-caller">Caller (optional)</label><input id="dry-caller" name="caller" type="tel" value="{}"></div>
<div class="buttons"><button type="submit" id="dry-run">Try it</button></div>
</form>)",
                      escaped(in.calls.empty() ? "0" : in.calls), escaped(in.caller));
  if (ran) body += dry_run(d, c, in);
  body += "</section>";

  // The clinic's open messages; the inbox page has them all, and the done ones.
  std::vector<inbox_item> open = d.inbox ? d.inbox(c.policy.id, inbox_state::open) : std::vector<inbox_item>{};
  const std::size_t waiting = open.size();
  constexpr std::size_t shown_at_most = 10;
  if (open.size() > shown_at_most) open.resize(shown_at_most);
  body += fmt::format(R"(<section aria-labelledby="inbox-h" id="inbox" data-clinic="{}"><h2 id="inbox-h">Inbox: {} open</h2>)",
                      escaped(c.policy.id), waiting);
  if (!open.empty()) body += inbox_token_form(d);
  body += inbox_list(d, open, false);
  body += fmt::format(R"(<p><a href="/inbox?clinic={}">The whole inbox, done items too</a></p></section>)",
                      url_part(c.policy.id));

  body += R"(<section aria-labelledby="recent-h"><h2 id="recent-h">Recent decisions</h2>)" +
          recent_decisions_table(d, c) + "</section>";
  return page(p.name, body);
}

}  // namespace callpolicy::server::page_parts
