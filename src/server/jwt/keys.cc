#include "server/jwt/keys.h"

#include "age/base64.h"
#include "formats/bounded_json.h"

namespace tresor::server::jwt {
namespace {

using Json = nlohmann::json;

Error Invalid(const std::string& what) { return MakeError(ErrorCode::kInvalidArgument, what); }

std::string Field(const Json& jwk, const char* name) {
  const auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Decode(const Json& jwk, const char* name, std::vector<uint8_t>& out) {
  return age::DecodeBase64Unpadded(Field(jwk, name), out, age::Base64Alphabet::kUrl) &&
         !out.empty();
}

// The key a JWK describes; kNotFound for a kind tresor does not check.
Result<crypto::PublicKey> KeyOf(const Json& jwk) {
  const std::string kty = Field(jwk, "kty");
  const std::string crv = Field(jwk, "crv");
  std::vector<uint8_t> a, b;
  if (kty == "RSA") {
    if (!Decode(jwk, "n", a) || !Decode(jwk, "e", b)) return Invalid("an RSA key without n and e");
    return crypto::PublicKey::FromRsa(a, b);
  }
  if (kty == "EC" && crv == "P-256") {
    if (!Decode(jwk, "x", a) || !Decode(jwk, "y", b)) return Invalid("an EC key without x and y");
    return crypto::PublicKey::FromP256(a, b);
  }
  if (kty == "OKP" && crv == "Ed25519") {
    if (!Decode(jwk, "x", a)) return Invalid("an Ed25519 key without x");
    return crypto::PublicKey::FromEd25519(a);
  }
  return MakeError(ErrorCode::kNotFound, "not a kind of key tresor checks");
}

}  // namespace

std::string_view AlgorithmName(crypto::SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case crypto::SignatureAlgorithm::kRs256:
      return "RS256";
    case crypto::SignatureAlgorithm::kEs256:
      return "ES256";
    case crypto::SignatureAlgorithm::kEdDsa:
      break;
  }
  return "EdDSA";
}

Result<std::vector<VerifyingKey>> KeysFromPem(const std::vector<std::string>& pems) {
  std::vector<VerifyingKey> keys;
  for (size_t i = 0; i < pems.size(); ++i) {
    auto key = crypto::PublicKey::FromPem(pems[i]);
    if (!key) {
      return Invalid("jwt_validation_pubkeys[" + std::to_string(i) + "]: " + key.error().message);
    }
    keys.push_back({"", std::move(*key)});
  }
  return keys;
}

Result<std::vector<VerifyingKey>> KeysFromJwks(std::string_view document) {
  formats::JsonLimits limits;
  limits.max_depth = 8;
  limits.max_array_elements = 100;
  auto json = formats::ParseBoundedJson(document, limits);
  if (!json) return Invalid("the JWKS document is not JSON: " + json.error().message);
  if (!json->is_object() || !json->contains("keys") || !(*json)["keys"].is_array()) {
    return Invalid("not a JWKS document (no \"keys\" list)");
  }
  std::vector<VerifyingKey> keys;
  size_t index = 0;
  for (const Json& jwk : (*json)["keys"]) {
    const size_t at = index++;
    if (!jwk.is_object()) continue;
    const std::string use = Field(jwk, "use");
    if (!use.empty() && use != "sig") continue;
    auto key = KeyOf(jwk);
    if (!key && key.error().code == ErrorCode::kNotFound) continue;
    if (!key) return Invalid("JWKS keys[" + std::to_string(at) + "]: " + key.error().message);
    const std::string alg = Field(jwk, "alg");
    if (!alg.empty() && alg != AlgorithmName(key->algorithm())) continue;
    keys.push_back({Field(jwk, "kid"), std::move(*key)});
  }
  if (keys.empty()) {
    return Invalid("the JWKS document holds no RS256, ES256 or EdDSA signing key");
  }
  return keys;
}

}  // namespace tresor::server::jwt
