#include "runtime/identify.h"

#include <algorithm>
#include <cctype>

#include "model/phone_numbers.h"

namespace callpolicy {

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

char* percent_decode_to(std::string_view text, bool plus_is_space, char* out) {
  // A byte loop: searching for the next escape with find_first_of costs a
  // memchr call per byte, the largest user-space cost of a webhook.
  const char* in = text.data();
  const char* const end = in + text.size();
  while (in != end) {
    const char c = *in++;
    if (c == '%') {
      if (end - in < 2) return nullptr;
      const int high = hex_digit(in[0]);
      const int low = hex_digit(in[1]);
      if (high < 0 || low < 0) return nullptr;
      *out++ = static_cast<char>(high * 16 + low);
      in += 2;
    } else {
      *out++ = c == '+' && plus_is_space ? ' ' : c;
    }
  }
  return out;
}

bool percent_decode_into(std::string_view text, bool plus_is_space, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + text.size());
  char* const end = percent_decode_to(text, plus_is_space, out.data() + start);
  out.resize(end ? static_cast<std::size_t>(end - out.data()) : start);
  return end != nullptr;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  if (!percent_decode_into(text, plus_is_space, out)) return std::nullopt;
  return out;
}


bool sip_user_into(std::string_view to, std::string& out) {
  // URI schemes are case-insensitive (RFC 3261 19.1.4): `SIP:` is `sip:`.
  const auto has_scheme = [&](std::string_view scheme) {
    if (to.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(to[i])) != scheme[i]) return false;
    }
    return true;
  };
  if (has_scheme("sip:")) {
    to.remove_prefix(4);
  } else if (has_scheme("sips:")) {
    to.remove_prefix(5);
  }
  const auto at = to.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  // A user part may carry its own ;params before the '@' (RFC 3261 allows
  // them in the userinfo of tel-like users); they are not part of the name.
  std::string_view user = to.substr(0, at);
  user = user.substr(0, user.find(';'));
  out.clear();
  return percent_decode_into(user, false, out);
}

std::optional<std::string> sip_user_of(std::string_view to) {
  std::string user;
  if (!sip_user_into(to, user)) return std::nullopt;
  return user;
}

namespace {
// A number as a PBX or a person writes it, looked up in E.164: as given when
// it is E.164, else read in each region the set's clinics use.
std::optional<clinic_match> find_number(const policy_set& set, std::string_view text) {
  if (is_e164(text)) return set.find_by_number(text);
  if (!looks_like_phone_number(text)) return std::nullopt;
  if (const auto e164 = to_e164(text, {})) return set.find_by_number(*e164);
  for (const std::string& region : set.regions()) {
    const auto e164 = to_e164(text, region);
    if (!e164) continue;
    if (auto match = set.find_by_number(*e164)) return match;
  }
  return std::nullopt;
}
}  // namespace

std::optional<clinic_match> identify_clinic(const policy_set& set, std::string_view to) {
  if (is_e164(to)) return set.find_by_number(to);
  thread_local std::string user;
  if (!sip_user_into(to, user)) return find_number(set, to);
  if (const runtime_clinic* clinic = set.find_by_sip_user(user)) return clinic_match{clinic, via_kind::sip};
  // A PBX that sends the dialled number as the SIP user.
  const auto by_number = find_number(set, user);
  if (!by_number) return std::nullopt;
  return clinic_match{by_number->clinic, via_kind::sip};
}

std::string_view transfer_target_e164(std::string_view target, std::string_view region, std::string& buffer) {
  // `"Front desk" <sip:…>`: what the brackets hold.
  if (const auto open = target.find('<'); open != std::string_view::npos) {
    const auto close = target.find('>', open);
    if (close == std::string_view::npos) return {};
    target = target.substr(open + 1, close - open - 1);
  }
  while (!target.empty() && (target.front() == ' ' || target.front() == '\t')) target.remove_prefix(1);
  while (!target.empty() && (target.back() == ' ' || target.back() == '\t')) target.remove_suffix(1);
  target = target.substr(0, target.find('?'));  // URI headers (Replaces=…) are not the number
  const bool tel = target.size() >= 4 && (target[0] | 0x20) == 't' && (target[1] | 0x20) == 'e' &&
                   (target[2] | 0x20) == 'l' && target[3] == ':';
  if (tel) {
    target.remove_prefix(4);
    target = target.substr(0, target.find(';'));  // ;ext=, ;phone-context=
    if (is_e164(target)) return target;
    auto e164 = to_e164(target, region);
    if (!e164) return {};
    buffer = std::move(*e164);
    return buffer;
  }
  if (target.find('@') == std::string_view::npos && target.find(':') != std::string_view::npos) return {};
  return caller_e164(target, region, buffer);
}

std::string_view caller_e164(std::string_view from, std::string_view region, std::string& buffer) {
  if (is_e164(from)) return from;
  std::string_view number = from;
  if (sip_user_into(from, buffer)) {
    if (is_e164(buffer)) return buffer;
    number = buffer;
  }
  auto e164 = to_e164(number, region);
  if (!e164) return {};
  buffer = std::move(*e164);
  return buffer;
}

}  // namespace callpolicy
