// Phone numbers in the forms people and PBXs write them, through Google's
// libphonenumber: E.164 (`+14165550111`) or a region's national form
// (`4165550111`, `(416) 555-0111`, `1 416 555 0111`). Policies themselves
// keep E.164; these functions meet the numbers that come from outside (a PBX's
// SIP users, `eval --caller`, a test's `caller`). libphonenumber's headers
// stay in phone_numbers.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace callpolicy {

// Digits with at most the punctuation people put in numbers ("+", " ", "-",
// ".", "(", ")"), 3 to 17 digits. A cheap test before asking libphonenumber,
// so that a SIP user like "front-desk" never reaches its regular expressions.
bool looks_like_phone_number(std::string_view text);

// E.164 exactly: '+' then 8 to 15 digits, the first not 0.
bool is_e164(std::string_view text);

// `text` in E.164 when it is a possible number written in E.164 or in the
// national form of `region` (an ISO 3166 code like "CA"), with 8 to 15
// digits as policies write them; nullopt otherwise.
// Possible, not valid: a fictional 555 number of a test still parses.
std::optional<std::string> to_e164(std::string_view text, std::string_view region);

// The digits of an E.164 number as its own country dials it ("02079460999"
// for +442079460999), for reading a number back to a caller; the digits
// after '+' when libphonenumber cannot format it.
std::string national_digits(std::string_view e164);

// The region an E.164 number belongs to ("CA"), or "" when none does.
std::string region_of_number(std::string_view e164);

// Whether libphonenumber knows `region` as a region code ("CA", "GB").
bool is_known_region(std::string_view region);

}  // namespace callpolicy
