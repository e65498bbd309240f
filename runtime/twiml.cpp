#include "runtime/twiml.h"

#include <iterator>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "model/phone_numbers.h"
#include "model/time_tables.h"

namespace callpolicy {
namespace {

constexpr std::string_view xml_declaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

void append_say(std::string& out, const compiled_clinic& c, std::string_view text) {
  out += "<Say";
  if (!c.voice.empty()) {
    out += " voice=\"";
    append_xml_escaped(out, c.voice);
    out += '"';
  }
  if (!c.language.empty()) {
    out += " language=\"";
    append_xml_escaped(out, c.language);
    out += '"';
  }
  out += '>';
  append_xml_escaped(out, text);
  out += "</Say>";
}

// Percent-encodes what is not unreserved (RFC 3986), for SIP URI headers.
void append_uri_component(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
}

// {base}/twilio/{endpoint}?clinic={id}: the clinic travels in the callback's
// URL, which Twilio signs with the rest of the request.
void append_callback_url(std::string& out, const twiml_options& options, std::string_view endpoint,
                         const compiled_clinic& c) {
  append_xml_escaped(out, options.public_url);
  out += "/twilio/";
  out += endpoint;
  out += "?clinic=";
  append_uri_component(out, c.id);
}

// The recording's callback: the message belongs to the clinic, and says
// why the call came to voicemail, who called and what they dialled
// (docs/operations.md, "Messages: voicemails and callback requests"), all signed by Twilio with the URL.
void append_voicemail_url(std::string& out, const twiml_options& options, const compiled_clinic& c,
                          const decision& d, const twiml_call& call) {
  append_callback_url(out, options, "voicemail", c);
  out += "&amp;reason=";
  append_uri_component(out, d.reason);
  if (!call.caller.empty()) {
    out += "&amp;caller=";
    append_uri_component(out, call.caller);
  }
  if (!call.to.empty()) {
    out += "&amp;to=";
    append_uri_component(out, call.to);
  }
}

void append_menu(std::string& out, const compiled_clinic& c, bool repeated, const twiml_options& options) {
  const std::string_view again = repeated ? "&amp;attempt=2" : "";
  fmt::format_to(std::back_inserter(out), R"(<Gather input="dtmf" numDigits="1" timeout="{}" action=")",
                 c.menu.timeout_seconds);
  append_callback_url(out, options, "menu", c);
  out += again;
  out += "\">";
  append_say(out, c, c.menu.say);
  out += R"(</Gather><Redirect method="POST">)";
  append_callback_url(out, options, "menu", c);
  out += again;
  out += "</Redirect>";
}

// Said before the offer again after digits that are no number to call.
constexpr std::string_view callback_retry_say = "Sorry, we could not use that number.";

// Digits until '#' (key 1 alone: the caller's own number); the offer's URL
// carries why it was made, for the request it may become.
void append_callback_offer(std::string& out, const compiled_clinic& c, const decision& d, const twiml_call& call,
                           const twiml_options& options) {
  const bool retry = d.reason == callback_retry_reason;
  const std::string_view reason = call.offer_reason.empty() ? d.reason : call.offer_reason;
  const auto url = [&] {
    append_callback_url(out, options, "callback", c);
    out += "&amp;reason=";
    append_uri_component(out, reason);
    if (retry) out += "&amp;attempt=2";
  };
  fmt::format_to(std::back_inserter(out), R"(<Gather input="dtmf" finishOnKey="#" timeout="{}" action=")",
                 c.callback.timeout_seconds);
  url();
  out += "\">";
  if (retry) append_say(out, c, callback_retry_say);
  append_say(out, c, c.callback.say);
  out += R"(</Gather><Redirect method="POST">)";
  url();
  out += "</Redirect>";
}

// Twilio refuses the headers of a SIP URI of 1024 characters or more
// (warning 21227); what they may hold is counted as Twilio reads them.
constexpr std::size_t sip_headers_at_most = 1023;
// Seconds of silence after the screen message before staff count as not answering.
constexpr int screen_wait_seconds = 5;
constexpr std::chrono::days next_opening_horizon{14};

// The clinic's next opening after `now`, within 14 days, as an instant.
std::optional<std::chrono::sys_seconds> next_opening_instant(const runtime_clinic& clinic, std::chrono::sys_seconds at,
                                                     const local_parts& now) {
  const auto opening = next_opening(*clinic.tables, now.date, static_cast<std::uint16_t>(now.seconds / 60),
                                    static_cast<int>(next_opening_horizon.count()));
  if (!opening) return std::nullopt;
  const local_resolution r = resolve_local_time(clinic.zone, std::int64_t{opening->date} * 86400 + opening->minute * 60);
  // An opening inside a daylight-saving gap happens when the clocks jump.
  const std::chrono::sys_seconds when = r.type == local_resolution::kind::nonexistent ? r.change : r.instant;
  if (when > at + next_opening_horizon) return std::nullopt;
  return when;
}

// The facts the AI is given, as `x-` parameters joined by `&amp;` (the
// URI's headers, or a redirect's query). `counted` is their length as
// Twilio reads them; past the limit the least needed go first: the
// holiday's name, then the next opening, then the caller.
void append_ai_facts(std::string& out, const runtime_clinic& clinic, const decision& d, const twiml_call& call,
                     std::size_t counted, bool bounded) {
  const compiled_clinic& c = clinic.policy;
  const auto param = [&](std::string_view name, std::string_view value) {
    const std::size_t before = out.size();
    out += "&amp;";
    out += name;
    out += '=';
    append_uri_component(out, value);
    counted += out.size() - before - 4;  // "&amp;" is one '&' once read
  };
  param("x-clinic", c.id);
  param("x-reason", d.reason);
  param("x-via", via_name(call.via));
  const local_parts local = to_local(clinic.zone, call.at);
  thread_local std::string text;
  text.clear();
  append_rfc3339_local(text, local);
  param("x-local-time", text);
  param("x-open", is_open(*clinic.tables, local.date, static_cast<std::uint16_t>(local.seconds / 60)) ? "yes" : "no");
  if (!call.call_sid.empty()) param("x-call-sid", call.call_sid);
  const std::size_t caller_at = out.size();
  const std::size_t caller_counted = counted;
  if (!call.caller.empty()) param("x-caller", call.caller);
  const std::size_t next_open_at = out.size();
  const std::size_t next_open_counted = counted;
  text.clear();
  if (const auto opening = next_opening_instant(clinic, call.at, local)) {
    append_rfc3339_local(text, clinic.zone, *opening);
  } else {
    text = "none";
  }
  param("x-next-open", text);
  const std::size_t holiday_at = out.size();
  const std::size_t holiday_counted = counted;
  if (is_holiday(*clinic.tables, local.date)) {
    text.clear();
    append_holiday_names(c.holidays, clinic.tables->yearly_holidays, local.date, text);
    param("x-holiday", text.empty() ? std::string_view("holiday") : std::string_view(text));
  }
  if (!bounded || counted <= sip_headers_at_most) return;
  for (const auto& [at, kept] : {std::pair{holiday_at, holiday_counted}, std::pair{next_open_at, next_open_counted},
                                 std::pair{caller_at, caller_counted}}) {
    out.resize(at);
    if (kept <= sip_headers_at_most) return;
  }
}

void append_busy(std::string& out, const compiled_clinic& c) {
  if (c.busy.reject) {
    out += R"(<Reject reason="busy"/>)";
  } else {
    append_say(out, c, c.busy.say);
    out += "<Hangup/>";
  }
}

void append_ai(std::string& out, const runtime_clinic& clinic, const decision& d, const twiml_call& call,
               const twiml_options& options) {
  const compiled_clinic& c = clinic.policy;
  const bool redirect = c.ai.type == ai_config::kind::redirect ||
                        (c.ai.type == ai_config::kind::server_default && options.ai_sip.empty() &&
                         !options.ai_url.empty());
  if (redirect) {
    // Another webhook takes the call: the same facts, as its query.
    const std::string_view url = c.ai.type == ai_config::kind::redirect ? std::string_view(c.ai.target) : options.ai_url;
    out += R"(<Redirect method="POST">)";
    append_xml_escaped(out, url);
    const std::size_t first = out.size();
    append_ai_facts(out, clinic, d, call, 0, false);
    out.replace(first, 5, url.find('?') == std::string_view::npos ? "?" : "&amp;");
    out += "</Redirect>";
    return;
  }
  // The leg's end comes back to /twilio/ai-status: a failed or unanswered
  // AI leg is followed by the clinic's `unavailable` action rather than
  // the caller running out of TwiML (docs/language.md, "The AI leg").
  fmt::format_to(std::back_inserter(out), R"(<Dial answerOnBridge="true" timeout="{}" action=")",
                 c.ai.timeout_seconds);
  append_callback_url(out, options, "ai-status", c);
  // The AI's SIP REFER (a transfer to staff) is decided by the policy at
  // /twilio/refer; without referUrl Twilio refuses it (error 13802).
  out += R"(" referUrl=")";
  append_callback_url(out, options, "refer", c);
  // Escaped as it is written: the URI's own '&' separators become "&amp;".
  out += R"("><Sip>)";
  std::string_view target;
  if (c.ai.type == ai_config::kind::sip) {
    target = c.ai.target;
    append_xml_escaped(out, target);
  } else if (!options.ai_sip.empty()) {
    target = options.ai_sip;
    append_xml_escaped(out, target);
  } else {
    out += "sip:";
    append_xml_escaped(out, c.id);
    out += "@sip.vapi.ai";
  }
  const std::size_t query = target.find('?');
  const std::size_t first = out.size();
  append_ai_facts(out, clinic, d, call, query == std::string_view::npos ? 0 : target.size() - query - 1, true);
  if (query == std::string_view::npos) out.replace(first, 5, "?");
  out += "</Sip></Dial>";
}

}  // namespace

