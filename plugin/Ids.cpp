#include "Ids.h"

#include <openssl/rand.h>

#include <cstdio>
#include <random>

namespace msp {
namespace {

void randomBytes(unsigned char* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) == 1) return;
  static thread_local std::mt19937 fallback{std::random_device{}()};
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>(fallback());
}

}  // namespace

std::string newUuid() {
  unsigned char b[16];
  randomBytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
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
