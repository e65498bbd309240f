#include "server/twilio/form.h"

#include <algorithm>

#include "runtime/identify.h"

namespace callpolicy::server {

form_fields::form_fields(std::initializer_list<field> fields) {
  for (const auto& [name, value] : fields) {
    span s{};
    s.name = static_cast<std::uint32_t>(storage_.size());
    s.name_size = static_cast<std::uint32_t>(name.size());
    storage_ += name;
    s.value = static_cast<std::uint32_t>(storage_.size());
    s.value_size = static_cast<std::uint32_t>(value.size());
    storage_ += value;
    spans_.push_back(s);
  }
}

bool form_fields::parse(std::string_view body) {
  spans_.clear();
  // Offsets are 32 bits; the server caps bodies at 64 KiB long before that.
  if (body.size() > UINT32_MAX) {
    storage_.clear();
    return false;
  }
  // Decoding never lengthens, so one buffer the size of the body holds it all.
  storage_.resize(body.size());
  char* const base = storage_.data();
  char* out = base;
  const auto offset = [&](const char* p) { return static_cast<std::uint32_t>(p - base); };
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    span s{};
    s.name = offset(out);
    char* const name_end = percent_decode_to(pair.substr(0, eq), true, out);
    char* const value_end =
        name_end ? percent_decode_to(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true, name_end)
                 : nullptr;
    if (!value_end) {
      storage_.clear();
      spans_.clear();
      return false;
    }
    s.name_size = offset(name_end) - s.name;
    s.value = offset(name_end);
    s.value_size = offset(value_end) - s.value;
    spans_.push_back(s);
    out = value_end;
  }
  storage_.resize(offset(out));
  return true;
}

form_fields::field form_fields::operator[](std::size_t i) const {
  const span& s = spans_[i];
  return {std::string_view(storage_.data() + s.name, s.name_size), std::string_view(storage_.data() + s.value, s.value_size)};
}

bool form_fields::named(const span& s, std::string_view name) const {
  // The length first: most fields differ there, without a memcmp.
  return s.name_size == name.size() && std::string_view(storage_.data() + s.name, s.name_size) == name;
}

std::string_view form_fields::value(std::string_view name) const {
  for (const span& s : spans_) {
    if (named(s, name)) return {storage_.data() + s.value, s.value_size};
  }
  return {};
}

std::size_t form_fields::count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(spans_.begin(), spans_.end(), [&](const span& s) { return named(s, name); }));
}

bool form_fields::operator==(const form_fields& other) const {
  if (size() != other.size()) return false;
  for (std::size_t i = 0; i < size(); ++i) {
    if ((*this)[i] != other[i]) return false;
  }
  return true;
}

std::optional<form_fields> parse_form(std::string_view body) {
  form_fields fields;
  if (!fields.parse(body)) return std::nullopt;
  return fields;
}

std::string_view form_value(const form_fields& fields, std::string_view name) { return fields.value(name); }

std::string_view query_value(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  thread_local std::string decoded;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name || eq == std::string_view::npos) continue;
    decoded.clear();
    if (!percent_decode_into(pair.substr(eq + 1), true, decoded)) return {};
    return decoded;
  }
  return {};
}

}  // namespace callpolicy::server