void append_xml_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

void write_twiml(std::string& out, const runtime_clinic& clinic, const decision& d, const twiml_call& call,
                 const twiml_options& options) {
  const compiled_clinic& c = clinic.policy;
  out.clear();
  out += xml_declaration;
  out += "<Response>";
  switch (d.action) {
    case action_kind::ai:
      append_ai(out, clinic, d, call, options);
      break;
    case action_kind::voicemail:
      append_say(out, c, c.voicemail.greeting);
      fmt::format_to(std::back_inserter(out), R"(<Record maxLength="{}" playBeep="true" action=")",
                     c.voicemail.max_seconds);
      append_callback_url(out, options, "hangup", c);
      out += R"(" recordingStatusCallback=")";
      append_voicemail_url(out, options, c, d, call);
      out += R"(" recordingStatusCallbackEvent="completed"/>)";
      break;
    case action_kind::forward: {
      append_say(out, c, c.forward.say);
      fmt::format_to(std::back_inserter(out), R"(<Dial timeout="{}" action=")", c.forward.timeout_seconds);
      append_callback_url(out, options, "dial-status", c);
      // Nobody answering a transfer from the AI must not send the caller back to it.
      if (call.after_transfer) out += "&amp;after=transfer";
      out += '"';
      if (const std::string_view caller_id = forward_caller_id(c, call.caller_is_e164); !caller_id.empty()) {
        out += R"( callerId=")";
        append_xml_escaped(out, caller_id);
        out += '"';
      }
      out += '>';
      if (c.forward.screen.empty()) {
        append_xml_escaped(out, c.forward.number);
      } else {
        // Staff hear the screen first; the caller keeps hearing ringing.
        out += R"(<Number url=")";
        append_callback_url(out, options, "screen", c);
        out += R"(">)";
        append_xml_escaped(out, c.forward.number);
        out += "</Number>";
      }
      out += "</Dial>";
      break;
    }
    case action_kind::menu:
      append_menu(out, c, call.menu_repeated, options);
      break;
    case action_kind::callback:
      append_callback_offer(out, c, d, call, options);
      break;
    case action_kind::hangup:
      out += "<Hangup/>";
      break;
    case action_kind::busy:
      append_busy(out, c);
      break;
  }
  out += "</Response>";
}

