// The bundle read back: every access names its JSON pointer when it fails,
// and a bundle of another format is refused with a clear message.
#include "model/bundle.h"
#include "model/holiday_days.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace callpolicy {
namespace {

using json = nlohmann::ordered_json;


struct bundle_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& pointer, std::string_view what) {
  throw bundle_error(fmt::format("{}: {}", pointer.empty() ? "/" : pointer, what));
}

const json& at(const json& j, const std::string& pointer, const char* key) {
  if (!j.is_object()) fail(pointer, "expected an object");
  const auto it = j.find(key);
  if (it == j.end()) fail(pointer + "/" + key, "missing");
  return *it;
}

std::string text(const json& j, const std::string& pointer) {
  if (!j.is_string()) fail(pointer, "expected a string");
  return j.get<std::string>();
}

template <typename Int>
Int number(const json& j, const std::string& pointer) {
  if (!j.is_number_integer()) fail(pointer, "expected an integer");
  return j.get<Int>();
}

std::vector<std::string> strings(const json& j, const std::string& pointer) {
  if (!j.is_array()) fail(pointer, "expected an array");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(text(j[i], fmt::format("{}/{}", pointer, i)));
  return out;
}

std::uint16_t clock_of(std::string_view t, const std::string& pointer) {
  if (t.size() != 5 || t[2] != ':') fail(pointer, "expected a time like 09:00");
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) fail(pointer, "expected a time like 09:00");
  return static_cast<std::uint16_t>(h * 60 + m);
}

std::vector<window> windows_of(const json& j, const std::string& pointer) {
  std::vector<window> out;
  for (const std::string& w : strings(j, pointer)) {
    if (w.size() != 11 || w[5] != '-') fail(pointer, "expected a window like 09:00-17:00");
    out.push_back({clock_of(std::string_view(w).substr(0, 5), pointer),
                   clock_of(std::string_view(w).substr(6, 5), pointer)});
  }
  return out;
}

day_number date_of(std::string_view t, const std::string& pointer) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') fail(pointer, "expected a date like 2026-12-24");
  try {
    const int y = std::stoi(std::string(t.substr(0, 4)));
    const auto m = static_cast<unsigned>(std::stoi(std::string(t.substr(5, 2))));
    const auto d = static_cast<unsigned>(std::stoi(std::string(t.substr(8, 2))));
    if (!is_valid_civil(y, m, d)) fail(pointer, "not a date of the calendar");
    return days_from_civil(y, m, d);
  } catch (const std::logic_error&) {
    fail(pointer, "expected a date like 2026-12-24");
  }
}

date_range range_of(const json& j, const std::string& pointer) {
  const std::string t = text(j, pointer);
  const auto dots = t.find("..");
  if (dots == std::string::npos) {
    const day_number d = date_of(t, pointer);
    return {d, d};
  }
  return {date_of(std::string_view(t).substr(0, dots), pointer),
          date_of(std::string_view(t).substr(dots + 2), pointer)};
}

day_mask days_of(const json& j, const std::string& pointer) {
  day_mask mask = 0;
  const std::string t = text(j, pointer);
  std::size_t start = 0;
  while (start < t.size()) {
    const std::size_t end = std::min(t.find(',', start), t.size());
    const auto d = weekday_from_name(std::string_view(t).substr(start, end - start));
    if (!d) fail(pointer, "expected days like mon,tue");
    mask |= day_bit(*d);
    start = end + 1;
  }
  return mask;
}

// `MM-DD` as a bundle writes it. A day no year has (02-30) is kept and holds
// on no date: every rule that uses month and day checks the civil date.
std::pair<std::uint8_t, std::uint8_t> day_of_year(const json& j, const std::string& pointer) {
  const std::string md = text(j, pointer);
  if (md.size() != 5 || md[2] != '-') fail(pointer, "expected MM-DD");
  return {static_cast<std::uint8_t>(std::stoi(md.substr(0, 2))), static_cast<std::uint8_t>(std::stoi(md.substr(3, 2)))};
}

