// One clinic of a set: its AST to the compiled form, with the checks that
// concern it alone (docs/language.md, "Diagnostics"), modes desugared into rules and the decision
// tree built. Calendars come resolved through `use`, across the set.
#include "compiler/clinic_compiler.h"
#include "compiler/clinic_compiler_state.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "compiler/tree_builder.h"
#include "model/phone_numbers.h"
#include "model/zones.h"

namespace callpolicy {

// `region`; else the region of the clinic's first number (docs/language.md, "A clinic"); else,
// for a clinic reached only over SIP, the country of its time zone.
std::string clinic_region(const ast::clinic& clinic) {
  if (clinic.region) return clinic.region->value;
  if (clinic.numbers) {
    for (const auto* numbers : {&clinic.numbers->ported, &clinic.numbers->forwarded}) {
      if (numbers->empty()) continue;
      if (std::string region = region_of_number(numbers->front().value); !region.empty())
        return region;
      break;
    }
  }
  return clinic.timezone ? zone_country(clinic.timezone->value) : std::string();
}

namespace {

// The longest `special` range, in days: a leap year.
constexpr day_number max_special_days = 366;

}  // namespace

std::optional<compiled_clinic> clinic_compiler::compile() {
  compiled_clinic c;
  c.id = source.id;
  c.name = source.name ? source.name->value : source.id;
  c.source_file = source.where.file;
  if (!source.timezone) {
    error<messages::no_timezone>(source.where, source.id);
  } else if (!find_zone(source.timezone->value)) {
    diagnostic& d = error<messages::unknown_zone>(source.timezone->where, source.timezone->value);
    for (const std::string& s : suggest_zones(source.timezone->value)) {
      d.notes.push_back(fmt::format(messages::did_you_mean, s));
    }
  } else {
    c.timezone = source.timezone->value;
    if (const auto advice = legacy_zone_advice(c.timezone)) {
      using namespace messages;
      const location& where = source.timezone->where;
      const std::string& zone = c.timezone;
      diagnostic& d =
          advice->problem == zone_problem::fixed_offset      ? report<zone_is_fixed_offset>(sink, where, zone)
          : advice->problem == zone_problem::posix           ? report<zone_is_posix>(sink, where, zone)
          : advice->problem == zone_problem::inverted_offset ? report<zone_is_inverted_offset>(sink, where, zone)
                                                             : report<zone_is_old_name>(sink, where, zone);
      if (!advice->use.empty()) d.notes.push_back(fmt::format(use_zone_instead, advice->use));
    }
  }
  if (source.language) c.language = source.language->value;
  if (source.voice) c.voice = source.voice->value;
  if (source.numbers) {
    for (const auto& n : source.numbers->ported) c.ported.push_back(n.value);
    for (const auto& n : source.numbers->forwarded) c.forwarded.push_back(n.value);
    for (const auto& n : source.numbers->sip) c.sip_users.push_back(n.value);
  }
  compile_hours(c);
  compile_dates(c);
  build_routes(c);
  compile_actions(c);
  build_transfer(c);
  if (failed) return std::nullopt;
  return c;
}

void clinic_compiler::compile_hours(compiled_clinic& c) {
  if (!source.hours) return;
  std::array<const ast::hours_line*, 7> set_by{};
  for (const ast::hours_line& line : source.hours->items) {
    for (int d = 0; d < 7; ++d) {
      if (!(line.days & day_bit(d))) continue;
      if (const ast::hours_line* earlier = set_by[static_cast<std::size_t>(d)]) {
        report<messages::day_given_again>(sink, line.where, weekday_name(d), where_text(earlier->where));
      }
      set_by[static_cast<std::size_t>(d)] = &line;
      c.weekly_hours[static_cast<std::size_t>(d)].clear();
      for (const auto& w : line.windows)
        c.weekly_hours[static_cast<std::size_t>(d)].push_back(w.value);
    }
  }
}

void clinic_compiler::compile_dates(compiled_clinic& c) {
  if (source.special) {
    std::map<day_number, std::vector<window>> by_date;
    for (const ast::special_entry& s : source.special->items) {
      // Special days are planned one by one; a range of centuries would
      // take gigabytes. Longer closures are holidays (or `mode disabled`).
      if (s.dates.last - s.dates.first >= max_special_days) {
        error<messages::special_range_too_long_here>(s.where, canonical_dates(s.dates),
                                                     s.dates.last - s.dates.first + 1, max_special_days);
        continue;
      }
      std::vector<window> windows;
      for (const auto& w : s.windows) windows.push_back(w.value);
      for (day_number d = s.dates.first; d <= s.dates.last; ++d) by_date[d] = windows;
    }
    for (auto& [date, windows] : by_date) c.specials.push_back({date, std::move(windows)});
  }
  bool broken_calendar = false;
  if (source.holidays) c.holidays = calendars.flatten(source.holidays->items, broken_calendar);
  failed = failed || broken_calendar;  // reported where the calendar is used or defined
  c.overflow_threshold = source.overflow ? std::optional(source.overflow->value) : std::nullopt;
  if (source.lines && source.lines->value == 0) error<messages::zero_lines>(source.lines->where);
  c.lines = source.lines ? source.lines->value : c.overflow_threshold.value_or(0);
  if (source.schedule) {
    for (const ast::schedule_line& line : source.schedule->items) {
      schedule_rule r;
      r.enable = line.enable;
      r.days = line.days;
      r.dates = line.dates;
      for (const auto& w : line.windows) r.windows.push_back(w.value);
      c.schedule.push_back(std::move(r));
    }
  }
}

// A static document can dial, record or hang up; the AI, a menu and the
// fallback's flow need the server (docs/operations.md, "When no server answers").
void clinic_compiler::compile_unreachable(compiled_clinic& c) {
  c.unreachable = c.forward.number.empty() ? action_kind::voicemail : action_kind::forward;
  if (!source.unreachable) return;
  const ast::action_ref a = source.unreachable->value;
  if (a != ast::action_ref::forward && a != ast::action_ref::voicemail &&
      a != ast::action_ref::busy) {
    error<messages::unreachable_cannot_be>(source.unreachable->where, canonical_action(a));
    return;
  }
  if (!require_configured(static_cast<action_kind>(a), source.unreachable->where)) return;
  c.unreachable = static_cast<action_kind>(a);
}

// Reports E043 when `action` needs a block the clinic lacks.
bool clinic_compiler::require_configured(action_kind action, const location& where) {
  if (action == action_kind::forward && (!source.forward || !source.forward->number)) {
    error<messages::forward_not_configured>(where);
    return false;
  }
  if (action == action_kind::menu && !source.menu) {
    error<messages::menu_not_configured>(where);
    return false;
  }
  return true;
}

std::optional<action_kind> clinic_compiler::step(const ast::located<ast::action_ref>& a,
                                                 action_kind fallback, action_kind never,
                                                 std::string_view what) {
  const bool named_fallback = a.value == ast::action_ref::fallback;
  const action_kind concrete = named_fallback ? fallback : static_cast<action_kind>(a.value);
  if (concrete == never) {
    using namespace messages;
    if (never == action_kind::menu) {
      named_fallback ? error<menu_leads_to_menu_by_fallback>(a.where, what) : error<menu_leads_to_menu>(a.where, what);
    } else if (never == action_kind::ai) {
      named_fallback ? error<ai_unavailable_is_ai_by_fallback>(a.where, what)
                     : error<ai_unavailable_is_ai>(a.where, what);
    } else {
      named_fallback ? error<forward_unanswered_is_forward_by_fallback>(a.where, what)
                     : error<forward_unanswered_is_forward>(a.where, what);
    }
    return std::nullopt;
  }
  if (!require_configured(concrete, a.where)) return std::nullopt;
  return concrete;
}

// "Press 1 to speak with our assistant. Press 2 to reach our staff."
std::string clinic_compiler::composed_menu_say(const menu_config& m) {
  static constexpr std::array<std::string_view, action_count> what{
      "to speak with our assistant", "to leave a message",          "to reach our staff",
      "to hear our message",         "to hear these options again", "to end the call",
      "to be called back"};
  std::string out;
  for (std::size_t k = 0; k < menu_key_count; ++k) {
    if (!m.keys[k]) continue;
    const char key = menu_key_char(k);
    out += fmt::format("{}Press {} {}.", out.empty() ? "" : " ",
                       key == '*' ? std::string("star") : std::string(1, key),
                       what.at(static_cast<std::size_t>(*m.keys[k])));
  }
  return out;
}

void clinic_compiler::compile_menu(compiled_clinic& c) {
  if (!source.menu) return;
  const ast::menu_block& m = *source.menu;
  c.menu.configured = true;
  if (m.keys.empty()) {
    error<messages::menu_without_keys>(m.where);
  }
  std::array<const ast::menu_key*, menu_key_count> seen{};
  for (const ast::menu_key& k : m.keys) {
    const auto index = static_cast<std::size_t>(menu_key_index(k.key));
    if (const ast::menu_key* first = seen[index]) {
      error<messages::menu_key_mapped_twice>(k.where, k.key, where_text(first->where));
      continue;
    }
    seen[index] = &k;
    c.menu.keys[index] = step(k.action, c.fallback, action_kind::menu, fmt::format("menu key {}", k.key));
  }
  if (m.on_timeout) {
    if (const auto a = step(*m.on_timeout, c.fallback, action_kind::menu, "the menu's timeout")) {
      c.menu.on_timeout = *a;
    }
  }
  if (m.timeout_seconds) c.menu.timeout_seconds = *m.timeout_seconds;
  c.menu.say = m.say ? *m.say : composed_menu_say(c.menu);
}

void clinic_compiler::compile_callback(compiled_clinic& c) {
  if (!source.callback) return;
  const ast::callback_block& b = *source.callback;
  if (b.say) c.callback.say = *b.say;
  if (b.confirm) c.callback.confirm = *b.confirm;
  if (b.timeout_seconds) c.callback.timeout_seconds = *b.timeout_seconds;
  if (!b.otherwise) return;
  const bool named_fallback = b.otherwise->value == ast::action_ref::fallback;
  const action_kind next = named_fallback ? c.fallback : static_cast<action_kind>(b.otherwise->value);
  if (next == action_kind::callback || next == action_kind::menu) {
    const std::string_view name = action_name(next);
    named_fallback ? error<messages::callback_otherwise_loops_by_fallback>(b.otherwise->where, name)
                   : error<messages::callback_otherwise_loops>(b.otherwise->where, name);
    return;
  }
  if (require_configured(next, b.otherwise->where)) c.callback.otherwise = next;
}

void clinic_compiler::compile_region(compiled_clinic& c) {
  if (source.region && !is_known_region(source.region->value)) {
    error<messages::unknown_region_code>(source.region->where, source.region->value);
  }
  c.region = clinic_region(source);
}

void clinic_compiler::compile_actions(compiled_clinic& c) {
  if (source.ai) {
    const ast::ai_block& ai = *source.ai;
    c.ai.type = ai.type == ast::ai_block::kind::sip        ? ai_config::kind::sip
                : ai.type == ast::ai_block::kind::redirect ? ai_config::kind::redirect
                                                           : ai_config::kind::server_default;
    c.ai.target = ai.target;
    if (ai.timeout_seconds) c.ai.timeout_seconds = *ai.timeout_seconds;
    if (ai.capacity) {
      if (ai.capacity->value == 0) {
        error<messages::ai_takes_no_call>(ai.capacity->where);
      } else {
        c.ai.capacity = ai.capacity->value;
      }
    }
    if (ai.unavailable) {
      if (const auto a = step(*ai.unavailable, c.fallback, action_kind::ai, "the AI's 'unavailable'")) {
        c.ai.unavailable = *a;
      }
    }
  }
  if (source.forward) {
    if (source.forward->number) {
      c.forward.number = source.forward->number->value;
      const auto own = [&](const std::vector<std::string>& numbers) {
        return std::find(numbers.begin(), numbers.end(), c.forward.number) != numbers.end();
      };
      if (own(c.ported) || own(c.forwarded)) {
        error<messages::forward_to_own_number>(source.forward->number->where, c.forward.number);
      }
    }
    if (source.forward->say) c.forward.say = *source.forward->say;
    if (source.forward->timeout_seconds)
      c.forward.timeout_seconds = *source.forward->timeout_seconds;
    if (source.forward->unanswered) {
      if (const auto a =
              step(*source.forward->unanswered, c.fallback, action_kind::forward, "a forward's 'unanswered'")) {
        c.forward.unanswered = *a;
      }
    }
    if (source.forward->caller_id) c.forward.caller_id = source.forward->caller_id->value;
    if (source.forward->screen) c.forward.screen = source.forward->screen->value;
    // Twilio accepts as caller ID only the calling or called number or one
    // it has verified (error 13214); a PBX call's are SIP addresses, so a
    // clinic with no number of its own has nothing valid to show.
    if (source.forward->number && c.forward.caller_id.empty() && !c.sip_users.empty() &&
        c.ported.empty() && c.forwarded.empty()) {
      report<messages::sip_forward_without_caller_id>(sink, source.forward->number->where, c.forward.number);
    }
  }
  compile_unreachable(c);
  compile_menu(c);
  compile_callback(c);
  compile_region(c);
  if (source.notify && source.notify->url) {
    const std::string& url = source.notify->url->value;
    const std::string_view rest = url.starts_with("https://") ? std::string_view(url).substr(8)
                                  : url.starts_with("http://") ? std::string_view(url).substr(7)
                                                               : std::string_view();
    const bool has_host = !rest.empty() && rest.front() != '/' && rest.front() != ':' &&
                          rest.find_first_of(" \t\r\n\"<>") == std::string_view::npos;
    if (has_host) {
      c.notify_url = url;
    } else {
      error<messages::notify_url_not_http>(source.notify->url->where, url);
    }
  }
  c.voicemail.greeting = fmt::format("Thank you for calling {}. Please leave a message.", c.name);
  if (source.voicemail) {
    if (source.voicemail->greeting) c.voicemail.greeting = *source.voicemail->greeting;
    if (source.voicemail->max_seconds) c.voicemail.max_seconds = *source.voicemail->max_seconds;
  }
  if (source.busy) {
    if (source.busy->say) c.busy.say = *source.busy->say;
    c.busy.reject = source.busy->reject;
  }
}

std::optional<compiled_clinic> compile_clinic(const ast::clinic& source,
                                              calendar_resolver& calendars, diagnostic_sink& sink) {
  return clinic_compiler{source, calendars, sink}.compile();
}

}  // namespace callpolicy
