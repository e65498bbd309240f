#include "server/signature.h"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace callpolicy::server {

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_fields& fields) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  for (const auto& f : fields) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  std::string data(url);
  for (const auto* f : sorted) {
    data += f->first;
    data += f->second;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  std::string encoded(4 * ((length + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), mac, static_cast<int>(length));
  return encoded;
}

bool signature_valid(const std::vector<std::string>& tokens, std::string_view url,
                     const form_fields& fields, std::string_view signature) {
  bool valid = false;
  for (const std::string& token : tokens) {
    const std::string expected = twilio_signature(token, url, fields);
    // Every token is tried, so the time taken does not tell which matched.
    valid |= expected.size() == signature.size() &&
             CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
  }
  return valid;
}

}  // namespace callpolicy::server
