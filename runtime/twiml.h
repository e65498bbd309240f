// TwiML for a decision (docs/language.md, "Actions and their TwiML"). Writes into a caller-owned buffer so that a
// server thread can reuse one string across requests; every text and attribute
// value is XML-escaped.
#pragma once

#include <string>
#include <string_view>

#include "runtime/evaluator.h"

namespace callpolicy {

struct twiml_options {
  std::string_view public_url = "http://127.0.0.1:8080";  // {base}, without a trailing slash
  std::string_view ai_sip;  // --ai-sip: used when the clinic has no `ai` block
  std::string_view ai_url;  // --ai-url: likewise, as a <Redirect>
};

// What the TwiML needs to know of the call besides the decision.
struct twiml_call {
  via_kind via = via_kind::ported;
  bool caller_is_e164 = true;   // `From` is a phone number, not a SIP address or "anonymous"
  bool menu_repeated = false;   // the menu plays again after an unknown key
  // What the AI is told of the call (docs/operations.md, "The AI"): its
  // instant (for the clinic's local time, hours and holidays), the caller
  // in E.164 (empty when not a number) and Twilio's CallSid.
  std::chrono::sys_seconds at{};
  std::string_view caller{};
  std::string_view call_sid{};
  bool after_transfer = false;  // a forward the AI's transfer reached
  // The number the caller dialled (Twilio's `To`), for the voicemail's
  // callback: Twilio's recording callback names neither the caller nor it.
  std::string_view to{};
  // Why a callback was offered, carried past a retry whose own reason is
  // "callback retry"; empty: the decision's reason.
  std::string_view offer_reason{};
};

// Replaces `out` with the whole document, XML declaration included.
void write_twiml(std::string& out, const runtime_clinic& clinic, const decision& d, const twiml_call& call,
                 const twiml_options& options);
// The not-in-service answer for an unknown number or SIP user.
void write_not_in_service_twiml(std::string& out);
// The static document for a number's Fallback URL, served by any static host
// when no callpolicy server answers: the clinic's `unreachable` action with
// no URL that needs the server. A voicemail's <Record> ends at
// `hangup_document` (a relative URL, fetched with GET, beside this one).
void write_fallback_twiml(std::string& out, const compiled_clinic& clinic, std::string_view hangup_document);
// What a caller hears once a callback request is taken: the block's
// `confirm`, the number read back digit by digit as its country dials it, then <Hangup/>.
void write_callback_taken_twiml(std::string& out, const compiled_clinic& clinic, std::string_view number);
// `<Response><Hangup/></Response>`, for /twilio/hangup.
void write_hangup_twiml(std::string& out);
// What a screened forward's staff leg runs once answered: the screen message
// in a one-key <Gather> back to /twilio/screen, then <Hangup/> (silence, or a
// machine); after a key (`accepted`), an empty document, which connects.
void write_screen_twiml(std::string& out, const compiled_clinic& clinic, bool accepted, const twiml_options& options);

void append_xml_escaped(std::string& out, std::string_view text);

}  // namespace callpolicy
