// What each endpoint does, independent of the HTTP library: a request in,
// exactly one response out through `respond` (which may run on the journal's
// thread, once the journal line is durable).
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <unordered_set>
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
  bool admin = false;  // arrived on the admin listener
  std::string_view method;
  std::string_view target;  // path and query, as received
  std::string_view content_type;
  std::string_view signature;  // X-Twilio-Signature
  std::string_view authorization;
  std::string_view body;
};

struct response {
  unsigned status = 200;
  std::string content_type = "text/xml";
  std::string body;
  std::string allow;         // for 405
  std::string authenticate;  // WWW-Authenticate, for 401
  // For the request log line.
  std::string clinic, call_sid, action, reason;
};

struct replay_summary {
  std::size_t records = 0;  // lines applied
  std::size_t skipped = 0;  // lines that were not a valid record
};

class webhooks {
 public:
  webhooks(const server_options& options, policy_store& store, call_state& state, journal& journal,
           metrics& metrics);

  void handle(const request_view& request, std::function<void(response)> respond);

  // Rebuilds active calls, the voicemail count and the recordings already
  // journaled from the journal at `path`, streaming it. A record that cannot
  // be read is logged with its file and line, counted, and skipped.
  replay_summary replay(const std::string& path, bool restore_calls);

  std::size_t voicemails() const { return voicemails_; }

 private:
  void handle_call(const form_fields& form, std::function<void(response)> respond);
  void handle_status(const form_fields& form, std::function<void(response)> respond);
  void handle_dial_status(const form_fields& form, std::function<void(response)> respond);
  void handle_voicemail(const form_fields& form, std::function<void(response)> respond);
  void handle_admin(const request_view& request, std::string_view path, std::function<void(response)>& respond);
  std::string status_json() const;
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
  std::atomic<std::size_t> voicemails_{0};
  std::mutex recordings_mutex_;
  std::unordered_set<std::string> recordings_;
  std::deque<std::pair<clock_type::time_point, std::string>> recordings_by_time_;
};

}  // namespace callpolicy::server
