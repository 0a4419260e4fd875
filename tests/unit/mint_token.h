// Minting JWTs for tests with OpenSSL's HMAC directly (the plugin verifies them with libjwt): HS256 by default,
// any header and claims, so tests can also forge what an attacker would send.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <ctime>
#include <string>

namespace msp::test {

constexpr const char* kTestTokenSecret = "0123456789abcdef0123456789abcdef";

inline std::string base64Url(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

inline std::string mintToken(const std::string& header, const std::string& claims, const std::string& secret,
                             const EVP_MD* md = EVP_sha256()) {
  std::string signingInput = base64Url(header) + "." + base64Url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(signingInput.data()),
       signingInput.size(), mac, &length);
  return signingInput + "." + base64Url(std::string(reinterpret_cast<char*>(mac), length));
}

// A valid HS256 token for room (claims as JSON members after room and exp), expiring in a minute.
inline std::string roomToken(const std::string& room, const std::string& extraClaims = "", const std::string& secret = kTestTokenSecret) {
  std::string claims = R"({"room":")" + room + R"(","exp":)" + std::to_string(static_cast<long long>(std::time(nullptr)) + 60) + extraClaims + "}";
  return mintToken(R"({"alg":"HS256","typ":"JWT"})", claims, secret);
}

}  // namespace msp::test
