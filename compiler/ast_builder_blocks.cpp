// A file's items and a clinic's blocks.
#include "compiler/ast_builder.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "grammar/policy_grammar.h"

namespace callpolicy::detail {

namespace g = callpolicy::grammar;

void ast_builder::build_file(const node& root, ast::policy_file& file,
                             const std::vector<std::size_t>& error_offsets) {
  std::vector<bool> inside_an_item(error_offsets.size(), false);
  // Whether an error lies in `n`, marking those that do.
  const auto broken = [&](const node& n) {
    bool any = false;
    for (std::size_t i = 0; i < error_offsets.size(); ++i) {
      if (n.begin().byte <= error_offsets[i] && error_offsets[i] <= n.end().byte) {
        inside_an_item[i] = true;
        any = true;
      }
    }
    return any;
  };
  for (const auto& child : root.children) {
    if (child->is_type<g::clinic>()) {
      ast::clinic c = build_clinic(*child);
      c.incomplete = broken(*child);
      if (!file.clinics.empty()) {
        const ast::clinic& first = file.clinics.front();
        report<messages::second_clinic_in_file>(sink_, c.where, c.id, first.id, first.where.line,
                                                first.where.column);
      }
      file.clinics.push_back(std::move(c));
    } else if (child->is_type<g::calendar>()) {
      broken(*child);
      file.calendars.push_back(build_calendar(*child));
    } else if (child->is_type<g::test_block>()) {
      file.tests.push_back(build_test(*child));
      file.tests.back().incomplete = broken(*child);
    }
  }
  file.lost_items =
      std::find(inside_an_item.begin(), inside_an_item.end(), false) != inside_an_item.end();
}

ast::clinic ast_builder::build_clinic(const node& n) {
  ast::clinic c;
  const node* id = child_of<g::clinic_id>(n);
  c.id = id ? id->string() : "";
  c.where = id ? where(*id) : where(n);
  for (const auto& item_ptr : n.children) {
    const node& item = *item_ptr;
    auto string_item = [&](std::optional<ast::located<std::string>>& slot, std::string_view what) {
      if (!first_time(slot, item, what)) return;
      if (const node* s = child_of<g::string_literal>(item)) {
        slot = ast::located<std::string>{string_value(*s), where(*s)};
      }
    };
    if (item.is_type<g::name_item>()) {
      string_item(c.name, "name");
    } else if (item.is_type<g::timezone_item>()) {
      string_item(c.timezone, "timezone");
    } else if (item.is_type<g::language_item>()) {
      string_item(c.language, "language");
    } else if (item.is_type<g::voice_item>()) {
      string_item(c.voice, "voice");
    } else if (item.is_type<g::region_item>()) {
      string_item(c.region, "region");
    } else if (item.is_type<g::overflow_item>()) {
      if (!first_time(c.overflow, item, "overflow")) continue;
      if (const node* v = child_of<g::integer>(item)) {
        if (auto value = integer_value(*v))
          c.overflow = ast::located<std::uint32_t>{*value, where(*v)};
      }
    } else if (item.is_type<g::lines_item>()) {
      if (!first_time(c.lines, item, "lines")) continue;
      if (const node* v = child_of<g::integer>(item)) {
        if (auto value = integer_value(*v)) c.lines = ast::located<std::uint32_t>{*value, where(*v)};
      }
    } else if (item.is_type<g::mode_item>()) {
      if (!first_time(c.mode, item, "mode")) continue;
      if (const node* v = child_of<g::mode_name>(item)) {
        static constexpr std::array<std::string_view, 5> names{
            "always", "after-hours-only", "overflow-only", "scheduled", "disabled"};
        const auto at = std::find(names.begin(), names.end(), v->string()) - names.begin();
        c.mode = ast::located<ast::mode_kind>{static_cast<ast::mode_kind>(at), where(*v)};
      }
    } else if (item.is_type<g::fallback_item>()) {
      if (!first_time(c.fallback, item, "fallback")) continue;
      if (const node* v = child_of<g::action_name>(item)) {
        c.fallback = ast::located<ast::action_ref>{action_value(*v), where(*v)};
      }
    } else if (item.is_type<g::unreachable_item>()) {
      if (!first_time(c.unreachable, item, "unreachable")) continue;
      if (const node* v = child_of<g::action_name>(item)) {
        c.unreachable = ast::located<ast::action_ref>{action_value(*v), where(*v)};
      }
    } else if (item.is_type<g::numbers_block>()) {
      if (!first_time(c.numbers, item, "numbers")) continue;
      c.numbers = build_numbers(item);
    } else if (item.is_type<g::hours_block>()) {
      if (!first_time(c.hours, item, "hours")) continue;
      c.hours = build_hours(item);
    } else if (item.is_type<g::holidays_block>()) {
      if (!first_time(c.holidays, item, "holidays")) continue;
      c.holidays = ast::block<ast::holiday_entry>{build_holiday_entries(item), where(item)};
    } else if (item.is_type<g::special_block>()) {
      if (!first_time(c.special, item, "special")) continue;
      c.special = build_special(item);
    } else if (item.is_type<g::schedule_block>()) {
      if (!first_time(c.schedule, item, "schedule")) continue;
      c.schedule = build_schedule(item);
    } else if (item.is_type<g::route_block>()) {
      if (!first_time(c.route, item, "route")) continue;
      c.route = build_route(item);
    } else if (item.is_type<g::transfer_block>()) {
      if (!first_time(c.transfer, item, "transfer")) continue;
      c.transfer = build_route(item);
    } else if (item.is_type<g::ai_block>()) {
      if (!first_time(c.ai, item, "ai")) continue;
      c.ai = build_ai(item);
    } else if (item.is_type<g::forward_block>()) {
      if (!first_time(c.forward, item, "forward")) continue;
      c.forward = build_forward(item);
    } else if (item.is_type<g::menu_block>()) {
      if (!first_time(c.menu, item, "menu")) continue;
      c.menu = build_menu(item);
    } else if (item.is_type<g::notify_block>()) {
      if (!first_time(c.notify, item, "notify")) continue;
      ast::notify_block b;
      b.where = where(item);
      for (const auto& entry : item.children) {
        if (!entry->is_type<g::notify_url_item>()) continue;
        if (b.url) {
          report<messages::item_given_twice>(sink_, where(*entry), "url");
          continue;
        }
        const node* v = child_of<g::string_literal>(*entry);
        b.url = ast::located<std::string>{string_value(*v), where(*v)};
      }
      c.notify = std::move(b);
    } else if (item.is_type<g::callback_block>()) {
      if (!first_time(c.callback, item, "callback")) continue;
      c.callback = build_callback(item);
    } else if (item.is_type<g::voicemail_block>()) {
      if (!first_time(c.voicemail, item, "voicemail")) continue;
      c.voicemail = build_voicemail(item);
    } else if (item.is_type<g::busy_block>()) {
      if (!first_time(c.busy, item, "busy")) continue;
      c.busy = build_busy(item);
    }
  }
  return c;
}

ast::numbers_block ast_builder::build_numbers(const node& n) {
  ast::numbers_block b;
  b.where = where(n);
  for (const auto& item : n.children) {
    if (item->is_type<g::numbers_ported>()) {
      auto phones = phones_of(*item);
      b.ported.insert(b.ported.end(), phones.begin(), phones.end());
    } else if (item->is_type<g::numbers_forwarded>()) {
      auto phones = phones_of(*item);
      b.forwarded.insert(b.forwarded.end(), phones.begin(), phones.end());
    } else if (item->is_type<g::numbers_sip>()) {
      for (const auto& s : item->children) {
        if (s->is_type<g::slug>()) b.sip.push_back({s->string(), where(*s)});
      }
    }
  }
  return b;
}

ast::block<ast::hours_line> ast_builder::build_hours(const node& n) {
  ast::block<ast::hours_line> b;
  b.where = where(n);
  for (const auto& line : n.children) {
    if (!line->is_type<g::hours_line>()) continue;
    ast::hours_line h;
    h.where = where(*line);
    h.days = days_of(*line).value_or(0);
    h.windows = windows_of(*line);
    b.items.push_back(std::move(h));
  }
  return b;
}

ast::block<ast::special_entry> ast_builder::build_special(const node& n) {
  ast::block<ast::special_entry> b;
  b.where = where(n);
  for (const auto& e : n.children) {
    if (!e->is_type<g::special_entry>()) continue;
    const auto dates = dates_of(*e);
    if (!dates) continue;
    ast::special_entry s;
    s.where = where(*e);
    s.dates = *dates;
    s.windows = windows_of(*e);
    if (s.windows.empty() && !child_of<g::closed_keyword>(*e)) continue;  // bad windows, reported
    b.items.push_back(std::move(s));
  }
  return b;
}

ast::block<ast::schedule_line> ast_builder::build_schedule(const node& n) {
  ast::block<ast::schedule_line> b;
  b.where = where(n);
  for (const auto& e : n.children) {
    if (!e->is_type<g::schedule_line>()) continue;
    ast::schedule_line s;
    s.where = where(*e);
    s.enable = child_of<g::schedule_enable>(*e) != nullptr;
    if (has_dates(*e)) {
      s.dates = dates_of(*e);
      if (!s.dates) continue;
    } else {
      s.days = days_of(*e);
      if (!s.days) continue;
    }
    s.windows = windows_of(*e);
    b.items.push_back(std::move(s));
  }
  return b;
}

ast::ai_block ast_builder::build_ai(const node& n) {
  ast::ai_block b;
  b.where = where(n);
  bool seen = false;
  for (const auto& item : n.children) {
    if (item->is_type<g::timeout_item>()) {
      b.timeout_seconds = duration_into(b.timeout_seconds, *item, "timeout");
      continue;
    }
    if (item->is_type<g::capacity_item>()) {
      if (!first_time(b.capacity, *item, "capacity")) continue;
      if (const node* v = child_of<g::integer>(*item)) {
        if (auto value = integer_value(*v)) b.capacity = ast::located<std::uint32_t>{*value, where(*v)};
      }
      continue;
    }
    if (item->is_type<g::unavailable_item>()) {
      if (!first_time(b.unavailable, *item, "unavailable")) continue;
      const node* v = child_of<g::step_action>(*item);
      b.unavailable = ast::located<ast::action_ref>{action_value(*v), where(*v)};
      continue;
    }
    const bool sip = item->is_type<g::ai_sip>();
    if (!sip && !item->is_type<g::ai_redirect>()) continue;
    if (seen) {
      report<messages::ai_target_given_twice>(sink_, where(*item));
      continue;
    }
    seen = true;
    b.type = sip ? ast::ai_block::kind::sip : ast::ai_block::kind::redirect;
    b.target = string_value(*child_of<g::string_literal>(*item));
  }
  return b;
}

void ast_builder::say_into(std::optional<std::string>& slot, const node& item,
                           std::string_view block) {
  if (slot) {
    report<messages::say_given_twice>(sink_, where(item), block);
    return;
  }
  slot = string_value(*child_of<g::string_literal>(item));
}

std::optional<std::uint32_t> ast_builder::duration_into(const std::optional<std::uint32_t>& slot,
                                                        const node& item, std::string_view what) {
  if (slot) {
    report<messages::item_given_twice>(sink_, where(item), what);
    return slot;
  }
  return duration_value(*child_of<g::duration>(item));
}

ast::forward_block ast_builder::build_forward(const node& n) {
  ast::forward_block b;
  b.where = where(n);
  for (const auto& item : n.children) {
    if (item->is_type<g::forward_number>()) {
      if (auto number = phone_value(*item))
        b.number = ast::located<std::string>{*number, where(*item)};
    } else if (item->is_type<g::say_item>()) {
      say_into(b.say, *item, "forward");
    } else if (item->is_type<g::timeout_item>()) {
      b.timeout_seconds = duration_into(b.timeout_seconds, *item, "timeout");
    } else if (item->is_type<g::unanswered_item>()) {
      if (!first_time(b.unanswered, *item, "unanswered")) continue;
      const node* v = child_of<g::step_action>(*item);
      b.unanswered = ast::located<ast::action_ref>{action_value(*v), where(*v)};
    } else if (item->is_type<g::caller_id_item>()) {
      if (!first_time(b.caller_id, *item, "caller-id")) continue;
      const node* v = child_of<g::phone>(*item);
      if (auto number = phone_value(*v))
        b.caller_id = ast::located<std::string>{*number, where(*v)};
    } else if (item->is_type<g::screen_item>()) {
      if (!first_time(b.screen, *item, "screen")) continue;
      const node* v = child_of<g::string_literal>(*item);
      b.screen = ast::located<std::string>{string_value(*v), where(*v)};
    }
  }
  return b;
}

ast::menu_block ast_builder::build_menu(const node& n) {
  ast::menu_block b;
  b.where = where(n);
  for (const auto& item : n.children) {
    if (item->is_type<g::say_item>()) {
      if (!b.say) b.say_where = where(*item);
      say_into(b.say, *item, "menu");
    } else if (item->is_type<g::menu_key_item>()) {
      const node* action = child_of<g::step_action>(*item);
      b.keys.push_back({child_of<g::menu_key_value>(*item)->string()[0],
                        {action_value(*action), where(*action)},
                        where(*item)});
    } else if (item->is_type<g::menu_timeout_item>()) {
      if (!first_time(b.on_timeout, *item, "timeout")) continue;
      if (const node* d = child_of<g::duration>(*item)) b.timeout_seconds = duration_value(*d);
      const node* action = child_of<g::step_action>(*item);
      b.on_timeout = ast::located<ast::action_ref>{action_value(*action), where(*action)};
    }
  }
  return b;
}

ast::callback_block ast_builder::build_callback(const node& n) {
  ast::callback_block b;
  b.where = where(n);
  for (const auto& item : n.children) {
    if (item->is_type<g::say_item>()) {
      say_into(b.say, *item, "callback");
    } else if (item->is_type<g::confirm_item>()) {
      if (b.confirm) {
        report<messages::item_given_twice>(sink_, where(*item), "confirm");
      } else {
        b.confirm = string_value(*child_of<g::string_literal>(*item));
      }
    } else if (item->is_type<g::timeout_item>()) {
      b.timeout_seconds = duration_into(b.timeout_seconds, *item, "timeout");
    } else if (item->is_type<g::callback_otherwise_item>()) {
      if (!first_time(b.otherwise, *item, "otherwise")) continue;
      const node* v = child_of<g::step_action>(*item);
      b.otherwise = ast::located<ast::action_ref>{action_value(*v), where(*v)};
    }
  }
  return b;
}

ast::voicemail_block ast_builder::build_voicemail(const node& n) {
  ast::voicemail_block b;
  b.where = where(n);
  for (const auto& item : n.children) {
    if (item->is_type<g::greeting_item>()) {
      if (b.greeting) {
        report<messages::item_given_twice>(sink_, where(*item), "greeting");
      } else {
        b.greeting = string_value(*child_of<g::string_literal>(*item));
      }
    } else if (item->is_type<g::max_item>()) {
      b.max_seconds = duration_into(b.max_seconds, *item, "max");
    }
  }
  return b;
}

ast::busy_block ast_builder::build_busy(const node& n) {
  ast::busy_block b;
  b.where = where(n);
  for (const auto& item : n.children) {
    if (item->is_type<g::say_item>()) {
      say_into(b.say, *item, "busy");
    } else if (item->is_type<g::reject_item>()) {
      if (b.reject) {
        report<messages::reject_given_twice>(sink_, where(*item));
      }
      b.reject = true;
    }
  }
  return b;
}

}  // namespace callpolicy::detail
