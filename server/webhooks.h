// What each endpoint does, independent of the HTTP library: a request in, a
// response filled in. A response that must wait for its journal line to be
// on disk carries that line; the caller appends it, calls journaled() with
// the outcome, and only then answers. The caller reuses one response per
// connection, so its strings keep their capacity from request to request.
#pragma once

#include <atomic>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/evaluator.h"
#include "runtime/twiml.h"
#include "server/call_state.h"
#include "server/endpoints.h"
#include "server/form.h"
#include "server/journal/journal.h"
#include "server/metrics.h"
#include "server/overrides.h"
#include "server/policy_store.h"
#include "server/recent_decisions.h"
#include "server/recent_keys.h"
#include "server/server.h"

namespace callpolicy::server {

struct request_view {
  bool admin = false;  // arrived on the admin listener
  std::string_view method;
  std::string_view target;  // path and query, as received
  std::string_view content_type;
  std::string_view signature;  // X-Twilio-Signature
  std::string_view authorization;
  std::string_view host;  // the Host header, empty when absent
  // X-Twilio-Signature or Authorization given more than once: which one a
  // proxy checked and which one the server would read could differ.
  bool repeated_credentials = false;
  std::string_view body;
};

// Whether the admin listener answers a request naming `host` (the Host
// header, port and all): its own listen address, a loopback name, one of
// `extra` (--admin-host), or, when it listens on every address, any IP
// literal. Anything else is a page on another site reaching the admin
// address through DNS rebinding (docs/operations.md, "The admin address").
bool admin_host_allowed(std::string_view host, std::string_view admin_listen, const std::vector<std::string>& extra);

struct response {
  unsigned status = 200;
  std::string_view content_type = "text/xml";  // always a literal
  std::string body;
  std::string_view allow;         // for 405; a literal
  std::string_view authenticate;  // WWW-Authenticate, for 401; a literal
  // The metrics label of the endpoint that answered (a view into the
  // endpoint table); empty when no handler ran (a request that was not read).
  std::string_view endpoint;
  // For the request log line.
  std::string clinic, call_sid, action, reason;
  // Not empty: answer only once this line is in the journal.
  std::string journal_line;
  std::string recording_sid;  // the voicemail being journaled, if any

  // A call waiting for a shared store's count: the caller gets the count
  // (or gives up on it) and calls webhooks::finish_call. What the decision
  // needs is copied here, since the form is the thread's and is reused.
  bool awaiting_state = false;
  std::shared_ptr<const policy_set> set;  // the set the call arrived on, held until it is answered
  const runtime_clinic* pending_clinic = nullptr;
  via_kind pending_via = via_kind::ported;
  std::chrono::system_clock::time_point received{};
  std::string to, from, forwarded_from;
  std::string ai_wanted;  // ai_by_count's pattern for the call
  std::uint32_t ai_clinic_capacity = 0;

  // Back to a fresh 200, keeping the strings' capacity.
  void clear();
};

struct replay_summary {
  std::size_t records = 0;  // lines applied
  std::size_t skipped = 0;  // lines that were not a valid record
};

class webhooks {
 public:
  // `overrides`: the table the state store also feeds (a shared store
  // writes what Redis says into it); null: one of its own.
  webhooks(const server_options& options, policy_store& store, call_state& state, journal& journal,
           metrics& metrics, override_table* overrides = nullptr);

  void handle(const request_view& request, response& out);
  // What a call waiting for the shared store asks of its AI leg.
  ai_leg_request leg_request(const response& out) const;
  // The rest of a call that waited for the shared store (out.awaiting_state):
  // the decision with `others_active`, and with an AI leg when `ai_admitted`,
  // both this server's own counts when `local` (the store was slow or down).
  void finish_call(response& out, std::int32_t others_active, bool ai_admitted, bool local);
  // The journal's verdict on out.journal_line: a voicemail that could not be
  // written becomes 503, so that Twilio retries it.
  void journaled(response& out, bool ok);
  // On the thread that committed the line, before the journal can rotate:
  // counts a voicemail where the rotation's snapshot will see it. `out` is
  // only read; the connection waiting for it touches nothing meanwhile.
  void committed(const response& out, bool ok);

  // Rebuilds active calls, the voicemail count and the recordings already
  // journaled from the journal at `path`, streaming it. A record that cannot
  // be read is logged with its file and line, counted, and skipped.
  replay_summary replay(const std::string& path, bool restore_calls);

  std::size_t voicemails() const { return voicemails_; }
  call_state& state() { return state_; }
  const recent_decisions& recent() const { return recent_; }

 private:
  void handle_call(const form_fields& form, response& out);
  void handle_status(const form_fields& form, response& out);
  void handle_dial_status(const form_fields& form, std::string_view target, response& out);
  void handle_menu(const form_fields& form, std::string_view target, response& out);
  void handle_ai_status(const form_fields& form, std::string_view target, response& out);
  void handle_screen(const form_fields& form, std::string_view target, response& out);
  void handle_refer(const form_fields& form, std::string_view target, response& out);
  // The clinic named by a callback's `?clinic=`; null (and the answer
  // written) when the loaded set has no such clinic.
  const runtime_clinic* callback_clinic(std::string_view target, const std::shared_ptr<const policy_set>& set,
                                        response& out);
  via_kind callback_via(const form_fields& form, const runtime_clinic& clinic) const;
  // Answers a later step of a call's flow (a forward's end, a menu key).
  // `step` says how the call got here ("dial no-answer", "menu 2"), for the recent decisions.
  void answer_step(const runtime_clinic& clinic, const form_fields& form, const decision& d, bool menu_repeated,
                   std::string_view step, response& out, bool after_transfer = false);
  // A call the decision sends to the AI without room for its leg: the AI's
  // `unavailable`, reason "ai at capacity".
  decision over_capacity(const runtime_clinic& clinic, std::string_view call_sid);
  bool capped(const runtime_clinic& clinic) const;
  twiml_options answer_options() const;
  void handle_voicemail(const form_fields& form, response& out);
  void handle_twilio(const endpoint& e, const request_view& request, response& out);
  void handle_admin(const endpoint& e, std::string_view segment, const request_view& request, response& out);
  void set_override(std::string_view clinic, std::string_view body, response& out);
  void clear_override(std::string_view clinic, response& out);
  void list_overrides(response& out);
  std::vector<clinic_override> current_overrides();
  std::string status_json();
  std::int64_t total_ai_legs();
  // The lines a rotated journal starts with: what replay needs of the past.
  std::string journal_snapshot();
  // Whether the recording is new (and now remembered); Twilio retries a
  // callback it got no answer to, and a voicemail is journaled once.
  bool remember_recording(std::string_view recording_sid, clock_type::time_point now);
  void forget_recording(std::string_view recording_sid);

  const server_options& options_;
  policy_store& store_;
  call_state& state_;
  journal& journal_;
  metrics& metrics_;
  override_table own_overrides_;
  override_table& overrides_;
  std::atomic<std::size_t> voicemails_{0};
  // Calls whose menu was just played again after an unknown key, until
  // their next menu request: a second unknown key then takes the timeout
  // action even when the request comes to the first URL, not `attempt=2`.
  bool take_menu_repeat(std::string_view call_sid, clock_type::time_point now);
  void remember_menu_repeat(std::string_view call_sid, clock_type::time_point now);
  std::mutex menu_mutex_;
  recent_keys menu_repeats_;
  std::mutex recordings_mutex_;
  recent_keys recordings_;
  recent_decisions recent_;
};

}  // namespace callpolicy::server
