// application/x-www-form-urlencoded bodies (Twilio's webhooks): pairs in
// order, percent-decoded, '+' as space.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callpolicy::server {

using form_fields = std::vector<std::pair<std::string, std::string>>;

// nullopt for a malformed body (a bad %-escape).
std::optional<form_fields> parse_form(std::string_view body);

// The first value of `name`, or empty.
std::string_view form_value(const form_fields& fields, std::string_view name);

}  // namespace callpolicy::server
