// The bundle written: every compiled clinic and calendar of a set as JSON.
#include "model/bundle.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace callpolicy {
namespace {

using json = nlohmann::ordered_json;


json windows_json(const std::vector<window>& windows) {
  json out = json::array();
  for (const window& w : windows) out.push_back(format_clock(w.start) + "-" + format_clock(w.end));
  return out;
}

json range_json(const date_range& r) {
  return r.first == r.last ? json(format_date(r.first))
                           : json(format_date(r.first) + ".." + format_date(r.last));
}

std::string days_text(day_mask days) {
  std::string out;
  for (int d = 0; d < 7; ++d) {
    if (!(days & day_bit(d))) continue;
    if (!out.empty()) out += ',';
    out += weekday_name(d);
  }
  return out;
}

json holiday_json(const holiday_rule& h) {
  json j;
  switch (h.type) {
    case holiday_rule::kind::dates:
      j["dates"] = range_json(h.dates);
      break;
    case holiday_rule::kind::yearly_date:
      j["yearly"] = fmt::format("{:02}-{:02}", h.month, h.day);
      break;
    case holiday_rule::kind::yearly_nth:
      j["yearly_nth"] = {{"nth", h.nth}, {"weekday", weekday_name(h.weekday)}, {"month", h.month}};
      break;
    case holiday_rule::kind::easter:
      j[h.orthodox ? "orthodox_easter" : "easter"] = h.offset;
      break;
    case holiday_rule::kind::yearly_before:
    case holiday_rule::kind::yearly_after:
    {
      json beside = {{"weekday", weekday_name(h.weekday)}};
      if (h.nth >= 1) beside["nth"] = h.nth;
      if (h.anchor_nth != 0) {
        beside["anchor"] = {{"nth", h.anchor_nth}, {"weekday", weekday_name(h.anchor_weekday)}, {"month", h.month}};
      } else {
        beside["date"] = fmt::format("{:02}-{:02}", h.month, h.day);
      }
      j[h.type == holiday_rule::kind::yearly_before ? "yearly_before" : "yearly_after"] = std::move(beside);
      break;
    }
  }
  j["label"] = h.label;
  if (h.from_year != 0) j["from"] = h.from_year;
  if (h.until_year != 0) j["until"] = h.until_year;
  if (h.every_years != 0) j["every_years"] = h.every_years;
  if (!h.source.text.empty()) j["source"] = h.source.text;
  json observed = json::object();
  for (int d = 0; d < 7; ++d) {
    const int shift = h.observed[static_cast<std::size_t>(d)];
    if (shift != 0) observed[std::string(weekday_name(d))] = weekday_name((d + shift + 7) % 7);
  }
  if (!observed.empty()) j["observed"] = std::move(observed);
  return j;
}

json holidays_json(const std::vector<holiday_rule>& rules) {
  json out = json::array();
  for (const holiday_rule& h : rules) out.push_back(holiday_json(h));
  return out;
}

void write_tree(json& j, const std::vector<tree_node>& tree_nodes, const std::vector<tree_leaf>& tree_leaves,
                tree_target root) {
  json nodes = json::array();
  for (const tree_node& n : tree_nodes) nodes.push_back({n.predicate, n.if_true, n.if_false});
  j["nodes"] = nodes;
  json leaves = json::array();
  for (const tree_leaf& l : tree_leaves) leaves.push_back({{"action", action_name(l.action)}, {"reason", l.reason}});
  j["leaves"] = leaves;
  j["root"] = root;
}

json predicate_json(const predicate& p) {
  json j;
  j["kind"] = predicate_kind_name(p.type);
  switch (p.type) {
    case predicate::kind::calls_at_least:
    case predicate::kind::wait_above:
    case predicate::kind::wait_at_least: j["threshold"] = p.threshold; break;
    case predicate::kind::caller_in:
    case predicate::kind::transfer_to: j["callers"] = p.callers; break;
    case predicate::kind::via_in: {
      json vias = json::array();
      for (int v = 0; v < 3; ++v) {
        if (p.vias & via_bit(static_cast<via_kind>(v))) vias.push_back(via_name(static_cast<via_kind>(v)));
      }
      j["vias"] = vias;
      break;
    }
    case predicate::kind::during:
      j["days"] = days_text(p.days);
      j["windows"] = windows_json(p.windows);
      break;
    case predicate::kind::on_dates: j["dates"] = range_json(p.dates); break;
    default: break;
  }
  return j;
}

json clinic_json(const compiled_clinic& c) {
  json j;
  j["id"] = c.id;
  j["name"] = c.name;
  j["timezone"] = c.timezone;
  j["language"] = c.language;
  j["voice"] = c.voice;
  j["numbers"] = {{"ported", c.ported}, {"forwarded", c.forwarded}, {"sip", c.sip_users}};
  json hours = json::object();
  for (int d = 0; d < 7; ++d) hours[std::string(weekday_name(d))] = windows_json(c.weekly_hours[d]);
  j["hours"] = hours;
  json special = json::array();
  for (const special_day& s : c.specials) {
    special.push_back({{"date", format_date(s.date)}, {"windows", windows_json(s.windows)}});
  }
  j["special"] = special;
  j["holidays"] = holidays_json(c.holidays);
  j["overflow"] = c.overflow_threshold ? json(*c.overflow_threshold) : json(nullptr);
  j["lines"] = c.lines;
  json schedule = json::array();
  for (const schedule_rule& r : c.schedule) {
    json line{{"enable", r.enable}};
    if (r.days) line["days"] = days_text(*r.days);
    if (r.dates) line["dates"] = range_json(*r.dates);
    line["windows"] = windows_json(r.windows);
    schedule.push_back(line);
  }
  j["schedule"] = schedule;
  j["mode"] = c.mode;
  j["fallback"] = action_name(c.fallback);
  j["unreachable"] = action_name(c.unreachable);
  json predicates = json::array();
  for (const predicate& p : c.predicates) predicates.push_back(predicate_json(p));
  j["predicates"] = predicates;
  write_tree(j, c.nodes, c.leaves, c.root);
  if (c.transfer.configured) {
    json transfer;
    write_tree(transfer, c.transfer.nodes, c.transfer.leaves, c.transfer.root);
    j["transfer"] = transfer;
  }
  static constexpr std::array<std::string_view, 3> ai_kinds{"default", "sip", "redirect"};
  j["ai"] = {{"kind", ai_kinds.at(static_cast<std::size_t>(c.ai.type))},
             {"target", c.ai.target},
             {"timeout", c.ai.timeout_seconds},
             {"unavailable", action_name(c.ai.unavailable)},
             {"capacity", c.ai.capacity}};
  j["forward"] = {{"number", c.forward.number},
                  {"say", c.forward.say},
                  {"timeout", c.forward.timeout_seconds},
                  {"unanswered", action_name(c.forward.unanswered)},
                  {"caller_id", c.forward.caller_id},
                  {"screen", c.forward.screen}};
  if (c.menu.configured) {
    json keys = json::object();
    for (std::size_t k = 0; k < menu_key_count; ++k) {
      if (c.menu.keys[k]) keys[std::string(1, menu_key_char(k))] = action_name(*c.menu.keys[k]);
    }
    j["menu"] = {{"say", c.menu.say},
                 {"timeout", c.menu.timeout_seconds},
                 {"keys", keys},
                 {"on_timeout", action_name(c.menu.on_timeout)}};
  } else {
    j["menu"] = nullptr;
  }
  j["callback"] = {{"say", c.callback.say},
                   {"confirm", c.callback.confirm},
                   {"timeout", c.callback.timeout_seconds},
                   {"otherwise", action_name(c.callback.otherwise)}};
  if (!c.notify_url.empty()) j["notify_url"] = c.notify_url;
  j["region"] = c.region;
  j["file"] = c.source_file;
  j["voicemail"] = {{"greeting", c.voicemail.greeting}, {"max", c.voicemail.max_seconds}};
  j["busy"] = {{"say", c.busy.say}, {"reject", c.busy.reject}};
  return j;
}

}  // namespace

std::string write_bundle(const compiled_set& set) {
  json j;
  j["format"] = bundle_format;
  j["compiler_version"] = set.compiler_version;
  json sources = json::array();
  for (const source_hash& s : set.sources) sources.push_back({{"file", s.file}, {"sha256", s.sha256}});
  j["sources"] = sources;
  json calendars = json::array();
  for (const compiled_calendar& c : set.calendars) {
    calendars.push_back({{"name", c.name}, {"holidays", holidays_json(c.holidays)}});
  }
  j["calendars"] = calendars;
  json clinics = json::array();
  for (const compiled_clinic& c : set.clinics) clinics.push_back(clinic_json(c));
  j["clinics"] = clinics;
  // A file name need not be UTF-8: such bytes are replaced, never thrown on.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace callpolicy
