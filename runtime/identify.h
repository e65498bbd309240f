// Which clinic a call is for, from Twilio's `To` (docs/operations.md): an E.164 number is
// looked up among ported, then forwarded numbers; a SIP address
// (`sip:USER@HOST[:PORT][;params]`, `sips:`, or without a scheme) by its
// percent-decoded USER among SIP users, then among the numbers when USER is
// a phone number. Used by the server and by `eval --to`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/phone_numbers.h"  // is_e164
#include "runtime/policy_set.h"

namespace callpolicy {

// Decodes %XX escapes; with `plus_is_space`, '+' becomes ' ' (form bodies).
// nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
// The same, appended to `out`; false for a malformed escape (`out` then
// is as it was).
bool percent_decode_into(std::string_view text, bool plus_is_space, std::string& out);
// The same into `out`, which has room for text.size() bytes (decoding never
// lengthens); the end of what was written, or nullptr for a malformed escape.
char* percent_decode_to(std::string_view text, bool plus_is_space, char* out);

// The percent-decoded user part of a SIP address, or nullopt if `to` is not one.
std::optional<std::string> sip_user_of(std::string_view to);
// The same into `user` (reused, so the server's threads allocate nothing
// once warm); false if `to` is not a SIP address.
bool sip_user_into(std::string_view to, std::string& user);


// A SIP user that matches no SIP user but is a phone number (E.164 or the
// national form of a region the set's clinics use) is looked up among the
// numbers, still via sip: a PBX often sends the dialled number.
std::optional<clinic_match> identify_clinic(const policy_set& set, std::string_view to);

// The caller's number in E.164 from Twilio's `From`: as given when it is
// E.164; for a SIP address its user part, in E.164 or in the national form
// of `region`; empty when it is no phone number ("anonymous", a name). The
// view points into `from` or `buffer`.
std::string_view caller_e164(std::string_view from, std::string_view region, std::string& buffer);

// The phone number a SIP REFER's Refer-To names (Twilio's ReferTransferTarget):
// `<sip:+14165550000@host;user=phone>`, `sip:…`, `tel:+1…;ext=2`, a bare
// number, with or without angle brackets, a display name or URI headers;
// national forms read in `region`. Empty when it names no phone number.
std::string_view transfer_target_e164(std::string_view refer_to, std::string_view region, std::string& buffer);

}  // namespace callpolicy
