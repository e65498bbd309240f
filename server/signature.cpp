#include "server/signature.h"

#include <algorithm>
#include <array>
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

// One HMAC context per thread, fed piece by piece: the signed text (URL,
// then every name and value in order) is never put together in a buffer.
// The order of the fields is kept in a reused per-thread vector.
class hmac_sha1 {
 public:
  hmac_sha1() : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)), ctx_(mac_ ? EVP_MAC_CTX_new(mac_.get()) : nullptr) {}

  // The base64 signature into `out`; false if OpenSSL failed.
  bool sign(std::string_view key, std::string_view url, const form_fields& fields,
            std::array<char, base64_size + 1>& out) {
    if (!ctx_) return false;
    char digest_name[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    if (!EVP_MAC_init(ctx_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params)) return false;
    order_.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) order_.push_back(i);
    // By name, then by value: Twilio's order for repeated names.
    std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return fields[a] < fields[b]; });
    update(url);
    for (std::size_t i : order_) {
      const auto [name, value] = fields[i];
      update(name);
      update(value);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!EVP_MAC_final(ctx_.get(), digest, &length, sizeof digest) || length != sha1_size) return false;
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(length));
    return true;
  }

 private:
  void update(std::string_view text) {
    EVP_MAC_update(ctx_.get(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }

  std::unique_ptr<EVP_MAC, mac_deleter> mac_;
  std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx_;
  std::vector<std::size_t> order_;
};

hmac_sha1& this_threads_hmac() {
  thread_local hmac_sha1 hmac;
  return hmac;
}

}  // namespace

std::string twilio_signature(std::string_view auth_token, std::string_view url, const form_fields& fields) {
  std::array<char, base64_size + 1> out{};
  if (!this_threads_hmac().sign(auth_token, url, fields, out)) return {};
  return std::string(out.data(), base64_size);
}

bool signature_valid(const std::vector<std::string>& tokens, std::string_view url, const form_fields& fields,
                     std::string_view signature) {
  bool valid = false;
  std::array<char, base64_size + 1> expected{};
  for (const std::string& token : tokens) {
    const bool signed_ok = this_threads_hmac().sign(token, url, fields, expected);
    // Every token is tried, so the time taken does not tell which matched.
    valid |= signed_ok && signature.size() == base64_size &&
             CRYPTO_memcmp(expected.data(), signature.data(), base64_size) == 0;
  }
  return valid;
}

}  // namespace callpolicy::server
