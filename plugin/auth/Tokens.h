// Signed access tokens (api.md "Access control and limits"): a JWT signed HS256 with the operator's
// token_secret, naming the room it opens (or "*"), when it expires (exp, required) and optionally from when it
// is valid (nbf), the display name, and the rights publish, subscribe (default true) and admin (default false).
// The signature is checked by Debian's libjwt; the algorithm is pinned to HS256 before libjwt sees the token,
// so alg "none", another HMAC or an RSA header (the secret taken for a public key) never verify. A pure
// function of the token, the secret, the room and the time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace msp {

// Longer tokens are refused before anything is decoded (a real one is a few hundred bytes).
constexpr size_t kMaxTokenBytes = 8192;

struct Grants {
  std::string room;                    // the room it opens, or "*"
  std::optional<std::string> display;  // wins over the join request's own
  bool publish = true;
  bool subscribe = true;
  bool admin = false;  // destroy and kick without the room's secret
};

enum class TokenError {
  TooLarge,     // over kMaxTokenBytes
  Malformed,    // not three base64url parts, not JSON, a claim of the wrong type, no exp or room
  Algorithm,    // anything but HS256 (none, HS512, RS256, …)
  Signature,    // not signed with this secret
  Expired,      // exp is past
  NotYetValid,  // nbf is still to come
  OtherRoom,    // for another room
};
const char* toString(TokenError error);

// nowSeconds: Unix time.
std::variant<Grants, TokenError> verifyToken(std::string_view token, std::string_view secret, const std::string& room,
                                             int64_t nowSeconds);

}  // namespace msp
