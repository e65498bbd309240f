// Every request the server answers, routed by the endpoint table
// (server/endpoints.h): the checks every endpoint shares (its address, its
// host, its method), /healthz and /readyz, then the Twilio handlers or the
// admin handlers. Owns what they share and the journal's replayer.
#pragma once

#include <memory>

#include "server/admin/admin_handlers.h"
#include "server/journal/journal_replayer.h"
#include "server/request.h"
#include "server/response.h"
#include "server/server_context.h"
#include "server/twilio/pending_call.h"
#include "server/twilio/twilio_handlers.h"

namespace callpolicy::server {

class handlers {
 public:
  // `overrides`: the table the state store also feeds (a shared store
  // writes what Redis says into it); null: one of its own.
  handlers(const server_options& options, policy_store& store, call_state& state, journal& journal, metrics& metrics,
           override_table* overrides = nullptr);

  // Answers `request` into `out`; a call that must wait for the shared
  // store's count is left in `call` (call.awaiting_state) for
  // twilio().finish_call.
  void handle(const request_view& request, response& out, pending_call& call);

  twilio_handlers& twilio() { return twilio_; }
  journal_replayer& replayer() { return replayer_; }
  const server_context& context() const { return context_; }
  call_state& state() { return context_.state; }
  // Starts delivering what replay found undelivered, and what follows.
  void start_delivery();

 private:
  override_table own_overrides_;
  server_context context_;
  std::unique_ptr<delivery> delivery_;
  twilio_handlers twilio_;
  admin_handlers admin_;
  journal_replayer replayer_;
};

}  // namespace callpolicy::server
