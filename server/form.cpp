#include "server/form.h"

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

bool form_fields::append_decoded(std::string_view text) { return percent_decode_into(text, true, storage_); }

bool form_fields::parse(std::string_view body) {
  storage_.clear();
  spans_.clear();
  // Offsets are 32 bits; the server caps bodies at 64 KiB long before that.
  if (body.size() > UINT32_MAX) return false;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    span s{};
    s.name = static_cast<std::uint32_t>(storage_.size());
    const bool name_ok = append_decoded(pair.substr(0, eq));
    s.name_size = static_cast<std::uint32_t>(storage_.size()) - s.name;
    s.value = static_cast<std::uint32_t>(storage_.size());
    const bool value_ok = name_ok && append_decoded(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    s.value_size = static_cast<std::uint32_t>(storage_.size()) - s.value;
    if (!value_ok) {
      storage_.clear();
      spans_.clear();
      return false;
    }
    spans_.push_back(s);
  }
  return true;
}

form_fields::field form_fields::operator[](std::size_t i) const {
  const span& s = spans_[i];
  const std::string_view all(storage_);
  return {all.substr(s.name, s.name_size), all.substr(s.value, s.value_size)};
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

std::string_view form_value(const form_fields& fields, std::string_view name) {
  for (const auto [n, v] : fields) {
    if (n == name) return v;
  }
  return {};
}

}  // namespace callpolicy::server
