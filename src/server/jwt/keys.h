// The keys JWTs are checked against: PEM public keys as Vault's
// jwt_validation_pubkeys gives them, or a JWKS document (RFC 7517) as an
// identity provider publishes it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "crypto/signature.h"

namespace tresor::server::jwt {

struct VerifyingKey {
  std::string kid;  // "" for a PEM key
  crypto::PublicKey key;
};

// Each PEM block; kInvalidArgument naming the one (by position) that is not
// an RSA, P-256 or Ed25519 public key.
Result<std::vector<VerifyingKey>> KeysFromPem(const std::vector<std::string>& pems);

// The signing keys of a JWKS document: RSA, EC P-256 and OKP Ed25519 keys
// whose "use" (if any) is "sig"; others are skipped. kInvalidArgument if it
// is not a JWKS document or holds no key tresor can use.
Result<std::vector<VerifyingKey>> KeysFromJwks(std::string_view document);

// The algorithm's JOSE name ("RS256", "ES256", "EdDSA").
std::string_view AlgorithmName(crypto::SignatureAlgorithm algorithm);

}  // namespace tresor::server::jwt
