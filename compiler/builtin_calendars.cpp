#include "compiler/builtin_calendars.h"

#include <algorithm>
#include <map>
#include <span>
#include <utility>

#include "compiler/clinic_compiler.h"
#include "compiler/parser.h"

namespace callpolicy {

// Made at build time from calendars/*.policy (cmake/embed_directory.cmake).
std::span<const std::pair<std::string_view, std::string_view>> builtin_calendar_texts();

namespace {

// The first `# ` line of a file, which names the jurisdiction and its law.
std::string_view first_comment(std::string_view text) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.starts_with("# ")) return line.substr(2);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return {};
}

struct parsed_builtins {
  std::vector<ast::policy_file> files;
  std::vector<builtin_calendar> calendars;
  std::map<std::string, const ast::calendar*> by_name;
  std::map<std::string, std::vector<holiday_rule>> rules;
  std::vector<diagnostic> problems;
};

const parsed_builtins& builtins() {
  static const parsed_builtins parsed = [] {
    parsed_builtins p;
    diagnostic_sink sink;
    const auto texts = builtin_calendar_texts();
    p.files.reserve(texts.size());
    for (const auto& [name, text] : texts) {
      // A built-in calendar's path is its name, so that a place in it reads
      // `ca-bc:12` (no policy file of a set is named without `.policy`).
      p.files.push_back(parse_policy(name, text, sink));
      const ast::policy_file& file = p.files.back();
      if (file.calendars.size() != 1 || file.calendars.front().name != name || !file.clinics.empty() ||
          !file.tests.empty()) {
        diagnostic d;
        d.level = severity::error;
        d.where = {std::string(name), 1, 1};
        d.message = "a built-in calendar's file must hold exactly the calendar it is named after";
        p.problems.push_back(d);
        continue;
      }
      p.by_name.emplace(file.calendars.front().name, &file.calendars.front());
      p.calendars.push_back({name, first_comment(text), &file.calendars.front()});
    }
    std::sort(p.calendars.begin(), p.calendars.end(),
              [](const builtin_calendar& a, const builtin_calendar& b) { return a.name < b.name; });
    calendar_resolver resolver(p.by_name, sink);
    for (const auto& [name, calendar] : p.by_name) p.rules[name] = resolver.resolve(name, calendar->where);
    for (const diagnostic& d : sink.all()) p.problems.push_back(d);
    return p;
  }();
  return parsed;
}

}  // namespace

const std::vector<builtin_calendar>& builtin_calendars() { return builtins().calendars; }

const builtin_calendar* find_builtin_calendar(std::string_view name) {
  const auto& all = builtins().calendars;
  const auto it = std::lower_bound(all.begin(), all.end(), name,
                                   [](const builtin_calendar& c, std::string_view n) { return c.name < n; });
  return it != all.end() && it->name == name ? &*it : nullptr;
}

const std::vector<diagnostic>& builtin_calendar_problems() { return builtins().problems; }

std::optional<std::vector<holiday_rule>> builtin_calendar_rules(std::string_view name) {
  const auto& rules = builtins().rules;
  const auto it = rules.find(std::string(name));
  if (it == rules.end()) return std::nullopt;
  return it->second;
}

}  // namespace callpolicy
