// A server's request path without a listener: the example clinics, memory
// call state, no journal, logs silenced. Built once per fuzzing process.
#pragma once

#include <memory>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "server/state/call_state.h"
#include "server/journal/journal.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/policy_store.h"
#include "server/server.h"
#include "server/handlers.h"

namespace callpolicy::fuzz {

struct server_harness {
  server::server_options options;
  server::policy_store store{CALLPOLICY_EXAMPLES};
  std::unique_ptr<server::call_state> state = server::make_memory_state(std::chrono::seconds(3600));
  server::journal journal{""};
  server::metrics stats;
  std::unique_ptr<server::handlers> hooks;

  server_harness() {
    server::set_log_writer([](std::string_view) {});
    options.rules_path = CALLPOLICY_EXAMPLES;
    options.public_url = "http://127.0.0.1:8080";
    // Past the signature check, so that the handlers see the fuzzed forms
    // (the signature has a fuzz target of its own).
    options.skip_signature = true;
    options.admin_token = "fuzz-admin-token";
    options.read_timeout = std::chrono::seconds(2);
    FUZZ_CHECK(store.reload());
    hooks = std::make_unique<server::handlers>(options, store, *state, journal, stats);
  }
};

}  // namespace callpolicy::fuzz
