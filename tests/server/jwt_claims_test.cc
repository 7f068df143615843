// The parts of JWT auth that read what comes from outside, without a
// server: token parsing, claim checks at the edges of their leeways (the
// clock is the test's), glob matching, and which JWKS keys are kept.
#include <gtest/gtest.h>

#include <string>

#include "age/base64.h"
#include "crypto/kdf.h"
#include "server/jwt/claims.h"
#include "server/jwt/keys.h"
#include "server/jwt/token.h"

namespace tresor::server::jwt {
namespace {

using Json = nlohmann::json;

std::string Part(const std::string& text) {
  return age::EncodeBase64Unpadded(crypto::AsBytes(text), age::Base64Alphabet::kUrl);
}

std::string Message(const Result<void>& r) { return r ? "ok" : r.error().message; }

TEST(JwtToken, SplitsAndDecodesItsParts) {
  const std::string compact = Part(R"({"alg":"ES256","kid":"k1"})") + "." +
                              Part(R"({"sub":"x","exp":5})") + "." + Part("sig");
  auto token = ParseToken(compact);
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->alg, "ES256");
  EXPECT_EQ(token->kid, "k1");
  EXPECT_EQ(token->claims, (Json{{"sub", "x"}, {"exp", 5}}));
  EXPECT_EQ(token->signing_input, compact.substr(0, compact.rfind('.')));
  EXPECT_EQ(std::string(token->signature.begin(), token->signature.end()), "sig");
}

TEST(JwtToken, SaysWhatIsMalformed) {
  const std::string head = Part(R"({"alg":"RS256"})");
  const std::pair<std::string, std::string> cases[] = {
      {"", "malformed JWT: empty"},
      {"a.b", "malformed JWT: not three parts separated by '.'"},
      {"a.b.c.d", "malformed JWT: not three parts separated by '.'"},
      {"!!." + Part("{}") + ".", "malformed JWT: header is not base64url"},
      {head + "." + Part("[1]") + ".", "malformed JWT: claims is not a JSON object"},
      {head + "." + Part("{}") + ".a=", "malformed JWT: signature is not base64url"},
      {Part(R"({"alg":1})") + "." + Part("{}") + ".", "malformed JWT: no \"alg\" in the header"},
      {Part(R"({"alg":"RS256","crit":["b64"]})") + "." + Part("{}") + ".",
       "malformed JWT: critical header parameters are not supported"},
      {std::string(kMaxTokenBytes + 1, 'a'), "malformed JWT: longer than 16 KiB"},
  };
  for (const auto& [compact, message] : cases) {
    auto token = ParseToken(compact);
    ASSERT_FALSE(token) << message;
    EXPECT_EQ(token.error().message, message);
  }
  // Nesting is bounded before anything is built.
  const std::string deep = std::string(20, '[') + std::string(20, ']');
  auto token = ParseToken(head + "." + Part(R"({"a":)" + deep + "}") + ".");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().message, "malformed JWT: claims: nesting deeper than 16");
}

TEST(JwtClaims, TimesAtTheEdgesOfTheirLeeways) {
  const Leeways l{60, 150, 150};  // skew is added to both
  const int64_t now = 1'000'000;
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now - 210}}, now, l)), "ok");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now - 211}}, now, l)), "the token has expired");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now}, {"nbf", now + 210}}, now, l)), "ok");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now}, {"nbf", now + 211}}, now, l)),
            "the token is not valid yet (nbf)");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now}, {"iat", now + 60}}, now, l)), "ok");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now}, {"iat", now + 61}}, now, l)),
            "the token was issued in the future");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", "soon"}}, now, l)), "the exp claim is not a number");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now + 0.5}}, now, l)), "ok");
  EXPECT_EQ(Message(CheckTimes(Json::object(), now, l)),
            "the token has no exp claim (tokens that never expire are refused)");
  EXPECT_EQ(Message(CheckTimes(Json{{"exp", now - 1}}, now, Leeways{0, 0, 0})),
            "the token has expired");
}