// {"sat": "fri", "sun": "mon"}: the weekday a holiday on each day is kept on.
void read_observed(const json& j, const std::string& pointer, holiday_rule& r) {
  if (!j.is_object()) fail(pointer, "expected an object like {\"sun\": \"mon\"}");
  for (const auto& [day, target] : j.items()) {
    const auto from = weekday_from_name(day);
    if (!from) fail(pointer, fmt::format("'{}' is not a day like sat", day));
    const auto to = weekday_from_name(text(target, pointer + "/" + day));
    if (!to || *to == *from) fail(pointer + "/" + day, "expected another day like mon");
    r.observed[static_cast<std::size_t>(*from)] = observed_shift_days(*from, *to);
  }
}

std::vector<holiday_rule> holidays_of(const json& j, const std::string& pointer) {
  if (!j.is_array()) fail(pointer, "expected an array");
  std::vector<holiday_rule> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string p = fmt::format("{}/{}", pointer, i);
    const json& h = j[i];
    holiday_rule r;
    r.label = text(at(h, p, "label"), p + "/label");
    if (h.contains("dates")) {
      r.type = holiday_rule::kind::dates;
      r.dates = range_of(h["dates"], p + "/dates");
    } else if (h.contains("yearly")) {
      r.type = holiday_rule::kind::yearly_date;
      std::tie(r.month, r.day) = day_of_year(h["yearly"], p + "/yearly");
    } else if (h.contains("yearly_nth")) {
      r.type = holiday_rule::kind::yearly_nth;
      const json& n = h["yearly_nth"];
      const std::string np = p + "/yearly_nth";
      r.nth = number<std::int8_t>(at(n, np, "nth"), np + "/nth");
      const auto wd = weekday_from_name(text(at(n, np, "weekday"), np + "/weekday"));
      if (!wd) fail(np + "/weekday", "expected a day like mon");
      r.weekday = static_cast<std::uint8_t>(*wd);
      r.month = number<std::uint8_t>(at(n, np, "month"), np + "/month");
    } else if (h.contains("easter") || h.contains("orthodox_easter")) {
      r.type = holiday_rule::kind::easter;
      r.orthodox = !h.contains("easter");
      const std::string key = r.orthodox ? "orthodox_easter" : "easter";
      r.offset = number<std::int16_t>(h[key], p + "/" + key);
      if (r.offset < -max_easter_offset || r.offset > max_easter_offset) {
        fail(p + "/" + key, fmt::format("expected days from Easter within {} either way", max_easter_offset));
      }
    } else if (h.contains("yearly_before") || h.contains("yearly_after")) {
      const bool before = h.contains("yearly_before");
      r.type = before ? holiday_rule::kind::yearly_before : holiday_rule::kind::yearly_after;
      const std::string bp = p + (before ? "/yearly_before" : "/yearly_after");
      const json& b = h[before ? "yearly_before" : "yearly_after"];
      const auto wd = weekday_from_name(text(at(b, bp, "weekday"), bp + "/weekday"));
      if (!wd) fail(bp + "/weekday", "expected a day like mon");
      r.weekday = static_cast<std::uint8_t>(*wd);
      if (b.contains("nth")) {
        r.nth = number<std::int8_t>(b["nth"], bp + "/nth");
        if (r.nth < 1 || r.nth > 5) fail(bp + "/nth", "expected which such day, 1 to 5");
      }
      if (b.contains("anchor")) {
        const json& a = b["anchor"];
        const std::string ap = bp + "/anchor";
        r.anchor_nth = number<std::int8_t>(at(a, ap, "nth"), ap + "/nth");
        if (r.anchor_nth == 0 || r.anchor_nth < -1 || r.anchor_nth > 5) fail(ap + "/nth", "expected 1 to 5, or -1 for the last");
        const auto anchor_day = weekday_from_name(text(at(a, ap, "weekday"), ap + "/weekday"));
        if (!anchor_day) fail(ap + "/weekday", "expected a day like mon");
        r.anchor_weekday = static_cast<std::uint8_t>(*anchor_day);
        r.month = number<std::uint8_t>(at(a, ap, "month"), ap + "/month");
        if (r.month < 1 || r.month > 12) fail(ap + "/month", "expected a month, 1 to 12");
      } else {
        std::tie(r.month, r.day) = day_of_year(at(b, bp, "date"), bp + "/date");
      }
    } else {
      fail(p, "expected 'dates', 'yearly', 'yearly_nth', 'yearly_before', 'yearly_after', 'easter' or 'orthodox_easter'");
    }
    if (h.contains("from")) r.from_year = number<std::int16_t>(h["from"], p + "/from");
    if (h.contains("until")) r.until_year = number<std::int16_t>(h["until"], p + "/until");
    if (r.from_year != 0 && r.until_year != 0 && r.until_year < r.from_year) fail(p + "/until", "expected a year not before 'from'");
    if (h.contains("every_years")) {
      r.every_years = number<std::uint8_t>(h["every_years"], p + "/every_years");
      if (r.every_years < 2 || r.from_year == 0) fail(p + "/every_years", "expected 2 or more years, counted from 'from'");
    }
    if (h.contains("source")) r.source.text = text(h["source"], p + "/source");
    if (h.contains("observed")) read_observed(h["observed"], p + "/observed", r);
    out.push_back(std::move(r));
  }
  return out;
}

