// application/x-www-form-urlencoded bodies (Twilio's webhooks): pairs in
// order, percent-decoded, '+' as space. A form_fields keeps every decoded
// byte in one buffer of its own, so parsing into the same object again (one
// per thread in the server) allocates only when a body is larger than any
// before it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callpolicy::server {

class form_fields {
 public:
  using field = std::pair<std::string_view, std::string_view>;

  form_fields() = default;
  // Copies the names and values (tests, the `sign` command).
  form_fields(std::initializer_list<field> fields);

  // Replaces the contents with the decoded `body`; false (and empty) for a
  // malformed body: a bad %-escape.
  bool parse(std::string_view body);

  std::size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  field operator[](std::size_t i) const;
  field front() const { return (*this)[0]; }
  // The first value of `name`, or empty.
  std::string_view value(std::string_view name) const;
  // How many fields are called `name`.
  std::size_t count(std::string_view name) const;
  bool operator==(const form_fields& other) const;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = field;
    iterator(const form_fields* form, std::size_t i) : form_(form), i_(i) {}
    field operator*() const { return (*form_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++i_;
      return before;
    }
    bool operator==(const iterator& other) const { return i_ == other.i_; }

   private:
    const form_fields* form_;
    std::size_t i_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, spans_.size()}; }

 private:
  // Offsets into storage_, so that copies stay valid.
  struct span {
    std::uint32_t name, name_size, value, value_size;
  };
  bool named(const span& s, std::string_view name) const;

  std::string storage_;
  std::vector<span> spans_;
};

// nullopt for a malformed body (a bad %-escape).
std::optional<form_fields> parse_form(std::string_view body);

// The first value of `name`, or empty.
std::string_view form_value(const form_fields& fields, std::string_view name);

// A query parameter of a request target ("/path?a=1&b=2"), percent-decoded
// as a form is; empty when absent or malformed. The view is valid until the
// thread's next call.
std::string_view query_value(std::string_view target, std::string_view name);

}  // namespace callpolicy::server
