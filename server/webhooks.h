// What each endpoint does, independent of the HTTP library: a request in,
// exactly one response out through `respond` (which may run on the journal's
// thread, once the journal line is durable).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/call_state.h"
#include "server/form.h"
#include "server/journal.h"
#include "server/metrics.h"
#include "server/policy_store.h"
#include "server/server.h"

namespace callpolicy::server {

struct request_view {
  std::string_view method;
  std::string_view target;  // path and query, as received
  std::string_view content_type;
  std::string_view signature;  // X-Twilio-Signature
  std::string_view body;
};

struct response {
  unsigned status = 200;
  std::string content_type = "text/xml";
  std::string body;
  std::string allow;  // for 405
  // For the request log line.
  std::string clinic, call_sid, action, reason;
};

class webhooks {
 public:
  webhooks(const server_options& options, policy_store& store, call_state& state, journal& journal,
           metrics& metrics);

  void handle(const request_view& request, std::function<void(response)> respond);

  // Rebuilds active calls and the voicemail count from journal lines.
  void replay(const std::vector<std::string>& lines, bool restore_calls);

  std::size_t voicemails() const { return voicemails_; }

 private:
  void handle_call(const form_fields& form, std::function<void(response)> respond);
  void handle_status(const form_fields& form, std::function<void(response)> respond);
  void handle_dial_status(const form_fields& form, std::function<void(response)> respond);
  void handle_voicemail(const form_fields& form, std::function<void(response)> respond);
  std::string status_json() const;

  const server_options& options_;
  policy_store& store_;
  call_state& state_;
  journal& journal_;
  metrics& metrics_;
  std::atomic<std::size_t> voicemails_{0};
};

}  // namespace callpolicy::server
