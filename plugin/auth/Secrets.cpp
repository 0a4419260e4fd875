#include "auth/Secrets.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace msp {

bool sameSecret(std::string_view given, std::string_view expected) {
  if (given.empty() || expected.empty()) return false;
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

}  // namespace msp
