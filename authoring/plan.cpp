#include "authoring/plan.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "compiler/exact_lints.h"
#include "model/time_tables.h"
#include "model/zones.h"

namespace callpolicy {
namespace {

std::vector<via_kind> vias_of(const compiled_clinic& c) {
  std::vector<via_kind> out;
  if (!c.ported.empty()) out.push_back(via_kind::ported);
  if (!c.forwarded.empty()) out.push_back(via_kind::forwarded);
  if (!c.sip_users.empty()) out.push_back(via_kind::sip);
  return out;
}

template <typename T>
std::vector<T> united(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return a;
}

struct side {
  const compiled_clinic* clinic;
  clinic_tables tables;
};

// What one stretch of one day answers in each set.
struct outcome {
  const tree_leaf* before;
  const tree_leaf* after;
  bool differs() const { return before->action != after->action || before->reason != after->reason; }
};

// A difference before merging: one stretch of one date, for one
// integration, call class and caller.
struct raw_change {
  via_kind via;
  std::string caller;
  std::size_t call_class;
  std::uint16_t from, to;
  const tree_leaf* before;
  const tree_leaf* after;
};

bool same_outcome(const raw_change& a, const raw_change& b) {
  return a.before->action == b.before->action && a.before->reason == b.before->reason &&
         a.after->action == b.after->action && a.after->reason == b.after->reason;
}

class clinic_comparison {
 public:
  clinic_comparison(const compiled_clinic& before, const compiled_clinic& after)
      : before_{&before, build_tables(before)}, after_{&after, build_tables(after)} {
    minutes_ = united(minute_classes(before), minute_classes(after));
    calls_ = united(call_classes(before), call_classes(after));
    callers_ = united(caller_classes(before), caller_classes(after));
    vias_ = united(vias_of(before), vias_of(after));
    if (vias_.empty()) vias_.push_back(via_kind::ported);
  }

  const std::vector<via_kind>& vias() const { return vias_; }
  const std::vector<std::int32_t>& calls() const { return calls_; }

  // Whether `date` carries a dated entry in either set (or the day before
  // does, whose overnight windows reach into it).
  bool dated(day_number date) const {
    return dated_in(before_, date) || dated_in(before_, date - 1) || dated_in(after_, date) ||
           dated_in(after_, date - 1);
  }

  // Every difference on `date`, its stretches merged.
  std::vector<raw_change> changes(day_number date) const {
    std::vector<raw_change> out;
    const day_context day_before = context_of(before_.tables, date);
    const day_context day_after = context_of(after_.tables, date);
    for (const via_kind via : vias_) {
      for (std::size_t k = 0; k < calls_.size(); ++k) {
        for (const std::string& caller : callers_) {
          for (std::size_t i = 0; i < minutes_.size(); ++i) {
            const std::uint16_t from = minutes_[i];
            const std::uint16_t to = i + 1 < minutes_.size() ? minutes_[i + 1] : minutes_per_day;
            const local_call lb{date, from, calls_[k], caller, via, &day_before};
            const local_call la{date, from, calls_[k], caller, via, &day_after};
            const outcome o{&leaf(before_, lb), &leaf(after_, la)};
            if (!o.differs()) continue;
            raw_change c{via, caller, k, from, to, o.before, o.after};
            if (!out.empty()) {
              raw_change& last = out.back();
              if (last.via == via && last.caller == caller && last.call_class == k && last.to == from &&
                  same_outcome(last, c)) {
                last.to = to;
                continue;
              }
            }
            out.push_back(std::move(c));
          }
        }
      }
    }
    return out;
  }

 private:
  static const tree_leaf& leaf(const side& s, const local_call& call) {
    return s.clinic->leaves[static_cast<std::size_t>(decide_leaf(*s.clinic, s.tables, call))];
  }

  static bool dated_in(const side& s, day_number d) {
    const compiled_clinic& c = *s.clinic;
    if (holiday_rules_hold(s.tables, d)) return true;
    if (std::any_of(c.specials.begin(), c.specials.end(), [&](const special_day& x) { return x.date == d; })) return true;
    for (const schedule_rule& r : c.schedule) {
      if (r.dates && r.dates->contains(d)) return true;
    }
    for (const predicate& p : c.predicates) {
      if (p.type == predicate::kind::on_dates && p.dates.contains(d)) return true;
    }
    return false;
  }