TEST(JwtClaims, AudiencesBoundOrNot) {
  EXPECT_EQ(Message(CheckAudience(Json{{"aud", "a"}}, {"a", "b"})), "ok");
  EXPECT_EQ(Message(CheckAudience(Json{{"aud", Json{"x", "b"}}}, {"a", "b"})), "ok");
  EXPECT_EQ(Message(CheckAudience(Json{{"aud", "x"}}, {"a"})),
            "aud claim does not match any bound audience");
  EXPECT_EQ(Message(CheckAudience(Json::object(), {"a"})), "the token has no aud claim");
  EXPECT_EQ(Message(CheckAudience(Json{{"aud", "a"}}, {})),
            "audience claim found in JWT but no audiences bound to the role");
  EXPECT_EQ(Message(CheckAudience(Json::object(), {})), "ok");
}

TEST(JwtClaims, BoundClaimsByNameOrPointer) {
  const Json claims = {
      {"ref", "main"}, {"groups", {"ops", "dev"}}, {"n", 7}, {"deep", {{"env", "prod-eu"}}}};
  EXPECT_EQ(Message(CheckBoundClaims(claims, Json{{"ref", {"main", "v1"}}, {"n", "7"}}, false)),
            "ok");
  EXPECT_EQ(Message(CheckBoundClaims(claims, Json{{"groups", "dev"}}, false)), "ok");
  EXPECT_EQ(Message(CheckBoundClaims(claims, Json{{"/deep/env", "prod-*"}}, true)), "ok");
  EXPECT_EQ(Message(CheckBoundClaims(claims, Json{{"/deep/env", "prod-*"}}, false)),
            "claim \"/deep/env\" does not match any associated bound claim values");
  EXPECT_EQ(Message(CheckBoundClaims(claims, Json{{"/deep/none", "x"}}, false)),
            "claim \"/deep/none\" is missing");
  EXPECT_EQ(Message(CheckBoundClaims(claims, Json{{"/~bad", "x"}}, false)),
            "claim \"/~bad\" is missing");
  EXPECT_EQ(ClaimText(claims, "n"), "7");
  EXPECT_EQ(ClaimText(claims, "deep"), std::nullopt);
}

TEST(JwtClaims, GlobMatching) {
  EXPECT_TRUE(GlobMatch("release/*", "release/1.2"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbYbd"));
  EXPECT_FALSE(GlobMatch("release/*", "main"));
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "exactly"));
  // A pattern that makes backtracking matchers exponential stays linear.
  const std::string text(4000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}

TEST(JwtKeys, JwksKeepsSigningKeysTresorChecks) {
  // An Ed25519 key (RFC 8037's example), an encryption key, a symmetric
  // key, an unknown curve, and one whose "alg" does not fit it.
  const std::string ed = R"({"kty":"OKP","crv":"Ed25519","kid":"ed",
      "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
  const std::string doc =
      R"({"keys":[)" + ed +
      R"(,{"kty":"OKP","crv":"Ed25519","use":"enc","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
      {"kty":"oct","k":"c2VjcmV0"},{"kty":"EC","crv":"P-521","x":"AA","y":"AA"},
      {"kty":"OKP","crv":"Ed25519","alg":"RS256","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";
  auto keys = KeysFromJwks(doc);
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kid, "ed");
  EXPECT_EQ(AlgorithmName((*keys)[0].key.algorithm()), "EdDSA");
  const std::pair<std::string, std::string> bad[] = {
      {"[]", "not a JWKS document (no \"keys\" list)"},
      {R"({"keys":[]})", "the JWKS document holds no RS256, ES256 or EdDSA signing key"},
      {R"({"keys":[{"kty":"RSA","n":"AQAB"}]})", "JWKS keys[0]: an RSA key without n and e"},
      {R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]})",
       "JWKS keys[0]: an Ed25519 public key is 32 bytes"},
      {R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})",
       "JWKS keys[0]: an RSA key of fewer than 2048 bits"},
  };
  for (const auto& [text, message] : bad) {
    auto refused = KeysFromJwks(text);
    ASSERT_FALSE(refused) << text;
    EXPECT_EQ(refused.error().message, message);
  }
}

}  // namespace
}  // namespace tresor::server::jwt