action_kind action_of(const json& j, const std::string& pointer) {
  const auto a = action_from_name(text(j, pointer));
  if (!a) fail(pointer, "expected ai, voicemail, forward, busy, menu, hangup or callback");
  return *a;
}

// A decision tree (the clinic's, or its transfer block's) over `predicates`
// predicates, every edge checked.
void read_tree(const json& j, const std::string& p, std::size_t predicates, std::vector<tree_node>& nodes_out,
               std::vector<tree_leaf>& leaves_out, tree_target& root) {
  const json& leaves = at(j, p, "leaves");
  if (!leaves.is_array() || leaves.empty()) fail(p + "/leaves", "expected a non-empty array");
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    const std::string lp = fmt::format("{}/leaves/{}", p, i);
    leaves_out.push_back({action_of(at(leaves[i], lp, "action"), lp + "/action"),
                        text(at(leaves[i], lp, "reason"), lp + "/reason")});
  }
  const json& nodes = at(j, p, "nodes");
  if (!nodes.is_array()) fail(p + "/nodes", "expected an array");
  // Every edge must stay inside the tree, or the evaluator would read past it.
  auto edge = [&](const json& e, const std::string& ep) {
    const auto t = number<std::int32_t>(e, ep);
    if (is_leaf(t) ? leaf_index(t) >= static_cast<std::int32_t>(leaves.size())
                   : t >= static_cast<std::int32_t>(nodes.size())) {
      fail(ep, "edge points outside the tree");
    }
    return t;
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string np = fmt::format("{}/nodes/{}", p, i);
    if (!nodes[i].is_array() || nodes[i].size() != 3) fail(np, "expected [predicate, if_true, if_false]");
    tree_node n;
    n.predicate = number<std::uint32_t>(nodes[i][0], np + "/0");
    if (n.predicate >= predicates) fail(np + "/0", "no such predicate");
    n.if_true = edge(nodes[i][1], np + "/1");
    n.if_false = edge(nodes[i][2], np + "/2");
    // Children come before their parent, so the walk always ends.
    if ((!is_leaf(n.if_true) && n.if_true >= static_cast<std::int32_t>(i)) ||
        (!is_leaf(n.if_false) && n.if_false >= static_cast<std::int32_t>(i))) {
      fail(np, "edges must point to earlier nodes");
    }
    nodes_out.push_back(n);
  }
  root = edge(at(j, p, "root"), p + "/root");
}