  side before_, after_;
  std::vector<std::uint16_t> minutes_;
  std::vector<std::int32_t> calls_;
  std::vector<std::string> callers_;
  std::vector<via_kind> vias_;
};

std::string calls_label(const std::vector<std::int32_t>& classes, std::size_t first, std::size_t last) {
  if (first == 0 && last + 1 == classes.size()) return {};
  const std::int32_t low = classes[first];
  if (last + 1 == classes.size()) return fmt::format("calls >= {}", low);
  const std::int32_t high = classes[last + 1] - 1;
  return low == high ? fmt::format("calls {}", low) : fmt::format("calls {}-{}", low, high);
}

// One change before the days are merged: the key of everything but the date.
using change_key = std::tuple<int, std::string, std::string, std::uint16_t, std::uint16_t, std::string, std::string,
                              std::string, std::string>;  // via, caller, calls, from, to, old/new action/reason

// `raw` with its call classes merged into ranges, and caller-specific
// changes kept only where they differ from any caller's.
std::vector<change_key> keys_of(const std::vector<raw_change>& raw, const std::vector<std::int32_t>& classes) {
  std::map<std::tuple<int, std::string, std::uint16_t, std::uint16_t, std::string, std::string, std::string, std::string>,
           std::vector<std::size_t>>
      by_rest;
  for (const raw_change& c : raw) {
    by_rest[{static_cast<int>(c.via), c.caller, c.from, c.to, std::string(action_name(c.before->action)), c.before->reason,
             std::string(action_name(c.after->action)), c.after->reason}]
        .push_back(c.call_class);
  }
  std::set<change_key> keys;
  for (auto& [rest, ks] : by_rest) {
    std::sort(ks.begin(), ks.end());
    for (std::size_t i = 0; i < ks.size();) {
      std::size_t j = i;
      while (j + 1 < ks.size() && ks[j + 1] == ks[j] + 1) ++j;
      const auto& [via, caller, from, to, oa, oreason, na, nreason] = rest;
      keys.insert({via, caller, calls_label(classes, ks[i], ks[j]), from, to, oa, oreason, na, nreason});
      i = j + 1;
    }
  }
  std::vector<change_key> out;
  for (const change_key& k : keys) {
    if (!std::get<1>(k).empty()) {
      change_key any = k;
      std::get<1>(any).clear();
      if (keys.count(any)) continue;  // the same for any caller
    }
    out.push_back(k);
  }
  return out;
}

// A day on which every call of an integration now gets one answer (a new
// holiday, a closure) is one line, whatever each stretch got before: the
// many answers it replaces are what the policy already said.
std::vector<change_key> collapsed(std::vector<change_key> keys) {
  std::map<int, std::vector<change_key>> by_via;
  for (change_key& k : keys) by_via[std::get<0>(k)].push_back(std::move(k));
  std::vector<change_key> out;
  for (auto& [via, ks] : by_via) {
    const change_key& first = ks.front();  // clang 14 captures no structured binding
    const bool one_answer = ks.size() > 2 && std::all_of(ks.begin(), ks.end(), [&](const change_key& k) {
      return std::get<7>(k) == std::get<7>(first) && std::get<8>(k) == std::get<8>(first);
    });
    if (!one_answer) {
      out.insert(out.end(), ks.begin(), ks.end());
      continue;
    }
    std::uint16_t from = minutes_per_day;
    std::uint16_t to = 0;
    for (const change_key& k : ks) {
      from = std::min(from, std::get<3>(k));
      to = std::max(to, std::get<4>(k));
    }
    out.push_back({via, "", "", from, to, "(several)", "", std::get<7>(ks.front()), std::get<8>(ks.front())});
  }
  return out;
}

plan_change change_of(const change_key& k, std::string when) {
  plan_change c;
  c.when = std::move(when);
  c.caller = std::get<1>(k);
  c.calls = std::get<2>(k);
  c.from = std::get<3>(k);
  c.to = std::get<4>(k);
  c.old_action = std::get<5>(k);
  c.old_reason = std::get<6>(k);
  c.new_action = std::get<7>(k);
  c.new_reason = std::get<8>(k);
  return c;
}


// Whether two clinics' transfer rules decide alike: their trees compared by
// what each node tests, not by its index into its own clinic's predicates,
// which any change of the route renumbers. Walked with a stack of its own,
// as a long transfer block makes a deep tree.
bool same_transfer(const compiled_clinic& a, const compiled_clinic& b) {
  if (a.transfer.configured != b.transfer.configured) return false;
  if (!a.transfer.configured) return true;
  std::vector<std::pair<tree_target, tree_target>> pending{{a.transfer.root, b.transfer.root}};
  while (!pending.empty()) {
    const auto [x, y] = pending.back();
    pending.pop_back();
    if (is_leaf(x) != is_leaf(y)) return false;
    if (is_leaf(x)) {
      if (!(a.transfer.leaves.at(static_cast<std::size_t>(leaf_index(x))) ==
            b.transfer.leaves.at(static_cast<std::size_t>(leaf_index(y))))) {
        return false;
      }
      continue;
    }
    const tree_node& m = a.transfer.nodes.at(static_cast<std::size_t>(x));
    const tree_node& n = b.transfer.nodes.at(static_cast<std::size_t>(y));
    if (!(a.predicates.at(m.predicate) == b.predicates.at(n.predicate))) return false;
    pending.emplace_back(m.if_true, n.if_true);
    pending.emplace_back(m.if_false, n.if_false);
  }
  return true;
}

void compare_settings(const compiled_clinic& a, const compiled_clinic& b, std::vector<std::string>& out) {
  const auto changed = [&](std::string_view what, const std::string& x, const std::string& y) {
    if (x != y) out.push_back(fmt::format("{}: {} -> {}", what, x.empty() ? "(none)" : quoted(x), y.empty() ? "(none)" : quoted(y)));
  };
  changed("name", a.name, b.name);
  changed("timezone", a.timezone, b.timezone);
  changed("language", a.language, b.language);
  changed("voice", a.voice, b.voice);
  if (a.mode != b.mode) out.push_back(fmt::format("mode: {} -> {}", a.mode, b.mode));
  if (a.fallback != b.fallback) {
    out.push_back(fmt::format("fallback: {} -> {}", action_name(a.fallback), action_name(b.fallback)));
  }
  if (a.overflow_threshold != b.overflow_threshold) {
    out.push_back(fmt::format("overflow: {} -> {}", a.overflow_threshold ? std::to_string(*a.overflow_threshold) : "(none)",
                              b.overflow_threshold ? std::to_string(*b.overflow_threshold) : "(none)"));
  }
  const auto ai_target = [](const ai_config& ai) { return ai.target.empty() ? std::string("(the server's default)") : ai.target; };
  if (a.ai.type != b.ai.type || a.ai.target != b.ai.target) changed("ai", ai_target(a.ai), ai_target(b.ai));
  if (a.ai.timeout_seconds != b.ai.timeout_seconds) {
    out.push_back(fmt::format("ai timeout: {}s -> {}s", a.ai.timeout_seconds, b.ai.timeout_seconds));
  }
  if (a.ai.capacity != b.ai.capacity) {
    const auto cap = [](std::uint32_t n) { return n ? std::to_string(n) : std::string("(none)"); };
    out.push_back(fmt::format("ai capacity: {} -> {}", cap(a.ai.capacity), cap(b.ai.capacity)));
  }
  if (a.ai.unavailable != b.ai.unavailable) {
    out.push_back(fmt::format("ai unavailable: {} -> {}", action_name(a.ai.unavailable), action_name(b.ai.unavailable)));
  }
  changed("forward number", a.forward.number, b.forward.number);
  changed("forward say", a.forward.say, b.forward.say);
  if (a.forward.timeout_seconds != b.forward.timeout_seconds) {
    out.push_back(fmt::format("forward timeout: {}s -> {}s", a.forward.timeout_seconds, b.forward.timeout_seconds));
  }
  if (a.forward.unanswered != b.forward.unanswered) {
    out.push_back(fmt::format("forward unanswered: {} -> {}", action_name(a.forward.unanswered),
                              action_name(b.forward.unanswered)));
  }
  changed("forward caller-id", a.forward.caller_id, b.forward.caller_id);
  changed("forward screen", a.forward.screen, b.forward.screen);
  if (!(a.menu == b.menu)) out.push_back("menu: changed");
  if (!same_transfer(a, b)) {
    const auto rules = [](const compiled_clinic& c) { return c.transfer.configured ? "transfer block" : "(the default)"; };
    out.push_back(a.transfer.configured && b.transfer.configured
                      ? std::string("transfer: changed")
                      : fmt::format("transfer: {} -> {}", rules(a), rules(b)));
  }
  changed("voicemail greeting", a.voicemail.greeting, b.voicemail.greeting);
  if (a.voicemail.max_seconds != b.voicemail.max_seconds) {
    out.push_back(fmt::format("voicemail max: {}s -> {}s", a.voicemail.max_seconds, b.voicemail.max_seconds));
  }
  changed("busy say", a.busy.say, b.busy.say);
  if (a.busy.reject != b.busy.reject) out.push_back(fmt::format("busy reject: {} -> {}", a.busy.reject, b.busy.reject));
  if (a.unreachable != b.unreachable) {
    out.push_back(fmt::format("unreachable: {} -> {}", action_name(a.unreachable), action_name(b.unreachable)));
  }
}

using numbers_of = std::map<std::string, std::string>;  // "ported +1..." -> clinic

numbers_of claims(const compiled_set& set) {
  numbers_of out;
  for (const compiled_clinic& c : set.clinics) {
    for (const std::string& n : c.ported) out["ported " + n] = c.id;
    for (const std::string& n : c.forwarded) out["forwarded " + n] = c.id;
    for (const std::string& n : c.sip_users) out["sip user " + n] = c.id;
  }
  return out;
}

location where_of(const compile_output& set, const std::string& id) {
  for (const ast::policy_file& f : set.files) {
    for (const ast::clinic& c : f.clinics) {
      if (c.id == id) return c.where;
    }
  }
  return {};
}

day_number today_in(const compiled_clinic& c) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const cctz::time_zone* zone = find_zone(c.timezone);
  if (!zone) return static_cast<day_number>(std::chrono::floor<std::chrono::days>(now).time_since_epoch().count());
  return to_local(zone, now).date;
}

clinic_plan compare_clinic(const compiled_clinic& a, const compiled_clinic& b, const plan_options& options) {
  clinic_plan plan;
  plan.id = b.id;
  plan.week_start = options.week ? options.week : today_in(b);
  const clinic_comparison cmp(a, b);

  // The week: each weekday's first ordinary date from the start.
  std::map<change_key, day_mask> week;
  std::array<std::vector<change_key>, 7> by_weekday;
  for (int i = 0; i < 7; ++i) {
    day_number d = plan.week_start + i;
    for (int tries = 0; tries < 60 && cmp.dated(d); ++tries) d += 7;
    const int weekday = weekday_of(d);
    by_weekday[static_cast<std::size_t>(weekday)] = keys_of(cmp.changes(d), cmp.calls());
    for (const change_key& k : by_weekday[static_cast<std::size_t>(weekday)]) week[k] |= day_bit(weekday);
  }
  // Dated days that change otherwise than their weekday does.
  std::vector<std::pair<day_number, std::vector<change_key>>> dated;
  for (day_number d = plan.week_start; d < plan.week_start + options.dated_days; ++d) {
    if (!cmp.dated(d)) continue;
    std::vector<change_key> keys = keys_of(cmp.changes(d), cmp.calls());
    if (keys == by_weekday[static_cast<std::size_t>(weekday_of(d))]) continue;
    dated.emplace_back(d, collapsed(std::move(keys)));
  }
  // Grouped by the integrations whose changes are the same.
  std::map<std::vector<std::pair<std::string, std::vector<change_key>>>, std::vector<via_kind>> by_vias;
  for (const via_kind via : cmp.vias()) {
    std::vector<std::pair<std::string, std::vector<change_key>>> mine;
    std::vector<change_key> w;
    for (const auto& [k, days] : week) {
      if (std::get<0>(k) == static_cast<int>(via)) w.push_back(k);
    }
    mine.emplace_back("week", w);
    for (const auto& [d, keys] : dated) {
      std::vector<change_key> ks;
      for (const change_key& k : keys) {
        if (std::get<0>(k) == static_cast<int>(via)) ks.push_back(k);
      }
      if (!ks.empty()) mine.emplace_back(format_date(d), ks);
    }
    // The via itself out of the key, so that identical lists group.
    for (auto& [label, ks] : mine) {
      for (change_key& k : ks) std::get<0>(k) = 0;
    }
    by_vias[mine].push_back(via);
  }
  for (const auto& [lists, vias] : by_vias) {
    plan_group g;
    g.vias = vias;
    for (const auto& [label, ks] : lists) {
      if (label == "week") {
        // Days merged: the same change on several weekdays is one line.
        std::map<change_key, day_mask> days_of;
        for (const change_key& k : ks) {
          change_key with_via = k;
          std::get<0>(with_via) = static_cast<int>(vias.front());
          days_of[k] = week.at(with_via);
        }
        for (const auto& [k, days] : days_of) g.week.push_back(change_of(k, canonical_days(days)));
      } else {
        for (const change_key& k : ks) {
          const day_number d = [&, &label = label] {
            const auto parsed = std::find_if(dated.begin(), dated.end(), [&](const auto& x) { return format_date(x.first) == label; });
            return parsed->first;
          }();
          g.dated.push_back(change_of(k, fmt::format("{} ({})", label, weekday_name(weekday_of(d)))));
        }
      }
    }
    // Within a list: by days, then time.
    std::stable_sort(g.week.begin(), g.week.end(), [](const plan_change& x, const plan_change& y) {
      return std::tie(x.from, x.when) < std::tie(y.from, y.when);
    });
    if (!g.week.empty() || !g.dated.empty()) plan.groups.push_back(std::move(g));
  }
  compare_settings(a, b, plan.settings);
  return plan;
}

}  // namespace

