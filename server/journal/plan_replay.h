// `plan --journal`: the calls a server journaled, decided again under a new
// set, and what would change (docs/tooling.md, "plan"). The journal's
// reader, beside its format, so that the CLI only parses flags and prints.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "runtime/policy_set.h"

namespace callpolicy::server {

struct replayed_call {
  std::string call_sid, time;
  std::string old_clinic, old_action, old_reason;
  std::string new_clinic, new_action, new_reason;
};

struct journal_plan {
  std::size_t calls = 0;
  std::size_t skipped = 0;     // lines that are no record of the journal's format
  std::size_t overridden = 0;  // decided by an operator's override: no policy decided them
  std::vector<replayed_call> different;
};

// Every call record of the journal at `path` (of `only_clinic`, when given),
// decided again under `set`. Nothing, with `error`, when it cannot be read.
std::optional<journal_plan> plan_journal(const std::string& path, const policy_set& set,
                                         const std::string& only_clinic, std::string& error);

// `format`: "text", "markdown" or "json".
std::string render_journal_plan(const journal_plan& plan, const std::string& path, const std::string& format);

}  // namespace callpolicy::server