predicate predicate_of(const json& j, const std::string& p) {
  predicate out;
  const auto kind = predicate_kind_from_name(text(at(j, p, "kind"), p + "/kind"));
  if (!kind) fail(p + "/kind", "unknown predicate");
  out.type = *kind;
  switch (out.type) {
    case predicate::kind::calls_at_least:
    case predicate::kind::wait_above:
    case predicate::kind::wait_at_least:
      out.threshold = number<std::int32_t>(at(j, p, "threshold"), p + "/threshold");
      break;
    case predicate::kind::caller_in:
    case predicate::kind::transfer_to: out.callers = strings(at(j, p, "callers"), p + "/callers"); break;
    case predicate::kind::via_in:
      for (const std::string& v : strings(at(j, p, "vias"), p + "/vias")) {
        const auto via = via_from_name(v);
        if (!via) fail(p + "/vias", "expected ported, forwarded or sip");
        out.vias |= via_bit(*via);
      }
      break;
    case predicate::kind::during:
      out.days = days_of(at(j, p, "days"), p + "/days");
      out.windows = windows_of(at(j, p, "windows"), p + "/windows");
      break;
    case predicate::kind::on_dates: out.dates = range_of(at(j, p, "dates"), p + "/dates"); break;
    default: break;
  }
  return out;
}

