// Access tokens: every way a token can be wrong is refused, and a right one grants what it says. Tokens are
// minted here with OpenSSL's HMAC directly (not with libjwt, which verifies them), so a bug shared by both
// sides cannot hide.
#include <string>

#include "auth/Secrets.h"
#include "auth/Tokens.h"
#include "cmocka.h"
#include "mint_token.h"

using namespace msp;
using namespace msp::test;

namespace {

const std::string kSecret = kTestTokenSecret;
constexpr int64_t kNow = 1800000000;
std::string mint(const std::string& header, const std::string& claims, const std::string& secret = kSecret,
                 const EVP_MD* md = EVP_sha256()) {
  return mintToken(header, claims, secret, md);
}

const std::string kHs256 = R"({"alg":"HS256","typ":"JWT"})";
std::string claims(const std::string& room, int64_t exp, const std::string& extra = "") {
  return R"({"room":")" + room + R"(","exp":)" + std::to_string(exp) + extra + "}";
}

TokenError errorOf(const std::string& token, const std::string& room = "r") {
  auto result = verifyToken(token, kSecret, room, kNow);
  if (!std::holds_alternative<TokenError>(result)) fail_msg("token accepted: %s", token.c_str());
  return std::get<TokenError>(result);
}

}  // namespace

static void a_right_token_grants_what_it_says(void**) {
  auto result = verifyToken(mint(kHs256, claims("r", kNow + 60, R"(,"display":"Ann","publish":false,"admin":true)")), kSecret, "r", kNow);
  assert_true(std::holds_alternative<Grants>(result));
  const Grants& g = std::get<Grants>(result);
  assert_string_equal(g.display->c_str(), "Ann");
  assert_false(g.publish);
  assert_true(g.subscribe);  // default
  assert_true(g.admin);
  // "*" opens any room; rights default to publish and subscribe, not admin.
  auto any = verifyToken(mint(kHs256, claims("*", kNow + 60)), kSecret, "whatever", kNow);
  assert_true(std::holds_alternative<Grants>(any));
  assert_true(std::get<Grants>(any).publish && std::get<Grants>(any).subscribe && !std::get<Grants>(any).admin);
  assert_false(std::get<Grants>(any).display.has_value());
  // Not valid before nbf, valid from it.
  assert_true(std::holds_alternative<Grants>(verifyToken(mint(kHs256, claims("r", kNow + 60, ",\"nbf\":" + std::to_string(kNow))), kSecret, "r", kNow)));
}

static void algorithms_other_than_hs256_are_refused(void**) {
  // alg "none": no signature at all.
  std::string none = base64Url(R"({"alg":"none","typ":"JWT"})") + "." + base64Url(claims("r", kNow + 60)) + ".";
  assert_int_equal(static_cast<int>(errorOf(none)), static_cast<int>(TokenError::Algorithm));
  // HS512 with the right secret: a valid MAC, of another algorithm.
  assert_int_equal(static_cast<int>(errorOf(mint(R"({"alg":"HS512","typ":"JWT"})", claims("r", kNow + 60), kSecret, EVP_sha512()))),
                   static_cast<int>(TokenError::Algorithm));
  // RS256 header signed with HMAC over the secret (the secret taken for a public key).
  assert_int_equal(static_cast<int>(errorOf(mint(R"({"alg":"RS256","typ":"JWT"})", claims("r", kNow + 60)))),
                   static_cast<int>(TokenError::Algorithm));
  assert_int_equal(static_cast<int>(errorOf(mint(R"({"typ":"JWT"})", claims("r", kNow + 60)))), static_cast<int>(TokenError::Algorithm));
}

static void a_forged_or_stale_token_is_refused(void**) {
  std::string good = mint(kHs256, claims("r", kNow + 60));
  std::string flipped = good;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  assert_int_equal(static_cast<int>(errorOf(flipped)), static_cast<int>(TokenError::Signature));
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, claims("r", kNow + 60), "another secret, 32 bytes long!!"))),
                   static_cast<int>(TokenError::Signature));
  // The claims changed after signing: the signature no longer matches.
  std::string tampered = base64Url(kHs256) + "." + base64Url(claims("*", kNow + 60)) + good.substr(good.rfind('.'));
  assert_int_equal(static_cast<int>(errorOf(tampered)), static_cast<int>(TokenError::Signature));
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, claims("r", kNow)))), static_cast<int>(TokenError::Expired));
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, claims("r", kNow + 60, ",\"nbf\":" + std::to_string(kNow + 30))))),
                   static_cast<int>(TokenError::NotYetValid));
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, claims("other", kNow + 60)))), static_cast<int>(TokenError::OtherRoom));
}

static void malformed_and_oversized_tokens_are_refused(void**) {
  assert_int_equal(static_cast<int>(errorOf(std::string(1 << 20, 'a'))), static_cast<int>(TokenError::TooLarge));
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "a b.c.d", "!!.??.**", "\xff\xfe.a.b"}) {
    assert_int_equal(static_cast<int>(errorOf(bad)), static_cast<int>(TokenError::Malformed));
  }
  assert_int_equal(static_cast<int>(errorOf(base64Url("not json") + "." + base64Url("{}") + ".c2ln")), static_cast<int>(TokenError::Malformed));
  // Claims of the wrong type, or missing: refused even when signed right.
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, R"({"room":"r"})"))), static_cast<int>(TokenError::Malformed));
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, R"({"exp":99999999999})"))), static_cast<int>(TokenError::Malformed));
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, claims("r", kNow + 60, R"(,"publish":"yes")")))), static_cast<int>(TokenError::Malformed));
  assert_int_equal(static_cast<int>(errorOf(mint(kHs256, R"({"room":"r","exp":"tomorrow"})"))), static_cast<int>(TokenError::Malformed));
}

static void secrets_compare_whole(void**) {
  assert_true(sameSecret("pin-1234", "pin-1234"));
  assert_false(sameSecret("pin-123", "pin-1234"));
  assert_false(sameSecret("pin-12345", "pin-1234"));
  assert_false(sameSecret("", "pin"));
  assert_false(sameSecret("", ""));     // not given never matches, even where nothing is set
  assert_false(sameSecret("pin", ""));
  assert_true(sameSecret(std::string("a\0b", 3), std::string("a\0b", 3)));
  assert_false(sameSecret(std::string("a\0b", 3), std::string("a\0c", 3)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_right_token_grants_what_it_says),
      cmocka_unit_test(algorithms_other_than_hs256_are_refused),
      cmocka_unit_test(a_forged_or_stale_token_is_refused),
      cmocka_unit_test(malformed_and_oversized_tokens_are_refused),
      cmocka_unit_test(secrets_compare_whole),
  };
  return cmocka_run_group_tests_name("tokens", tests, nullptr, nullptr);
}
