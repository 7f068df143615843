// libFuzzer target for what a JWT login reads from outside (server/jwt/):
// the token (before the first newline) and a JWKS document or PEM key (the
// rest). The token is parsed and its claims checked against a fixed role;
// the keys are parsed and each one checks the token's signature. Beyond
// not crashing: a token that parses has an "alg", and a key that parses
// from a JWKS document has a JOSE algorithm name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/kdf.h"
#include "server/jwt/claims.h"
#include "server/jwt/keys.h"
#include "server/jwt/token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor::server::jwt;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view compact = input.substr(0, newline);
  const std::string_view keys_text =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  static const nlohmann::json kBound = {{"ref", {"main", "release/*"}}, {"/a/b", "x*y*z"}};
  auto token = ParseToken(compact);
  if (token) {
    if (token->alg.empty() && !token->header.contains("alg")) __builtin_trap();
    (void)CheckTimes(token->claims, 1'800'000'000, Leeways{});
    (void)CheckAudience(token->claims, {"tresor"});
    (void)CheckBoundClaims(token->claims, kBound, true);
    (void)CheckBoundClaims(token->claims, kBound, false);
    (void)ClaimText(token->claims, "/sub");
  }
  auto keys = KeysFromJwks(keys_text);
  if (!keys) keys = KeysFromPem({std::string(keys_text)});
  if (keys && token) {
    for (const VerifyingKey& k : *keys) {
      if (AlgorithmName(k.key.algorithm()).empty()) __builtin_trap();
      (void)k.key.Verify(tresor::crypto::AsBytes(token->signing_input), token->signature);
    }
  }
  return 0;
}