compiled_clinic clinic_of(const json& j, const std::string& p) {
  compiled_clinic c;
  c.id = text(at(j, p, "id"), p + "/id");
  c.name = text(at(j, p, "name"), p + "/name");
  c.timezone = text(at(j, p, "timezone"), p + "/timezone");
  c.language = text(at(j, p, "language"), p + "/language");
  c.voice = text(at(j, p, "voice"), p + "/voice");
  const json& numbers = at(j, p, "numbers");
  c.ported = strings(at(numbers, p + "/numbers", "ported"), p + "/numbers/ported");
  c.forwarded = strings(at(numbers, p + "/numbers", "forwarded"), p + "/numbers/forwarded");
  c.sip_users = strings(at(numbers, p + "/numbers", "sip"), p + "/numbers/sip");
  const json& hours = at(j, p, "hours");
  for (int d = 0; d < 7; ++d) {
    const std::string day(weekday_name(d));
    c.weekly_hours[d] = windows_of(at(hours, p + "/hours", day.c_str()), p + "/hours/" + day);
  }
  const json& special = at(j, p, "special");
  if (!special.is_array()) fail(p + "/special", "expected an array");
  for (std::size_t i = 0; i < special.size(); ++i) {
    const std::string sp = fmt::format("{}/special/{}", p, i);
    c.specials.push_back({date_of(text(at(special[i], sp, "date"), sp + "/date"), sp + "/date"),
                          windows_of(at(special[i], sp, "windows"), sp + "/windows")});
  }
  c.holidays = holidays_of(at(j, p, "holidays"), p + "/holidays");
  const json& overflow = at(j, p, "overflow");
  if (!overflow.is_null()) c.overflow_threshold = number<std::uint32_t>(overflow, p + "/overflow");
  // Optional, so that bundles written before the estimated wait still load.
  if (j.contains("lines")) c.lines = number<std::uint32_t>(j["lines"], p + "/lines");
  const json& schedule = at(j, p, "schedule");
  if (!schedule.is_array()) fail(p + "/schedule", "expected an array");
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    const std::string sp = fmt::format("{}/schedule/{}", p, i);
    const json& line = schedule[i];
    schedule_rule r;
    const json& enable = at(line, sp, "enable");
    if (!enable.is_boolean()) fail(sp + "/enable", "expected true or false");
    r.enable = enable.get<bool>();
    if (line.contains("days")) r.days = days_of(line["days"], sp + "/days");
    if (line.contains("dates")) r.dates = range_of(line["dates"], sp + "/dates");
    r.windows = windows_of(at(line, sp, "windows"), sp + "/windows");
    c.schedule.push_back(std::move(r));
  }
  c.mode = text(at(j, p, "mode"), p + "/mode");
  c.fallback = action_of(at(j, p, "fallback"), p + "/fallback");
  const json& predicates = at(j, p, "predicates");
  if (!predicates.is_array()) fail(p + "/predicates", "expected an array");
  for (std::size_t i = 0; i < predicates.size(); ++i) {
    c.predicates.push_back(predicate_of(predicates[i], fmt::format("{}/predicates/{}", p, i)));
  }
  read_tree(j, p, c.predicates.size(), c.nodes, c.leaves, c.root);
  // Optional, so that bundles written before transfer blocks still load.
  if (j.contains("transfer")) {
    c.transfer.configured = true;
    read_tree(j["transfer"], p + "/transfer", c.predicates.size(), c.transfer.nodes, c.transfer.leaves,
              c.transfer.root);
    // As the compiler refuses it: a transfer back to the AI would loop (docs/language.md).
    for (std::size_t i = 0; i < c.transfer.leaves.size(); ++i) {
      if (c.transfer.leaves[i].action == action_kind::ai) {
        fail(fmt::format("{}/transfer/leaves/{}/action", p, i), "a transfer cannot go back to the AI");
      }
    }
  }
  const json& ai = at(j, p, "ai");
  const std::string ai_kind = text(at(ai, p + "/ai", "kind"), p + "/ai/kind");
  c.ai.type = ai_kind == "sip" ? ai_config::kind::sip
              : ai_kind == "redirect" ? ai_config::kind::redirect
                                      : ai_config::kind::server_default;
  c.ai.target = text(at(ai, p + "/ai", "target"), p + "/ai/target");
  // Optional, so that bundles written before the AI leg failed over still load.
  if (ai.contains("timeout")) c.ai.timeout_seconds = number<std::uint32_t>(ai["timeout"], p + "/ai/timeout");
  if (ai.contains("unavailable")) {
    c.ai.unavailable = action_of(ai["unavailable"], p + "/ai/unavailable");
    if (c.ai.unavailable == action_kind::ai) fail(p + "/ai/unavailable", "an unavailable AI is never followed by the AI");
  }
  if (ai.contains("capacity")) c.ai.capacity = number<std::uint32_t>(ai["capacity"], p + "/ai/capacity");
  const json& forward = at(j, p, "forward");
  c.forward.number = text(at(forward, p + "/forward", "number"), p + "/forward/number");
  c.forward.say = text(at(forward, p + "/forward", "say"), p + "/forward/say");
  c.forward.timeout_seconds = number<std::uint32_t>(at(forward, p + "/forward", "timeout"), p + "/forward/timeout");
  // Optional, so that bundles written before forwards had a follow-on load.
  if (forward.contains("unanswered")) {
    c.forward.unanswered = action_of(forward["unanswered"], p + "/forward/unanswered");
    if (c.forward.unanswered == action_kind::forward) {
      fail(p + "/forward/unanswered", "a forward is never unanswered by a forward");
    }
  }
  if (forward.contains("caller_id")) c.forward.caller_id = text(forward["caller_id"], p + "/forward/caller_id");
  if (forward.contains("screen")) c.forward.screen = text(forward["screen"], p + "/forward/screen");
  // Optional, so that older bundles load; their default is the compiler's.
  c.unreachable = c.forward.number.empty() ? action_kind::voicemail : action_kind::forward;
  if (j.contains("unreachable")) {
    c.unreachable = action_of(j["unreachable"], p + "/unreachable");
    const bool static_answer = c.unreachable == action_kind::voicemail || c.unreachable == action_kind::busy ||
                               (c.unreachable == action_kind::forward && !c.forward.number.empty());
    if (!static_answer) fail(p + "/unreachable", "expected voicemail, busy, or forward with a forward number");
  }
  if (j.contains("menu") && !j["menu"].is_null()) {
    const json& menu = j["menu"];
    const std::string mp = p + "/menu";
    c.menu.configured = true;
    c.menu.say = text(at(menu, mp, "say"), mp + "/say");
    c.menu.timeout_seconds = number<std::uint32_t>(at(menu, mp, "timeout"), mp + "/timeout");
    const auto step = [&](const json& value, const std::string& pointer) {
      const action_kind a = action_of(value, pointer);
      if (a == action_kind::menu) fail(pointer, "a menu never names a menu");
      return a;
    };
    c.menu.on_timeout = step(at(menu, mp, "on_timeout"), mp + "/on_timeout");
    const json& keys = at(menu, mp, "keys");
    if (!keys.is_object()) fail(mp + "/keys", "expected an object");
    for (const auto& [key, value] : keys.items()) {
      const int index = key.size() == 1 ? menu_key_index(key[0]) : -1;
      if (index < 0) fail(mp + "/keys", fmt::format("'{}' is not a key (0-9 or *)", key));
      c.menu.keys[static_cast<std::size_t>(index)] = step(value, mp + "/keys/" + key);
    }
  }
  // Optional, so that bundles written before callback offers still load.
  if (j.contains("callback")) {
    const json& callback = j["callback"];
    const std::string cp = p + "/callback";
    c.callback.say = text(at(callback, cp, "say"), cp + "/say");
    c.callback.confirm = text(at(callback, cp, "confirm"), cp + "/confirm");
    c.callback.timeout_seconds = number<std::uint32_t>(at(callback, cp, "timeout"), cp + "/timeout");
    c.callback.otherwise = action_of(at(callback, cp, "otherwise"), cp + "/otherwise");
    if (c.callback.otherwise == action_kind::callback || c.callback.otherwise == action_kind::menu) {
      fail(cp + "/otherwise", "a callback offer goes on to ai, voicemail, forward, busy or hangup");
    }
  }
  if (j.contains("notify_url")) c.notify_url = text(j["notify_url"], p + "/notify_url");
  if (j.contains("region")) c.region = text(j["region"], p + "/region");
  if (j.contains("file")) c.source_file = text(j["file"], p + "/file");
  const auto uses = [&](action_kind a) {
    return c.forward.unanswered == a || c.menu.on_timeout == a || c.callback.otherwise == a ||
           std::any_of(c.leaves.begin(), c.leaves.end(), [&](const tree_leaf& l) { return l.action == a; }) ||
           std::any_of(c.menu.keys.begin(), c.menu.keys.end(), [&](const auto& k) { return k == a; });
  };
  if (uses(action_kind::menu) && !c.menu.configured) fail(p + "/menu", "a menu is used but none is given");
  const json& voicemail = at(j, p, "voicemail");
  c.voicemail.greeting = text(at(voicemail, p + "/voicemail", "greeting"), p + "/voicemail/greeting");
  c.voicemail.max_seconds = number<std::uint32_t>(at(voicemail, p + "/voicemail", "max"), p + "/voicemail/max");
  const json& busy = at(j, p, "busy");
  c.busy.say = text(at(busy, p + "/busy", "say"), p + "/busy/say");
  const json& reject = at(busy, p + "/busy", "reject");
  if (!reject.is_boolean()) fail(p + "/busy/reject", "expected true or false");
  c.busy.reject = reject.get<bool>();
  return c;
}

}  // namespace

