#include "model/phone_numbers.h"

#include <set>

#include <phonenumbers/phonenumberutil.h>

namespace callpolicy {
namespace {

namespace pn = i18n::phonenumbers;

const pn::PhoneNumberUtil& util() { return *pn::PhoneNumberUtil::GetInstance(); }

}  // namespace

bool looks_like_phone_number(std::string_view text) {
  std::size_t digits = 0;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != '+' && c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 3 && digits <= 17;
}

std::optional<std::string> to_e164(std::string_view text, std::string_view region) {
  if (!looks_like_phone_number(text)) return std::nullopt;
  // Without a region only the international form can be read.
  const std::string region_code = region.empty() ? std::string("ZZ") : std::string(region);
  pn::PhoneNumber number;
  if (util().Parse(std::string(text), region_code, &number) != pn::PhoneNumberUtil::NO_PARSING_ERROR) {
    return std::nullopt;
  }
  if (!util().IsPossibleNumber(number)) return std::nullopt;
  std::string out;
  util().Format(number, pn::PhoneNumberUtil::E164, &out);
  // Some countries have possible numbers of 5 digits; a policy's E.164 has
  // 8 to 15 (docs/language.md, "Lexical rules"), so a shorter one could never match anything.
  if (out.size() < 9 || out.size() > 16) return std::nullopt;
  return out;
}

std::string national_digits(std::string_view e164) {
  pn::PhoneNumber number;
  std::string formatted;
  if (util().Parse(std::string(e164), "ZZ", &number) == pn::PhoneNumberUtil::NO_PARSING_ERROR) {
    util().Format(number, pn::PhoneNumberUtil::NATIONAL, &formatted);
  } else {
    formatted = std::string(e164);
  }
  std::string digits;
  for (const char c : formatted) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits;
}

std::string region_of_number(std::string_view e164) {
  pn::PhoneNumber number;
  if (util().Parse(std::string(e164), "ZZ", &number) != pn::PhoneNumberUtil::NO_PARSING_ERROR) return {};
  std::string region;
  util().GetRegionCodeForNumber(number, &region);
  return region == "ZZ" ? std::string() : region;
}

bool is_known_region(std::string_view region) {
  static const std::set<std::string> regions = [] {
    std::set<std::string> out;
    util().GetSupportedRegions(&out);
    return out;
  }();
  return regions.count(std::string(region)) != 0;
}

bool is_e164(std::string_view text) {
  if (text.size() < 9 || text.size() > 16 || text[0] != '+' || text[1] == '0') return false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

}  // namespace callpolicy
