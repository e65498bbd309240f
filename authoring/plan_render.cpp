#include "authoring/plan_render.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace callpolicy {
namespace {

std::string vias_text(const std::vector<via_kind>& vias) {
  std::string out;
  for (const via_kind v : vias) out += (out.empty() ? "" : ", ") + std::string(via_name(v));
  return out;
}

std::string change_text(const plan_change& c) {
  std::string out = fmt::format("{} {}-{}", c.when, format_minute(c.from), format_minute(c.to));
  if (!c.calls.empty()) out += ", " + c.calls;
  if (!c.caller.empty()) out += ", caller " + c.caller;
  return out + ": " + outcome_text(c.old_action, c.old_reason) + " -> " + outcome_text(c.new_action, c.new_reason);
}

std::string summary(const policy_plan& plan) {
  if (plan.empty()) return "No changes: every call is answered as before.";
  return fmt::format("Plan: {} clinic{} change{}, {} added, {} removed{}.", plan.clinics.size(),
                     plan.clinics.size() == 1 ? "" : "s", plan.clinics.size() == 1 ? "s" : "", plan.clinics_added.size(),
                     plan.clinics_removed.size(),
                     plan.numbers_moved.empty() ? std::string()
                                                : fmt::format(", {} number{} moved", plan.numbers_moved.size(),
                                                              plan.numbers_moved.size() == 1 ? "" : "s"));
}

// The lines of one clinic's changes, each without a prefix.
std::vector<std::string> clinic_lines(const clinic_plan& c) {
  std::vector<std::string> out;
  for (const plan_group& g : c.groups) {
    for (const plan_change& x : g.week) out.push_back(fmt::format("({}) {}", vias_text(g.vias), change_text(x)));
    for (const plan_change& x : g.dated) out.push_back(fmt::format("({}) {}", vias_text(g.vias), change_text(x)));
  }
  for (const std::string& s : c.settings) out.push_back(s);
  for (const std::string& n : c.numbers_added) out.push_back("+ " + n);
  for (const std::string& n : c.numbers_removed) out.push_back("- " + n);
  return out;
}

}  // namespace

std::string outcome_text(std::string_view action, std::string_view reason) {
  if (reason.empty()) return std::string(action);  // "(several)": a day that now has one answer
  const bool plain = reason.find_first_of(" \"") == std::string_view::npos;
  return plain ? fmt::format("{}/{}", action, reason) : fmt::format("{}/\"{}\"", action, reason);
}

std::string render_plan_text(const policy_plan& plan, const plan_heading& h) {
  std::string out = fmt::format("callpolicy plan: {} -> {}\n", h.from, h.to);
  for (const std::string& id : plan.clinics_added) out += "+ clinic " + id + " (new)\n";
  for (const std::string& id : plan.clinics_removed) out += "- clinic " + id + " (removed: its numbers are no longer answered)\n";
  for (const std::string& n : plan.numbers_moved) out += "~ " + n + "\n";
  for (const clinic_plan& c : plan.clinics) {
    out += fmt::format("~ {} ({}:{}; the week of {}, dated days to {})\n", c.id, c.where.file, c.where.line,
                       format_date(c.week_start), format_date(c.week_start + h.dated_days - 1));
    for (const std::string& line : clinic_lines(c)) out += "    " + line + "\n";
  }
  out += summary(plan) + "\n";
  return out;
}