void write_callback_taken_twiml(std::string& out, const compiled_clinic& c, std::string_view number) {
  // "4 1 6 5 5 5 0 1 2 3": a text-to-speech voice reads a run of digits as
  // one large number.
  std::string spoken(c.callback.confirm);
  for (const char digit : national_digits(number)) {
    spoken += ' ';
    spoken += digit;
  }
  spoken += '.';
  out.clear();
  out += xml_declaration;
  out += "<Response>";
  append_say(out, c, spoken);
  out += "<Hangup/></Response>";
}

void write_not_in_service_twiml(std::string& out) {
  out.clear();
  out += xml_declaration;
  out += "<Response><Say>We're sorry, this number is not in service.</Say><Hangup/></Response>";
}

void write_screen_twiml(std::string& out, const compiled_clinic& c, bool accepted, const twiml_options& options) {
  out.clear();
  out += xml_declaration;
  if (accepted) {
    out += "<Response/>";
    return;
  }
  fmt::format_to(std::back_inserter(out), R"(<Response><Gather numDigits="1" timeout="{}" action=")",
                 screen_wait_seconds);
  append_callback_url(out, options, "screen", c);
  out += R"(">)";
  append_say(out, c, c.forward.screen);
  out += "</Gather><Hangup/></Response>";
}

void write_fallback_twiml(std::string& out, const compiled_clinic& c, std::string_view hangup_document) {
  out.clear();
  out += xml_declaration;
  out += "<Response>";
  const auto record = [&] {
    append_say(out, c, c.voicemail.greeting);
    fmt::format_to(std::back_inserter(out), R"(<Record maxLength="{}" playBeep="true" method="GET" action=")",
                   c.voicemail.max_seconds);
    append_xml_escaped(out, hangup_document);
    out += R"("/>)";
  };
  switch (c.unreachable) {
    case action_kind::forward:
      // Without an action, a <Dial> nobody answers goes on to the next verb:
      // the caller can still leave a message.
      append_say(out, c, c.forward.say);
      fmt::format_to(std::back_inserter(out), R"(<Dial timeout="{}")", c.forward.timeout_seconds);
      if (!c.forward.caller_id.empty()) {
        out += R"( callerId=")";
        append_xml_escaped(out, c.forward.caller_id);
        out += '"';
      }
      out += '>';
      append_xml_escaped(out, c.forward.number);
      out += "</Dial>";
      record();
      break;
    case action_kind::busy:
      append_busy(out, c);
      break;
    default:
      record();
      break;
  }
  out += "</Response>";
}

void write_hangup_twiml(std::string& out) {
  out.clear();
  out += xml_declaration;
  out += "<Response><Hangup/></Response>";
}

}  // namespace callpolicy
