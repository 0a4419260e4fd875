#include "auth/Tokens.h"

#include <jansson.h>
#include <jwt.h>

#include <cstdlib>
#include <memory>

namespace msp {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
struct JsonFree {
  void operator()(json_t* json) const { json_decref(json); }
};
struct CharFree {
  void operator()(char* text) const { std::free(text); }
};

bool isBase64Url(std::string_view part) {
  if (part.empty()) return false;
  for (char c : part) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// RFC 4648 §5, unpadded; nullopt on a character outside the alphabet or an impossible length.
std::optional<std::string> decodeBase64Url(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::unique_ptr<json_t, JsonFree> parseObject(std::string_view text) {
  json_t* json = json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, nullptr);
  if (json && !json_is_object(json)) {
    json_decref(json);
    json = nullptr;
  }
  return std::unique_ptr<json_t, JsonFree>(json);
}

// An optional boolean claim: its value, the default when absent, nullopt when of another type.
std::optional<bool> boolClaim(json_t* claims, const char* name, bool fallback) {
  json_t* value = json_object_get(claims, name);
  if (!value) return fallback;
  if (!json_is_boolean(value)) return std::nullopt;
  return json_is_true(value);
}

}  // namespace

const char* toString(TokenError error) {
  switch (error) {
    case TokenError::TooLarge: return "too large";
    case TokenError::Malformed: return "malformed";
    case TokenError::Algorithm: return "only HS256 tokens are accepted";
    case TokenError::Signature: return "bad signature";
    case TokenError::Expired: return "expired";
    case TokenError::NotYetValid: return "not valid yet";
    case TokenError::OtherRoom: return "for another room";
  }
  return "invalid";
}

std::variant<Grants, TokenError> verifyToken(std::string_view token, std::string_view secret, const std::string& room,
                                             int64_t nowSeconds) {
  if (token.size() > kMaxTokenBytes) return TokenError::TooLarge;
  size_t first = token.find('.'), second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return TokenError::Malformed;
  std::string_view header = token.substr(0, first), payload = token.substr(first + 1, second - first - 1),
                   signature = token.substr(second + 1);
  // An empty signature is alg "none"'s: refused as its algorithm below.
  if (!isBase64Url(header) || !isBase64Url(payload) || (!signature.empty() && !isBase64Url(signature))) {
    return TokenError::Malformed;
  }

  // The algorithm first, from the header alone: libjwt would otherwise follow whatever the token names.
  auto headerText = decodeBase64Url(header);
  auto headerJson = headerText ? parseObject(*headerText) : nullptr;
  if (!headerJson) return TokenError::Malformed;
  json_t* alg = json_object_get(headerJson.get(), "alg");
  if (!json_is_string(alg) || std::string_view(json_string_value(alg)) != "HS256") return TokenError::Algorithm;

  if (signature.empty()) return TokenError::Signature;
  std::string terminated(token);
  jwt_t* raw = nullptr;
  int rc = jwt_decode(&raw, terminated.c_str(), reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size()));
  std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  if (rc != 0 || !jwt) return TokenError::Signature;
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return TokenError::Algorithm;

  std::unique_ptr<char, CharFree> grantsText(jwt_get_grants_json(jwt.get(), nullptr));
  auto claims = grantsText ? parseObject(grantsText.get()) : nullptr;
  if (!claims) return TokenError::Malformed;
  json_t* exp = json_object_get(claims.get(), "exp");
  json_t* nbf = json_object_get(claims.get(), "nbf");
  json_t* forRoom = json_object_get(claims.get(), "room");
  json_t* display = json_object_get(claims.get(), "display");
  if (!json_is_integer(exp) || (nbf && !json_is_integer(nbf)) || !json_is_string(forRoom) || (display && !json_is_string(display))) {
    return TokenError::Malformed;
  }
  Grants grants;
  auto publish = boolClaim(claims.get(), "publish", true);
  auto subscribe = boolClaim(claims.get(), "subscribe", true);
  auto admin = boolClaim(claims.get(), "admin", false);
  if (!publish || !subscribe || !admin) return TokenError::Malformed;
  if (nowSeconds >= json_integer_value(exp)) return TokenError::Expired;
  if (nbf && nowSeconds < json_integer_value(nbf)) return TokenError::NotYetValid;
  grants.room = json_string_value(forRoom);
  if (grants.room != "*" && grants.room != room) return TokenError::OtherRoom;
  if (display) grants.display = json_string_value(display);
  grants.publish = *publish;
  grants.subscribe = *subscribe;
  grants.admin = *admin;
  return grants;
}

}  // namespace msp