std::string render_plan_markdown(const policy_plan& plan, const plan_heading& h) {
  std::string out = fmt::format("### callpolicy plan\n\n`{}` → `{}`: **{}**\n", h.from, h.to, summary(plan));
  if (plan.empty()) return out;
  out += "\n";
  for (const std::string& id : plan.clinics_added) out += fmt::format("- ➕ clinic `{}` is new\n", id);
  for (const std::string& id : plan.clinics_removed) out += fmt::format("- ➖ clinic `{}` is removed: its numbers are no longer answered\n", id);
  for (const std::string& n : plan.numbers_moved) out += fmt::format("- 🔀 {}\n", n);
  for (const clinic_plan& c : plan.clinics) {
    out += fmt::format("\n#### `{}`\n\n", c.id);
    bool table = false;
    for (const plan_group& g : c.groups) {
      for (const auto* list : {&g.week, &g.dated}) {
        for (const plan_change& x : *list) {
          if (!table) {
            out += "| via | when | time | calls | before | after |\n|---|---|---|---|---|---|\n";
            table = true;
          }
          out += fmt::format("| {} | {} | {}–{} | {} | {} | {} |\n", vias_text(g.vias), x.when, format_minute(x.from),
                             format_minute(x.to), x.calls.empty() ? (x.caller.empty() ? "any" : "caller " + x.caller) : x.calls,
                             outcome_text(x.old_action, x.old_reason), outcome_text(x.new_action, x.new_reason));
        }
      }
    }
    if (table && (!c.settings.empty() || !c.numbers_added.empty() || !c.numbers_removed.empty())) out += "\n";
    for (const std::string& s : c.settings) out += fmt::format("- {}\n", s);
    for (const std::string& n : c.numbers_added) out += fmt::format("- ➕ {}\n", n);
    for (const std::string& n : c.numbers_removed) out += fmt::format("- ➖ {}\n", n);
  }
  return out;
}

std::string render_plan_github(const policy_plan& plan, const plan_heading& h) {
  // Workflow commands escape %, CR and LF in the message.
  const auto escaped = [](std::string s) {
    std::string out;
    for (const char c : s) {
      if (c == '%') out += "%25";
      else if (c == '\n') out += "%0A";
      else if (c == '\r') out += "%0D";
      else out += c;
    }
    return out;
  };
  std::string out;
  for (const clinic_plan& c : plan.clinics) {
    std::string message;
    for (const std::string& line : clinic_lines(c)) message += (message.empty() ? "" : "\n") + line;
    out += fmt::format("::notice file={},line={},col={},title=callpolicy plan: {} changes::{}\n", c.where.file,
                       c.where.line, c.where.column, c.id, escaped(message));
  }
  for (const std::string& id : plan.clinics_added) out += fmt::format("::notice title=callpolicy plan::clinic {} is new\n", id);
  for (const std::string& id : plan.clinics_removed) {
    out += fmt::format("::warning title=callpolicy plan::clinic {} is removed: its numbers are no longer answered\n", id);
  }
  for (const std::string& n : plan.numbers_moved) out += fmt::format("::notice title=callpolicy plan::{}\n", escaped(n));
  out += fmt::format("{} ({} -> {})\n", summary(plan), h.from, h.to);
  return out;
}

std::string render_plan_json(const policy_plan& plan, const plan_heading& h) {
  using json = nlohmann::ordered_json;
  const auto change_json = [](const plan_change& c) {
    return json{{"when", c.when},
                {"from", format_minute(c.from)},
                {"to", format_minute(c.to)},
                {"calls", c.calls},
                {"caller", c.caller},
                {"before", {{"action", c.old_action}, {"reason", c.old_reason}}},
                {"after", {{"action", c.new_action}, {"reason", c.new_reason}}}};
  };
  json clinics = json::array();
  for (const clinic_plan& c : plan.clinics) {
    json groups = json::array();
    for (const plan_group& g : c.groups) {
      json vias = json::array();
      for (const via_kind v : g.vias) vias.push_back(via_name(v));
      json week = json::array();
      for (const plan_change& x : g.week) week.push_back(change_json(x));
      json dated = json::array();
      for (const plan_change& x : g.dated) dated.push_back(change_json(x));
      groups.push_back({{"vias", vias}, {"week", week}, {"dated", dated}});
    }
    clinics.push_back({{"clinic", c.id},
                       {"file", c.where.file},
                       {"line", c.where.line},
                       {"week_start", format_date(c.week_start)},
                       {"changes", groups},
                       {"settings", c.settings},
                       {"numbers_added", c.numbers_added},
                       {"numbers_removed", c.numbers_removed}});
  }
  const json out{{"version", 1},
                 {"from", h.from},
                 {"to", h.to},
                 {"changed", !plan.empty()},
                 {"dated_days", h.dated_days},
                 {"clinics_added", plan.clinics_added},
                 {"clinics_removed", plan.clinics_removed},
                 {"numbers_moved", plan.numbers_moved},
                 {"clinics", clinics}};
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace callpolicy
