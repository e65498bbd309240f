// What a handler answers, independent of the HTTP library: the status, the
// headers it sets, the body, what the request's log line says, and the
// journal record that must be on disk before the answer leaves. The session
// reuses one per connection, so its strings keep their capacity from request
// to request.
#pragma once

#include <string>
#include <string_view>

namespace callpolicy::server {

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
  // Not empty: answer only once this record is in the journal.
  std::string journal_line;
  std::string recording_sid;  // the voicemail being journaled, if any
  std::string callback_number;  // the callback request being journaled, if any

  // A plain-text (or other non-TwiML) answer.
  void answer(unsigned code, std::string_view text, std::string_view type = "text/plain") {
    status = code;
    body.assign(text);
    content_type = type;
  }
  // Back to a fresh 200, keeping the strings' capacity.
  void clear() {
    status = 200;
    content_type = "text/xml";
    allow = {};
    authenticate = {};
    endpoint = {};
    body.clear();
    clinic.clear();
    call_sid.clear();
    action.clear();
    reason.clear();
    journal_line.clear();
    recording_sid.clear();
    callback_number.clear();
  }
};

}  // namespace callpolicy::server
