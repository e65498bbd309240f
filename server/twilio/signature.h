// Twilio request validation: X-Twilio-Signature is the base64 HMAC-SHA1,
// keyed with the auth token, of the full public URL followed by each POST
// parameter's name and value, sorted by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/twilio/form.h"

namespace callpolicy::server {

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_fields& fields);

// True when `signature` matches under any of `tokens` (two during rotation).
// Compares in constant time.
bool signature_valid(const std::vector<std::string>& tokens, std::string_view url,
                     const form_fields& fields, std::string_view signature);

}  // namespace callpolicy::server
