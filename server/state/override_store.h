// Where an operator's overrides are kept (docs/operations.md, "Emergency
// overrides"): a shared store keeps them in Redis, where every server sees
// them at once; the memory store in the journal, whose record of each change
// the caller writes. The table the request path reads follows both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/state/call_state.h"
#include "server/state/overrides.h"

namespace callpolicy::server {

class override_store {
 public:
  override_store(call_state& state, override_table& table) : state_(state), table_(table) {}

  // The request path's lookup (override_table::active).
  bool active(std::string_view clinic, clock_type::time_point now, action_kind& action, std::string& reason) const {
    return table_.active(clinic, now, action, reason);
  }

  // Sets `o`; with the memory store, `journal_record` gets the line that
  // keeps it. False, with `error`, when the shared store did not keep it:
  // every server must see an override, so it is not set.
  bool set(const clinic_override& o, clock_type::time_point now, std::string& journal_record, std::string& error);
  // Clears the clinic's override, saying whether it had one; the journal's
  // line as for set(). False, with `error`, when the shared store did not answer.
  bool clear(std::string_view clinic, clock_type::time_point now, bool& existed, std::string& journal_record,
             std::string& error);
  // The overrides in force, as the shared store says (what it lost written
  // back, what another server cleared let go), or as this server holds them.
  std::vector<clinic_override> current(clock_type::time_point now);

  // Replay of the memory store's journaled changes; nothing for a shared store.
  void restore(clinic_override o, clock_type::time_point now);
  void forget(std::string_view clinic);
  // The memory store's overrides, for a rotated journal to carry; none for a shared store.
  std::vector<clinic_override> journaled(clock_type::time_point now) const;

 private:
  call_state& state_;
  override_table& table_;
};

// The journal's record of `o` being set, at `now`, without a newline.
void append_override_record(std::string& out, const clinic_override& o, clock_type::time_point now);

}  // namespace callpolicy::server
