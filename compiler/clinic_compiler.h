// The per-clinic part of compiling a set (compiler.cpp does the set-wide
// part): calendars flattened through `use`, and one clinic's AST to its
// compiled form. Private to compiler/.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/ast.h"
#include "model/compiled_policy.h"
#include "compiler/diagnostic_messages.h"
#include "model/diagnostic.h"
#include "model/edit_distance.h"

namespace callpolicy {

// Calendars flattened through `use`, across the set; cycles reported once.
class calendar_resolver {
 public:
  static constexpr std::size_t max_use_depth = 64;

  calendar_resolver(const std::map<std::string, const ast::calendar*>& calendars,
                    diagnostic_sink& sink)
      : calendars_(calendars), sink_(sink) {}

  // The rules of `entries`, with `use` replaced by the named calendar's rules.
  // `broken` is set when a calendar used, directly or through others, is
  // unknown, in a cycle or too deep: its error is reported once, and what
  // uses it is not linted as if it had no holidays.
  std::vector<holiday_rule> flatten(const std::vector<ast::holiday_entry>& entries, bool& broken) {
    std::vector<holiday_rule> out;
    for (const ast::holiday_entry& e : entries) {
      if (e.type != ast::holiday_entry::kind::use) {
        out.push_back(e.rule);
        continue;
      }
      const auto found = resolve(e.calendar, e.where);
      broken = broken || broken_.count(e.calendar) > 0;
      out.insert(out.end(), found.begin(), found.end());
    }
    return out;
  }

  bool calendars_lost = false;
  // Every calendar resolved so far, by name, with its rules.
  const std::map<std::string, std::vector<holiday_rule>>& resolved() const { return resolved_; }
  // a file of the set lost a top-level item to a syntax error

  std::vector<holiday_rule> resolve(const std::string& name, const location& used_at) {
    if (const auto done = resolved_.find(name); done != resolved_.end()) return done->second;
    const auto it = calendars_.find(name);
    if (it == calendars_.end()) {
      // A calendar whose definition failed to parse is no unknown calendar.
      if (!calendars_lost) {
        diagnostic& d = report<messages::unknown_calendar_name>(sink_, used_at, name);
        std::vector<std::string_view> names;
        for (const auto& [n, c] : calendars_) names.push_back(n);
        if (const std::string_view meant = closest_word(name, names); !meant.empty()) {
          d.notes.push_back(fmt::format(messages::did_you_mean, meant));
        }
        if (!calendars_.empty()) {
          std::string known;
          for (const auto& [n, c] : calendars_) known += (known.empty() ? "" : ", ") + ("'" + n + "'");
          d.notes.push_back(fmt::format(messages::loaded_calendars, known));
        }
      }
      resolved_[name] = {};
      broken_.insert(name);
      return {};
    }
    if (const auto open = std::find(stack_.begin(), stack_.end(), name); open != stack_.end()) {
      std::string cycle;
      for (auto s = open; s != stack_.end(); ++s) cycle += "'" + *s + "' -> ";
      cycle += "'" + name + "'";
      report<messages::calendars_in_a_cycle>(sink_, used_at, cycle);
      for (auto s = open; s != stack_.end(); ++s) broken_.insert(*s);
      return {};
    }
    // A chain of `use` is walked by recursion; one too long to be meant is
    // refused before it can exhaust the stack.
    if (stack_.size() >= max_use_depth) {
      report<messages::calendar_chain_too_long>(sink_, used_at, name, max_use_depth, stack_.front());
      broken_.insert(stack_.begin(), stack_.end());
      return {};
    }
    stack_.push_back(name);
    bool broken = false;
    auto rules = flatten(it->second->entries, broken);
    stack_.pop_back();
    if (broken) broken_.insert(name);
    resolved_[name] = rules;
    return rules;
  }

 private:
  const std::map<std::string, const ast::calendar*>& calendars_;
  diagnostic_sink& sink_;
  std::vector<std::string> stack_;
  std::map<std::string, std::vector<holiday_rule>> resolved_;
  std::set<std::string> broken_;
};

// The clinic's region for national-form numbers: `region`; else the region of
// its first number (docs/language.md, "A clinic"); else, for a clinic reached only over SIP, the
// country of its time zone.
std::string clinic_region(const ast::clinic& clinic);

// Null when the clinic has errors (reported into `sink`).
std::optional<compiled_clinic> compile_clinic(const ast::clinic& source,
                                              calendar_resolver& calendars, diagnostic_sink& sink);

}  // namespace callpolicy
