#include "server/twilio/signature.h"

#include <algorithm>
#include <array>
#include <cstdint>

// For SHA1_Init/Update/Final: see hmac_sha1 below.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

namespace callpolicy::server {
namespace {

constexpr std::size_t sha1_size = 20;
constexpr std::size_t base64_size = 4 * ((sha1_size + 2) / 3);  // 28
constexpr std::size_t sha1_block = 64;

// Per thread: HMAC-SHA1 (RFC 2104) from SHA-1 states kept per key, copied by
// value for each request. OpenSSL 3.0's HMAC and EVP_MAC (and EVP_Digest*
// on a reused context) free and allocate their provider context at every
// init and final: two mallocs a request. The SHA1_* functions are OpenSSL's
// own SHA-1 (its assembly, SHA-NI where the CPU has it) over a plain struct;
// 3.0 marks them deprecated, and every 3.x release keeps them. One reused
// buffer holds the signed text (the URL, then every name and value in order).
class hmac_sha1 {
 public:
  hmac_sha1() = default;
  ~hmac_sha1() {
    for (keyed& k : keyed_) OPENSSL_cleanse(&k.pads, sizeof k.pads);
  }
  hmac_sha1(const hmac_sha1&) = delete;
  hmac_sha1& operator=(const hmac_sha1&) = delete;

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

  // The base64 signature, under `key`, of the last prepare()'s text. One
  // update with the whole text: each call has a fixed cost that, made twice
  // per field, was more than the copy.
  void sign(std::string_view key, std::array<char, base64_size + 1>& out) {
    const padded& pads = pads_for(key);
    unsigned char inner[sha1_size];
    unsigned char digest[sha1_size];
    SHA_CTX sha = pads.inner;
    SHA1_Update(&sha, text_.data(), text_.size());
    SHA1_Final(inner, &sha);
    sha = pads.outer;
    SHA1_Update(&sha, inner, sizeof inner);
    SHA1_Final(digest, &sha);
    OPENSSL_cleanse(&sha, sizeof sha);
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(sizeof digest));
  }

 private:
  struct sort_key {
    std::uint64_t prefix;
    std::size_t index;
  };
  // SHA-1 after the key ^ ipad block and after the key ^ opad block.
  struct padded {
    SHA_CTX inner;
    SHA_CTX outer;
  };
  struct keyed {
    std::string key;
    padded pads;
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

  const padded& pads_for(std::string_view key) {
    for (const keyed& k : keyed_) {
      if (k.key == key) return k.pads;
    }
    // A key longer than a block is replaced by its digest (RFC 2104 section 2).
    std::array<unsigned char, sha1_block> block{};
    if (key.size() > sha1_block) {
      SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block.data());
    } else {
      std::copy(key.begin(), key.end(), block.begin());
    }
    if (keyed_.size() == max_keys) {
      OPENSSL_cleanse(&keyed_.front().pads, sizeof keyed_.front().pads);
      keyed_.erase(keyed_.begin());
    }
    keyed& k = keyed_.emplace_back();
    k.key.assign(key);
    std::array<unsigned char, sha1_block> pad{};
    for (std::size_t i = 0; i < sha1_block; ++i) pad[i] = block[i] ^ 0x36;
    SHA1_Init(&k.pads.inner);
    SHA1_Update(&k.pads.inner, pad.data(), pad.size());
    for (std::size_t i = 0; i < sha1_block; ++i) pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&k.pads.outer);
    SHA1_Update(&k.pads.outer, pad.data(), pad.size());
    OPENSSL_cleanse(block.data(), block.size());
    OPENSSL_cleanse(pad.data(), pad.size());
    return k.pads;
  }

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
  hmac.sign(auth_token, out);
  return std::string(out.data(), base64_size);
}

bool signature_valid(const std::vector<std::string>& tokens, std::string_view url, const form_fields& fields,
                     std::string_view signature) {
  bool valid = false;
  std::array<char, base64_size + 1> expected{};
  hmac_sha1& hmac = this_threads_hmac();
  hmac.prepare(url, fields);
  for (const std::string& token : tokens) {
    hmac.sign(token, expected);
    // Every token is tried, so the time taken does not tell which matched.
    valid |= signature.size() == base64_size &&
             CRYPTO_memcmp(expected.data(), signature.data(), base64_size) == 0;
  }
  return valid;
}

}  // namespace callpolicy::server
