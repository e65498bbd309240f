// What the handlers share (docs/architecture.md): the options, the loaded
// policies, the call state, the journal, the metrics, the overrides, the
// recent decisions and the voicemails journaled. The Twilio handlers, the
// admin handlers and the journal's replayer each hold a reference to it;
// the server owns it.
#pragma once

#include "server/state/call_state.h"
#include "server/journal/journal.h"
#include "server/inbox/delivery.h"
#include "server/inbox/inbox.h"
#include "server/journal/voicemails.h"
#include "server/metrics.h"
#include "server/policy_store.h"
#include "server/recent_decisions.h"
#include "server/server.h"
#include "server/state/override_store.h"

namespace callpolicy::server {

struct server_context {
  // `overrides`: the table the state store also feeds (a shared store writes
  // what Redis says into it).
  server_context(const server_options& o, policy_store& s, call_state& c, class journal& j, class metrics& m,
                 override_table& table)
      : options(o), store(s), state(c), journal(j), metrics(m), overrides(c, table) {}
  server_context(const server_context&) = delete;
  server_context& operator=(const server_context&) = delete;

  const server_options& options;
  policy_store& store;
  call_state& state;
  class journal& journal;
  class metrics& metrics;
  override_store overrides;
  recent_decisions recent;
  journaled_voicemails voicemails;
  class inbox inbox;
  class delivery* deliveries = nullptr;  // with --notify-url
};

}  // namespace callpolicy::server
