#include "authoring/formatter.h"

#include <algorithm>
#include <array>
#include <limits>
#include <variant>

#include <fmt/format.h>

#include "compiler/canonical.h"
#include "compiler/parser.h"
#include "model/holiday_text.h"

namespace callpolicy {
namespace {

constexpr std::uint32_t no_line = 0;  // closing braces and blank lines: not tied to a source line

struct out_line {
  std::string text;
  std::uint32_t source_line = no_line;
  bool opens_block = false;
};

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

class writer {
 public:
  void line(int depth, std::string text, std::uint32_t source_line, bool opens_block = false) {
    lines_.push_back({std::string(static_cast<std::size_t>(depth) * 2, ' ') + std::move(text), source_line,
                      opens_block});
  }
  void blank() { lines_.push_back({"", no_line, false}); }
  std::vector<out_line>& lines() { return lines_; }

 private:
  std::vector<out_line> lines_;
};

std::string holiday_head(const ast::holiday_entry& e) {
  return e.type == ast::holiday_entry::kind::use ? "use " + e.calendar : holiday_rule_text(e.rule);
}

std::string holiday_text(const ast::holiday_entry& e, std::size_t width) {
  const std::string head = holiday_head(e);
  if (e.type == ast::holiday_entry::kind::use) return head;
  const std::string labelled = e.rule.label.empty() ? head : pad(head, width) + " " + quoted(e.rule.label);
  return labelled + holiday_observed_text(e.rule);
}

std::size_t holiday_head_width(const std::vector<ast::holiday_entry>& entries) {
  std::size_t width = 0;
  for (const auto& e : entries) {
    if (e.type == ast::holiday_entry::kind::use) continue;
    width = std::max(width, holiday_head(e).size());
  }
  return width;
}

std::vector<window> values(const std::vector<ast::located<window>>& windows) {
  std::vector<window> out;
  for (const auto& w : windows) out.push_back(w.value);
  return out;
}

// Items of a clinic, in source order.
using clinic_item = std::variant<const ast::located<std::string>*, const ast::numbers_block*,
                                 const ast::block<ast::hours_line>*, const ast::block<ast::holiday_entry>*,
                                 const ast::block<ast::special_entry>*, const ast::located<std::uint32_t>*,
                                 const ast::block<ast::schedule_line>*, const ast::located<ast::mode_kind>*,
                                 const ast::located<ast::action_ref>*, const ast::block<ast::route_rule>*,
                                 const ast::ai_block*, const ast::forward_block*, const ast::menu_block*,
                                 const ast::callback_block*, const ast::notify_block*, const ast::voicemail_block*,
                                 const ast::busy_block*>;

class formatter {
 public:
  explicit formatter(writer& w) : w_(w) {}

