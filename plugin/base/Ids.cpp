#include "base/Ids.h"

#include <openssl/rand.h>

#include <cstring>
#include <random>

namespace msp {
namespace {

// Ids are made for every entity a request creates: one RAND_bytes call (a lock and a DRBG round in OpenSSL 3)
// per id showed in profiles, so bytes are drawn a pool at a time, per thread. Still OpenSSL's CSPRNG.
void randomBytes(unsigned char* out, size_t size) {
  struct Pool {
    unsigned char bytes[1024];
    size_t used = sizeof bytes;
  };
  static thread_local Pool pool;
  if (size > sizeof pool.bytes) {
    if (RAND_bytes(out, static_cast<int>(size)) == 1) return;
  } else {
    if (pool.used + size > sizeof pool.bytes) {
      if (RAND_bytes(pool.bytes, sizeof pool.bytes) == 1) pool.used = 0;
    }
    if (pool.used + size <= sizeof pool.bytes) {
      std::memcpy(out, pool.bytes + pool.used, size);
      std::memset(pool.bytes + pool.used, 0, size);  // a byte handed out is not kept
      pool.used += size;
      return;
    }
  }
  static thread_local std::mt19937 fallback{std::random_device{}()};
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>(fallback());
}

}  // namespace

std::string newUuid() {
  unsigned char b[16];
  randomBytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  static const char hex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < sizeof b; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += hex[b[i] >> 4];
    text += hex[b[i] & 15];
  }
  return text;
}

std::string randomRoomId() {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[16];
  randomBytes(bytes, sizeof bytes);
  std::string id;
  for (unsigned char b : bytes) id += alphabet[b & 63];
  return id;
}

}  // namespace msp