std::string format_minute(std::uint16_t minutes) { return format_clock(minutes); }

policy_plan plan_week(const compile_output& from, const compile_output& to, const plan_options& options) {
  policy_plan plan;
  std::map<std::string, const compiled_clinic*> before;
  std::map<std::string, const compiled_clinic*> after;
  for (const compiled_clinic& c : from.set.clinics) before[c.id] = &c;
  for (const compiled_clinic& c : to.set.clinics) after[c.id] = &c;
  const auto wanted = [&](const std::string& id) { return options.clinic.empty() || options.clinic == id; };
  for (const auto& [id, c] : before) {
    if (!after.count(id) && wanted(id)) plan.clinics_removed.push_back(id);
  }
  for (const auto& [id, c] : after) {
    if (!before.count(id) && wanted(id)) plan.clinics_added.push_back(id);
  }
  const numbers_of old_claims = claims(from.set);
  const numbers_of new_claims = claims(to.set);
  for (const auto& [number, owner] : new_claims) {
    const auto was = old_claims.find(number);
    if (was != old_claims.end() && was->second != owner && (wanted(owner) || wanted(was->second))) {
      plan.numbers_moved.push_back(fmt::format("{} from {} to {}", number, was->second, owner));
    }
  }
  // Numbers a clinic gained or lost (a moved one is listed as moved).
  std::map<std::string, std::vector<std::string>> added;
  std::map<std::string, std::vector<std::string>> removed;
  for (const auto& [number, owner] : new_claims) {
    if (!old_claims.count(number)) added[owner].push_back(number);
  }
  for (const auto& [number, owner] : old_claims) {
    if (!new_claims.count(number)) removed[owner].push_back(number);
  }
  for (const auto& [id, b] : after) {
    const auto a = before.find(id);
    if (a == before.end() || !wanted(id)) continue;
    clinic_plan c = compare_clinic(*a->second, *b, options);
    if (const auto it = added.find(id); it != added.end()) c.numbers_added = it->second;
    if (const auto it = removed.find(id); it != removed.end()) c.numbers_removed = it->second;
    if (c.groups.empty() && c.settings.empty() && c.numbers_added.empty() && c.numbers_removed.empty()) continue;
    c.where = where_of(to, id);
    plan.clinics.push_back(std::move(c));
  }
  return plan;
}

}  // namespace callpolicy