  void clinic(const ast::clinic& c) {
    w_.line(0, "clinic " + c.id + " {", c.where.line, true);
    struct entry {
      location where;
      std::string key;
      clinic_item item;
    };
    std::vector<entry> items;
    auto add_string = [&](const std::optional<ast::located<std::string>>& s, const char* key) {
      if (s) items.push_back({s->where, key, &*s});
    };
    add_string(c.name, "name");
    add_string(c.timezone, "timezone");
    add_string(c.language, "language");
    add_string(c.voice, "voice");
    add_string(c.region, "region");
    if (c.numbers) items.push_back({c.numbers->where, "numbers", &*c.numbers});
    if (c.hours) items.push_back({c.hours->where, "hours", &*c.hours});
    if (c.holidays) items.push_back({c.holidays->where, "holidays", &*c.holidays});
    if (c.special) items.push_back({c.special->where, "special", &*c.special});
    if (c.overflow) items.push_back({c.overflow->where, "overflow", &*c.overflow});
    if (c.lines) items.push_back({c.lines->where, "lines", &*c.lines});
    if (c.schedule) items.push_back({c.schedule->where, "schedule", &*c.schedule});
    if (c.mode) items.push_back({c.mode->where, "mode", &*c.mode});
    if (c.fallback) items.push_back({c.fallback->where, "fallback", &*c.fallback});
    if (c.unreachable) items.push_back({c.unreachable->where, "unreachable", &*c.unreachable});
    if (c.route) items.push_back({c.route->where, "route", &*c.route});
    if (c.transfer) items.push_back({c.transfer->where, "transfer", &*c.transfer});
    if (c.ai) items.push_back({c.ai->where, "ai", &*c.ai});
    if (c.forward) items.push_back({c.forward->where, "forward", &*c.forward});
    if (c.menu) items.push_back({c.menu->where, "menu", &*c.menu});
    if (c.callback) items.push_back({c.callback->where, "callback", &*c.callback});
    if (c.notify) items.push_back({c.notify->where, "notify", &*c.notify});
    if (c.voicemail) items.push_back({c.voicemail->where, "voicemail", &*c.voicemail});
    if (c.busy) items.push_back({c.busy->where, "busy", &*c.busy});
    std::stable_sort(items.begin(), items.end(), [](const entry& a, const entry& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    for (const entry& e : items) {
      const std::string key = pad(e.key, std::max<std::size_t>(9, e.key.size() + 1));
      std::visit(
          [&](const auto* item) { emit(key, e.key, *item); }, e.item);
    }
    w_.line(0, "}", no_line);
  }

  void calendar(const ast::calendar& c) {
    w_.line(0, "calendar " + c.name + " {", c.where.line, true);
    const std::size_t width = holiday_head_width(c.entries);
    for (const auto& e : c.entries) w_.line(1, holiday_text(e, width), e.where.line);
    w_.line(0, "}", no_line);
  }

  void test(const ast::test_case& t) {
    w_.line(0, "test " + quoted(t.name) + " {", t.where.line, true);
    struct entry {
      location where;
      std::string text;
    };
    std::vector<entry> items;
    auto key = [](const char* k) { return pad(k, 7); };
    if (t.clinic) items.push_back({t.clinic->where, key("clinic") + t.clinic->value});
    if (t.at) items.push_back({t.at->where, key("at") + date_time_text(t.at->value)});
    if (t.calls) items.push_back({t.calls->where, key("calls") + std::to_string(t.calls->value)});
    if (t.mean_call) items.push_back({t.mean_call->where, "mean-call " + canonical_duration(t.mean_call->value)});
    if (t.caller) items.push_back({t.caller->where, key("caller") + caller_text(t.caller->value)});
    if (t.via) items.push_back({t.via->where, key("via") + std::string(via_name(t.via->value))});
    if (t.digits) {
      items.push_back({t.digits->where, key("digits") + (t.digits->value.empty() ? "none" : t.digits->value)});
    }
    if (t.dial) items.push_back({t.dial->where, key("dial") + t.dial->value});
    if (t.ai) items.push_back({t.ai->where, key("ai") + t.ai->value});
    if (t.transfer) items.push_back({t.transfer->where, "transfer " + caller_text(t.transfer->value)});
    if (t.expect) items.push_back({t.expect->where, key("expect") + std::string(canonical_action(t.expect->value))});
    if (t.reason) items.push_back({t.reason->where, key("reason") + quoted(t.reason->value)});
    std::stable_sort(items.begin(), items.end(), [](const entry& a, const entry& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    for (const entry& e : items) w_.line(1, e.text, e.where.line);
    w_.line(0, "}", no_line);
  }

 private:
  // A test's caller as written: E.164 and plain digits bare, other forms quoted.
  static std::string caller_text(const std::string& caller) {
    const bool bare = !caller.empty() && caller.find_first_not_of("+0123456789") == std::string::npos &&
                      caller.find('+', 1) == std::string::npos;
    return bare ? caller : quoted(caller);
  }

  static std::string date_time_text(const ast::date_time& dt) {
    std::string out = format_date(dt.date) + "T" + format_clock(static_cast<std::uint16_t>(dt.seconds / 60));
    if (dt.seconds % 60) out += fmt::format(":{:02}", dt.seconds % 60);
    if (dt.offset_minutes) {
      const int o = *dt.offset_minutes;
      if (o == 0) {
        out += "Z";
      } else {
        out += fmt::format("{}{:02}:{:02}", o < 0 ? '-' : '+', std::abs(o) / 60, std::abs(o) % 60);
      }
    }
    return out;
  }

  void emit(const std::string& key, const std::string&, const ast::located<std::string>& s) {
    w_.line(1, key + quoted(s.value), s.where.line);
  }
  void emit(const std::string& key, const std::string&, const ast::located<std::uint32_t>& n) {
    w_.line(1, key + std::to_string(n.value), n.where.line);
  }
  void emit(const std::string& key, const std::string&, const ast::located<ast::mode_kind>& m) {
    w_.line(1, key + std::string(canonical_mode(m.value)), m.where.line);
  }
  void emit(const std::string& key, const std::string&, const ast::located<ast::action_ref>& a) {
    w_.line(1, key + std::string(canonical_action(a.value)), a.where.line);
  }
  void emit(const std::string&, const std::string&, const ast::numbers_block& n) {
    w_.line(1, "numbers {", n.where.line, true);
    auto list = [&](const std::vector<ast::located<std::string>>& values, const char* kind) {
      if (values.empty()) return;
      std::string joined;
      for (const auto& v : values) joined += (joined.empty() ? "" : ", ") + v.value;
      w_.line(2, pad(kind, 10) + joined, values.front().where.line);
    };
    // Kinds in source order of their first value.
    std::vector<std::pair<const std::vector<ast::located<std::string>>*, const char*>> kinds{
        {&n.ported, "ported"}, {&n.forwarded, "forwarded"}, {&n.sip, "sip"}};
    std::stable_sort(kinds.begin(), kinds.end(), [](const auto& a, const auto& b) {
      const auto line = [](const auto* v) { return v->empty() ? std::numeric_limits<std::uint32_t>::max() : v->front().where.line; };
      return line(a.first) < line(b.first);
    });
    for (const auto& [values, kind] : kinds) list(*values, kind);
    w_.line(1, "}", no_line);
  }
  void emit(const std::string&, const std::string&, const ast::block<ast::hours_line>& b) {
    w_.line(1, "hours {", b.where.line, true);
    std::size_t width = 0;
    for (const auto& l : b.items) width = std::max(width, canonical_days(l.days).size());
    for (const auto& l : b.items) {
      w_.line(2, pad(canonical_days(l.days), width) + "  " + canonical_windows(values(l.windows)), l.where.line);
    }
    w_.line(1, "}", no_line);
  }
  void emit(const std::string&, const std::string&, const ast::block<ast::holiday_entry>& b) {
    w_.line(1, "holidays {", b.where.line, true);
    const std::size_t width = holiday_head_width(b.items);
    for (const auto& e : b.items) w_.line(2, holiday_text(e, width), e.where.line);
    w_.line(1, "}", no_line);
  }
  void emit(const std::string&, const std::string&, const ast::block<ast::special_entry>& b) {
    w_.line(1, "special {", b.where.line, true);
    std::size_t width = 0;
    for (const auto& s : b.items) width = std::max(width, canonical_dates(s.dates).size());
    for (const auto& s : b.items) {
      const std::string hours = s.windows.empty() ? "closed" : canonical_windows(values(s.windows));
      w_.line(2, pad(canonical_dates(s.dates), width) + "  " + hours, s.where.line);
    }
    w_.line(1, "}", no_line);
  }
  void emit(const std::string&, const std::string&, const ast::block<ast::schedule_line>& b) {
    w_.line(1, "schedule {", b.where.line, true);
    for (const auto& s : b.items) {
      std::string text = pad(s.enable ? "enable" : "disable", 8);
      text += s.dates ? canonical_dates(*s.dates) : canonical_days(s.days.value_or(0));
      if (!s.windows.empty()) text += " " + canonical_windows(values(s.windows));
      w_.line(2, text, s.where.line);
    }
    w_.line(1, "}", no_line);
  }
  void emit(const std::string&, const std::string& keyword, const ast::block<ast::route_rule>& b) {
    w_.line(1, keyword + " {", b.where.line, true);
    std::vector<std::string> conditions;
    std::size_t width = 0;
    std::size_t action_width = 0;
    for (const auto& r : b.items) {
      conditions.push_back(r.when ? canonical_condition(*r.when) : "otherwise");
      width = std::max(width, conditions.back().size());
      if (r.label) action_width = std::max(action_width, canonical_action(r.action.value).size());
    }
    for (std::size_t i = 0; i < b.items.size(); ++i) {
      const auto& r = b.items[i];
      std::string text = pad(conditions[i], width) + " -> ";
      if (r.label) {
        text += pad(std::string(canonical_action(r.action.value)), action_width) + " as " + quoted(r.label->value);
      } else {
        text += canonical_action(r.action.value);
      }
      w_.line(2, text, r.where.line);
    }
    w_.line(1, "}", no_line);
  }
  void emit(const std::string& key, const std::string&, const ast::ai_block& a) {
    std::string inner;
    if (a.type == ast::ai_block::kind::sip) inner += " sip " + quoted(a.target);
    if (a.type == ast::ai_block::kind::redirect) inner += " redirect " + quoted(a.target);
    if (a.timeout_seconds) inner += " timeout " + canonical_duration(*a.timeout_seconds);
    if (a.unavailable) inner += " unavailable " + std::string(canonical_action(a.unavailable->value));
    if (a.capacity) inner += " capacity " + std::to_string(a.capacity->value);
    w_.line(1, key + "{" + inner + " }", a.where.line);
  }
  void emit(const std::string& key, const std::string&, const ast::forward_block& f) {
    std::string text = key;
    if (f.number) text += f.number->value;
    std::string inner;
    if (f.say) inner += " say " + quoted(*f.say);
    if (f.timeout_seconds) inner += " timeout " + canonical_duration(*f.timeout_seconds);
    if (f.unanswered) inner += " unanswered " + std::string(canonical_action(f.unanswered->value));
    if (f.caller_id) inner += " caller-id " + f.caller_id->value;
    if (f.screen) inner += " screen " + quoted(f.screen->value);
    if (!inner.empty()) text += std::string(f.number ? " " : "") + "{" + inner + " }";
    w_.line(1, text, f.where.line);
  }
  void emit(const std::string&, const std::string&, const ast::menu_block& m) {
    w_.line(1, "menu {", m.where.line, true);
    std::vector<std::pair<location, std::string>> items;  // in source order
    if (m.say) items.emplace_back(m.say_where, "say " + quoted(*m.say));
    for (const ast::menu_key& k : m.keys) {
      items.emplace_back(k.where, fmt::format("{} -> {}", k.key, canonical_action(k.action.value)));
    }
    if (m.on_timeout) {
      std::string text = "timeout ";
      if (m.timeout_seconds) text += canonical_duration(*m.timeout_seconds) + " ";
      items.emplace_back(m.on_timeout->where, text + "-> " + std::string(canonical_action(m.on_timeout->value)));
    }
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first.line, a.first.column) < std::tie(b.first.line, b.first.column);
    });
    for (const auto& [where, text] : items) w_.line(2, text, where.line);
    w_.line(1, "}", no_line);
  }
  void emit(const std::string& key, const std::string&, const ast::callback_block& b) {
    std::string inner;
    if (b.say) inner += " say " + quoted(*b.say);
    if (b.confirm) inner += " confirm " + quoted(*b.confirm);
    if (b.timeout_seconds) inner += " timeout " + canonical_duration(*b.timeout_seconds);
    if (b.otherwise) inner += " otherwise " + std::string(canonical_action(b.otherwise->value));
    w_.line(1, key + "{" + inner + " }", b.where.line);
  }
  void emit(const std::string& key, const std::string&, const ast::notify_block& n) {
    w_.line(1, key + "{" + (n.url ? " url " + quoted(n.url->value) : std::string()) + " }", n.where.line);
  }
  void emit(const std::string& key, const std::string&, const ast::voicemail_block& v) {
    std::string inner;
    if (v.greeting) inner += " greeting " + quoted(*v.greeting);
    if (v.max_seconds) inner += " max " + canonical_duration(*v.max_seconds);
    w_.line(1, key + "{" + inner + " }", v.where.line);
  }
  void emit(const std::string& key, const std::string&, const ast::busy_block& b) {
    std::string inner;
    if (b.say) inner += " say " + quoted(*b.say);
    if (b.reject) inner += " reject";
    w_.line(1, key + "{" + inner + " }", b.where.line);
  }

  writer& w_;
};

bool blank_source_line(std::string_view text, std::uint32_t line) {
  if (line == 0) return false;
  std::uint32_t current = 1;
  std::size_t start = 0;
  while (current < line) {
    const auto newline = text.find('\n', start);
    if (newline == std::string_view::npos) return false;
    start = newline + 1;
    ++current;
  }
  const std::string_view l = text.substr(start, text.find('\n', start) - start);
  return l.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string indentation_of(const std::vector<out_line>& lines, std::size_t at) {
  for (std::size_t i = at; i < lines.size(); ++i) {
    if (lines[i].text.empty()) continue;
    const std::string& t = lines[i].text;
    return t.substr(0, t.find_first_not_of(' '));
  }
  return {};
}

}  // namespace

std::string format_policy(const ast::policy_file& file, std::string_view text) {
  writer w;
  formatter f(w);
  struct top {
    std::uint32_t line;
    int kind;
    std::size_t index;
  };
  std::vector<top> tops;
  for (std::size_t i = 0; i < file.clinics.size(); ++i) tops.push_back({file.clinics[i].where.line, 0, i});
  for (std::size_t i = 0; i < file.calendars.size(); ++i) tops.push_back({file.calendars[i].where.line, 1, i});
  for (std::size_t i = 0; i < file.tests.size(); ++i) tops.push_back({file.tests[i].where.line, 2, i});
  std::stable_sort(tops.begin(), tops.end(), [](const top& a, const top& b) { return a.line < b.line; });
  for (std::size_t i = 0; i < tops.size(); ++i) {
    if (i) w.blank();
    const top& t = tops[i];
    if (t.kind == 0) f.clinic(file.clinics[t.index]);
    if (t.kind == 1) f.calendar(file.calendars[t.index]);
    if (t.kind == 2) f.test(file.tests[t.index]);
  }
  std::vector<out_line>& lines = w.lines();

  // Trailing comments: to the last line written from their source line.
  std::vector<const ast::comment*> own_line;
  for (const ast::comment& c : file.comments) {
    if (c.own_line) {
      own_line.push_back(&c);
      continue;
    }
    out_line* target = nullptr;
    for (out_line& l : lines) {
      if (l.source_line == c.where.line) target = &l;
    }
    if (target) {
      target->text += "  " + c.text;
    } else {
      own_line.push_back(&c);  // its line wrote nothing of its own (a closing brace)
    }
  }
  // Own-line comments: before the first line written from a later source line.
  std::stable_sort(own_line.begin(), own_line.end(),
                   [](const ast::comment* a, const ast::comment* b) { return a->where.line < b->where.line; });
  std::vector<out_line> merged;
  std::size_t next = 0;
  for (std::size_t i = 0; i <= lines.size(); ++i) {
    const bool at_end = i == lines.size();
    while (next < own_line.size() &&
           (at_end || (lines[i].source_line != no_line && lines[i].source_line > own_line[next]->where.line))) {
      // After the blank line that separates top-level blocks, so it stays with the block it precedes.
      const std::string indent = at_end ? std::string() : indentation_of(lines, i);
      merged.push_back(out_line{indent + own_line[next]->text, own_line[next]->where.line, false});
      ++next;
    }
    if (!at_end) merged.push_back(lines[i]);
  }
  // Keep one blank line where the source had one before an item or comment,
  // and a byte-order mark the file began with.
  std::string out(text.starts_with(utf8_bom) ? utf8_bom : std::string_view());
  for (std::size_t i = 0; i < merged.size(); ++i) {
    const out_line& l = merged[i];
    const bool after_open = i > 0 && merged[i - 1].opens_block;
    const bool after_blank = i > 0 && merged[i - 1].text.empty();
    if (i > 0 && !after_open && !after_blank && l.source_line != no_line && !l.text.empty() &&
        blank_source_line(text, l.source_line - 1)) {
      out += '\n';
    }
    out += l.text;
    out += '\n';
  }
  return out;
}

}  // namespace callpolicy
