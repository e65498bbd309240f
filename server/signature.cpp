#include "server/signature.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace callpolicy::server {
namespace {

constexpr std::size_t sha1_size = 20;
constexpr std::size_t base64_size = 4 * ((sha1_size + 2) / 3);  // 28

struct mac_deleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// Per thread: one keyed HMAC context per auth token (a context keeps the
// key's inner and outer pads, so re-initialising it for the next request
// costs nothing), and one reused buffer for the signed text (the URL, then
// every name and value in order).
class hmac_sha1 {
 public:
  hmac_sha1() : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {}

  // The signed text into a reused buffer: the URL, then every name and
  // value in Twilio's order, by name, then by value (for repeated names).
  // Sorting is by an integer of each name's first 8 bytes first, which
  // settles most comparisons without a memcmp.
  void prepare(std::string_view url, const form_fields& fields) {
    order_.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) order_.push_back({prefix_of(fields[i].first), i});
    std::sort(order_.begin(), order_.end(), [&](const sort_key& a, const sort_key& b) {
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      return fields[a.index] < fields[b.index];
    });
    text_.assign(url);
    for (const sort_key& k : order_) {
      const auto [name, value] = fields[k.index];
      text_ += name;
      text_ += value;
    }
  }

  // The base64 signature, under `key`, of the last prepare()'s text; false
  // if OpenSSL failed. One update with the whole text: each EVP call has a
  // fixed cost that, made twice per field, was more than the copy.
  bool sign(std::string_view key, std::array<char, base64_size + 1>& out) {
    EVP_MAC_CTX* ctx = context_for(key);
    if (!ctx) return false;
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
    unsigned char digest[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!EVP_MAC_final(ctx, digest, &length, sizeof digest) || length != sha1_size) return false;
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(length));
    return true;
  }

 private:
  struct sort_key {
    std::uint64_t prefix;
    std::size_t index;
  };
  struct keyed {
    std::string key;
    std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx;
  };
  // Tokens change only on rotation; a few old ones are kept, not more.
  static constexpr std::size_t max_keys = 8;

  // The first 8 bytes, big-endian, zero-padded: ordered as the names are
  // wherever the prefixes differ.
  static std::uint64_t prefix_of(std::string_view name) {
    std::uint64_t prefix = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      prefix = prefix << 8 | (i < name.size() ? static_cast<unsigned char>(name[i]) : 0u);
    }
    return prefix;
  }

  // A context ready to sign under `key`, or nullptr.
  EVP_MAC_CTX* context_for(std::string_view key) {
    for (keyed& k : keyed_) {
      if (k.key == key) return EVP_MAC_init(k.ctx.get(), nullptr, 0, nullptr) ? k.ctx.get() : nullptr;
    }
    if (!mac_) return nullptr;
    std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx(EVP_MAC_CTX_new(mac_.get()));
    char digest_name[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    if (!ctx || !EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params)) {
      return nullptr;
    }
    if (keyed_.size() == max_keys) keyed_.erase(keyed_.begin());
    keyed_.push_back({std::string(key), std::move(ctx)});
    return keyed_.back().ctx.get();
  }

  std::unique_ptr<EVP_MAC, mac_deleter> mac_;
  std::vector<keyed> keyed_;
  std::vector<sort_key> order_;
  std::string text_;  // the signed text, reused
};

hmac_sha1& this_threads_hmac() {
  thread_local hmac_sha1 hmac;
  return hmac;
}

}  // namespace

std::string twilio_signature(std::string_view auth_token, std::string_view url, const form_fields& fields) {
  std::array<char, base64_size + 1> out{};
  hmac_sha1& hmac = this_threads_hmac();
  hmac.prepare(url, fields);
  if (!hmac.sign(auth_token, out)) return {};
  return std::string(out.data(), base64_size);
}

bool signature_valid(const std::vector<std::string>& tokens, std::string_view url, const form_fields& fields,
                     std::string_view signature) {
  bool valid = false;
  std::array<char, base64_size + 1> expected{};
  hmac_sha1& hmac = this_threads_hmac();
  hmac.prepare(url, fields);
  for (const std::string& token : tokens) {
    const bool signed_ok = hmac.sign(token, expected);
    // Every token is tried, so the time taken does not tell which matched.
    valid |= signed_ok && signature.size() == base64_size &&
             CRYPTO_memcmp(expected.data(), signature.data(), base64_size) == 0;
  }
  return valid;
}

}  // namespace callpolicy::server
