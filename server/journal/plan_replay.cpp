#include "server/journal/plan_replay.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "authoring/plan_render.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "server/journal/journal.h"
#include "server/journal/record.h"

namespace callpolicy::server {
namespace {

using json = nlohmann::ordered_json;
using journaled_call = journal_record::call_of<std::string>;

replayed_call decide_again(const journaled_call& c, const policy_set& set, std::string& caller_buffer) {
  replayed_call r{c.call_sid, "", c.clinic, c.action, c.reason, "", "", ""};
  const std::chrono::sys_seconds at{std::chrono::seconds{c.time_ms / 1000}};
  const auto match = identify_clinic(set, c.to);
  if (!match) {
    r.new_clinic = "(none)";
    r.new_action = "not-in-service";
    r.new_reason = "no clinic answers to " + c.to;
  } else {
    const runtime_clinic& clinic = *match->clinic;
    const std::string_view caller = caller_e164(c.from, clinic.policy.region, caller_buffer);
    // A count past any int32 is no count a server journaled.
    const auto active = static_cast<std::int32_t>(std::clamp<std::int64_t>(c.active_calls, 0, INT32_MAX));
    const decision d = decide(clinic, {at, active, caller, match->via});
    r.new_clinic = clinic.policy.id;
    r.new_action = std::string(action_name(d.action));
    r.new_reason = std::string(d.reason);
    r.time = format_local_time(clinic, at);
  }
  if (r.time.empty()) r.time = std::to_string(c.time_ms);
  return r;
}

}  // namespace

std::optional<journal_plan> plan_journal(const std::string& path, const policy_set& set,
                                         const std::string& only_clinic, std::string& error) {
  journal_plan plan;
  std::string caller_buffer;
  const bool opened = journal::for_each_line(path, [&](std::size_t, std::string_view text, bool too_long) {
    const journal_record::parsed p = too_long ? journal_record::parsed{} : journal_record::parse(text);
    if (!p.record) {
      ++plan.skipped;
      return;
    }
    // Only arrivals were decided by the policy alone; a snapshot's live call
    // repeats one of the file before.
    const auto* c = std::get_if<journaled_call>(&*p.record);
    if (!c || (!only_clinic.empty() && c->clinic != only_clinic)) return;
    // Journals written before calls carried the flag still name the override in the reason.
    if (c->by_override || c->reason.starts_with("override: ")) {
      ++plan.overridden;
      return;
    }
    ++plan.calls;
    replayed_call r = decide_again(*c, set, caller_buffer);
    if (r.old_clinic != r.new_clinic || r.old_action != r.new_action || r.old_reason != r.new_reason) {
      plan.different.push_back(std::move(r));
    }
  });
  if (!opened) {
    error = fmt::format("cannot read '{}'", path);
    return std::nullopt;
  }
  return plan;
}

std::string render_journal_plan(const journal_plan& p, const std::string& path, const std::string& format) {
  // Grouped by clinic, then by (before -> after).
  std::map<std::string, std::map<std::string, std::vector<const replayed_call*>>> groups;
  for (const replayed_call& r : p.different) {
    const std::string pair = (r.old_clinic != r.new_clinic ? r.old_clinic + " " : "") +
                             outcome_text(r.old_action, r.old_reason) + " -> " +
                             (r.old_clinic != r.new_clinic ? r.new_clinic + " " : "") +
                             outcome_text(r.new_action, r.new_reason);
    groups[r.old_clinic][pair].push_back(&r);
  }
  if (format == "json") {
    json clinics = json::array();
    for (const auto& [clinic, pairs] : groups) {
      json changes = json::array();
      std::size_t total = 0;
      for (const auto& [pair, calls] : pairs) {
        json examples = json::array();
        for (std::size_t i = 0; i < calls.size() && i < 3; ++i) {
          examples.push_back({{"call_sid", calls[i]->call_sid}, {"time", calls[i]->time}});
        }
        const replayed_call& first = *calls.front();
        changes.push_back({{"before", {{"clinic", first.old_clinic}, {"action", first.old_action}, {"reason", first.old_reason}}},
                           {"after", {{"clinic", first.new_clinic}, {"action", first.new_action}, {"reason", first.new_reason}}},
                           {"calls", calls.size()},
                           {"examples", examples}});
        total += calls.size();
      }
      clinics.push_back({{"clinic", clinic}, {"calls", total}, {"changes", changes}});
    }
    const json out{{"version", 1},
                   {"journal", path},
                   {"calls", p.calls},
                   {"overridden", p.overridden},
                   {"skipped", p.skipped},
                   {"different", p.different.size()},
                   {"changed", !p.different.empty()},
                   {"clinics", clinics}};
    return out.dump(2) + "\n";
  }
  const bool markdown = format == "markdown";
  std::string out = markdown ? "### callpolicy plan (journal)\n\n" : "";
  out += fmt::format("{}{} calls replayed from {}: {} would be decided differently{}.\n", markdown ? "**" : "", p.calls,
                     path, p.different.size(), markdown ? "**" : "");
  if (p.overridden > 0) {
    out += fmt::format("{}{} call{} decided by an override {} not compared: no policy decided them.\n",
                       markdown ? "\n" : "", p.overridden, p.overridden == 1 ? "" : "s",
                       p.overridden == 1 ? "is" : "are");
  }
  if (p.skipped > 0) {
    out += fmt::format("{}{} line{} skipped: not a journal record (a line torn by a crash, or another file).\n",
                       markdown ? "\n" : "", p.skipped, p.skipped == 1 ? "" : "s");
  }
  for (const auto& [clinic, pairs] : groups) {
    std::size_t total = 0;
    for (const auto& [pair, calls] : pairs) total += calls.size();
    out += markdown ? fmt::format("\n#### `{}`: {} call{}\n\n", clinic, total, total == 1 ? "" : "s")
                    : fmt::format("~ {}: {} call{}\n", clinic, total, total == 1 ? "" : "s");
    for (const auto& [pair, calls] : pairs) {
      std::string examples;
      for (std::size_t i = 0; i < calls.size() && i < 3; ++i) {
        examples += (examples.empty() ? "" : ", ") + calls[i]->call_sid + " at " + calls[i]->time;
      }
      out += fmt::format("{}{}: {} (e.g. {})\n", markdown ? "- " : "    ", pair, calls.size(), examples);
    }
  }
  return out;
}

}  // namespace callpolicy::server
