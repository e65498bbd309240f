#include "runtime/twiml.h"

#include <iterator>

#include <fmt/format.h>

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

void append_ai(std::string& out, const runtime_clinic& clinic, const decision& d, via_kind via,
               const twiml_options& options) {
  const compiled_clinic& c = clinic.policy;
  const bool redirect = c.ai.type == ai_config::kind::redirect ||
                        (c.ai.type == ai_config::kind::server_default && options.ai_sip.empty() &&
                         !options.ai_url.empty());
  if (redirect) {
    out += R"(<Redirect method="POST">)";
    append_xml_escaped(out, c.ai.type == ai_config::kind::redirect ? std::string_view(c.ai.target)
                                                                   : options.ai_url);
    out += "</Redirect>";
    return;
  }
  // The leg's end comes back to /twilio/ai-status: a failed or unanswered
  // AI leg is followed by the clinic's `unavailable` action rather than
  // the caller running out of TwiML (docs/language.md, "The AI leg").
  fmt::format_to(std::back_inserter(out), R"(<Dial answerOnBridge="true" timeout="{}" action=")",
                 c.ai.timeout_seconds);
  append_callback_url(out, options, "ai-status", c);
  // Escaped as it is written: the URI's own '&' separators become "&amp;".
  out += R"("><Sip>)";
  bool has_query = false;
  if (c.ai.type == ai_config::kind::sip) {
    append_xml_escaped(out, c.ai.target);
    has_query = c.ai.target.find('?') != std::string::npos;
  } else if (!options.ai_sip.empty()) {
    append_xml_escaped(out, options.ai_sip);
    has_query = options.ai_sip.find('?') != std::string_view::npos;
  } else {
    out += "sip:";
    append_xml_escaped(out, c.id);
    out += "@sip.vapi.ai";
  }
  out += has_query ? "&amp;x-clinic=" : "?x-clinic=";
  append_uri_component(out, c.id);
  out += "&amp;x-reason=";
  append_uri_component(out, d.reason);
  out += "&amp;x-via=";
  out += via_name(via);
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
      append_ai(out, clinic, d, call.via, options);
      break;
    case action_kind::voicemail:
      append_say(out, c, c.voicemail.greeting);
      fmt::format_to(std::back_inserter(out), R"(<Record maxLength="{}" playBeep="true" action=")",
                     c.voicemail.max_seconds);
      append_xml_escaped(out, options.public_url);
      out += R"(/twilio/hangup" recordingStatusCallback=")";
      append_xml_escaped(out, options.public_url);
      out += R"(/twilio/voicemail" recordingStatusCallbackEvent="completed"/>)";
      break;
    case action_kind::forward: {
      append_say(out, c, c.forward.say);
      fmt::format_to(std::back_inserter(out), R"(<Dial timeout="{}" action=")", c.forward.timeout_seconds);
      append_callback_url(out, options, "dial-status", c);
      out += '"';
      if (const std::string_view caller_id = forward_caller_id(c, call.caller_is_e164); !caller_id.empty()) {
        out += R"( callerId=")";
        append_xml_escaped(out, caller_id);
        out += '"';
      }
      out += '>';
      append_xml_escaped(out, c.forward.number);
      out += "</Dial>";
      break;
    }
    case action_kind::menu:
      append_menu(out, c, call.menu_repeated, options);
      break;
    case action_kind::hangup:
      out += "<Hangup/>";
      break;
    case action_kind::busy:
      if (c.busy.reject) {
        out += R"(<Reject reason="busy"/>)";
      } else {
        append_say(out, c, c.busy.say);
        out += "<Hangup/>";
      }
      break;
  }
  out += "</Response>";
}

void write_not_in_service_twiml(std::string& out) {
  out.clear();
  out += xml_declaration;
  out += "<Response><Say>We're sorry, this number is not in service.</Say><Hangup/></Response>";
}

void write_hangup_twiml(std::string& out) {
  out.clear();
  out += xml_declaration;
  out += "<Response><Hangup/></Response>";
}

}  // namespace callpolicy
