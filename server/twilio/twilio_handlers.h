// Twilio's webhooks (docs/operations.md, "Endpoints"): a call's arrival and
// each later step of it (a status, the end of a forward's or the AI's
// <Dial>, a transfer, a screen, a menu key, a voicemail). Each checks the
// form and its signature, decides with the clinic's policy, writes TwiML into
// the response and the step's journal record beside it.
#pragma once

#include <mutex>
#include <string_view>

#include "runtime/evaluator.h"
#include "runtime/twiml.h"
#include "server/endpoints.h"
#include "server/twilio/form.h"
#include "server/recent_keys.h"
#include "server/request.h"
#include "server/response.h"
#include "server/server_context.h"
#include "server/twilio/pending_call.h"

namespace callpolicy::server {

class twilio_handlers {
 public:
  explicit twilio_handlers(server_context& context);

  // A request to a Twilio endpoint `e` (the router found it and checked the method).
  void handle(const endpoint& e, const request_view& request, response& out, pending_call& call);

  // What a call waiting for the shared store asks of its AI leg.
  ai_leg_request leg_request(const pending_call& call) const;
  // The rest of a call that waited for the shared store (call.awaiting_state):
  // the decision with `others_active`, and with an AI leg when `ai_admitted`,
  // both this server's own counts when `local` (the store was slow or down).
  void finish_call(response& out, pending_call& call, std::int32_t others_active, bool ai_admitted, bool local);
  // The journal's verdict on out.journal_line: a voicemail that could not be
  // written becomes 503, so that Twilio retries it.
  void journaled(response& out, bool ok);
  // On the thread that committed the line, before the journal can rotate:
  // counts a voicemail where the rotation's snapshot will see it. `out` is
  // only read; the connection waiting for it touches nothing meanwhile.
  void committed(const response& out, bool ok);

 private:
  void handle_call(const form_fields& form, response& out, pending_call& call);
  void handle_status(const form_fields& form, response& out);
  void handle_dial_status(const form_fields& form, std::string_view target, response& out);
  void handle_menu(const form_fields& form, std::string_view target, response& out);
  void handle_ai_status(const form_fields& form, std::string_view target, response& out);
  void handle_screen(const form_fields& form, std::string_view target, response& out);
  void handle_refer(const form_fields& form, std::string_view target, response& out);
  void handle_callback(const form_fields& form, std::string_view target, response& out);
  void handle_voicemail(const form_fields& form, std::string_view target, response& out);
  // The clinic named by a callback's `?clinic=`; null (and the answer
  // written) when the loaded set has no such clinic.
  const runtime_clinic* callback_clinic(std::string_view target, const std::shared_ptr<const policy_set>& set,
                                        response& out);
  via_kind callback_via(const form_fields& form, const runtime_clinic& clinic) const;
  // Answers a later step of a call's flow (a forward's end, a menu key).
  // `step` says how the call got here ("dial no-answer", "menu 2"), for the recent decisions.
  // `offer_reason`: why a callback was offered, when `d` offers it again.
  void answer_step(const runtime_clinic& clinic, const form_fields& form, const decision& d, bool menu_repeated,
                   std::string_view step, response& out, bool after_transfer = false,
                   std::string_view offer_reason = {});
  // A voicemail or callback request journaled (or, without a journal,
  // answered): into the inbox, and to a shared store.
  void remember_message(const response& out);
  // Counts, remembers and logs a step's decision once its TwiML is written.
  void record_step(const runtime_clinic& clinic, std::string_view step, std::string_view caller,
                   const decision& d, clock_type::time_point now, response& out);
  // A call the decision sends to the AI without room for its leg: the AI's
  // `unavailable`, reason "ai at capacity".
  decision over_capacity(const runtime_clinic& clinic);
  bool capped(const runtime_clinic& clinic) const;
  twiml_options answer_options() const;
  // Calls whose menu was just played again after an unknown key, until
  // their next menu request: a second unknown key then takes the timeout
  // action even when the request comes to the first URL, not `attempt=2`.
  bool take_menu_repeat(std::string_view call_sid, clock_type::time_point now);
  void remember_menu_repeat(std::string_view call_sid, clock_type::time_point now);

  static constexpr std::string_view empty_twiml = R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)";

  server_context& context_;
  std::mutex menu_mutex_;
  recent_keys menu_repeats_;
};

}  // namespace callpolicy::server