bundle_read_result read_bundle(std::string_view json_text) {
  const json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return {std::nullopt, "the bundle is not valid JSON"};
  try {
    const json& format = at(j, "", "format");
    if (!format.is_number_integer()) fail("/format", "expected an integer");
    if (format.get<int>() != bundle_format) {
      return {std::nullopt, fmt::format("bundle format {} is not supported (this callpolicy reads format {})",
                                        format.dump(), bundle_format)};
    }
    compiled_set set;
    set.compiler_version = text(at(j, "", "compiler_version"), "/compiler_version");
    const json& sources = at(j, "", "sources");
    if (!sources.is_array()) fail("/sources", "expected an array");
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const std::string p = fmt::format("/sources/{}", i);
      set.sources.push_back({text(at(sources[i], p, "file"), p + "/file"),
                             text(at(sources[i], p, "sha256"), p + "/sha256")});
    }
    const json& calendars = at(j, "", "calendars");
    if (!calendars.is_array()) fail("/calendars", "expected an array");
    for (std::size_t i = 0; i < calendars.size(); ++i) {
      const std::string p = fmt::format("/calendars/{}", i);
      set.calendars.push_back({text(at(calendars[i], p, "name"), p + "/name"),
                               holidays_of(at(calendars[i], p, "holidays"), p + "/holidays")});
    }
    const json& clinics = at(j, "", "clinics");
    if (!clinics.is_array()) fail("/clinics", "expected an array");
    for (std::size_t i = 0; i < clinics.size(); ++i) {
      set.clinics.push_back(clinic_of(clinics[i], fmt::format("/clinics/{}", i)));
    }
    return {std::move(set), {}};
  } catch (const std::exception& e) {
    return {std::nullopt, fmt::format("malformed bundle at {}", e.what())};
  }
}

}  // namespace callpolicy
