// Checking signatures made by others: the public keys and algorithms that
// JSON Web Tokens are signed with (RS256, ES256, EdDSA over Ed25519).
// Keys come as SubjectPublicKeyInfo (PEM or DER) or as the numbers a JWK
// holds. Computed by OpenSSL's libcrypto, loaded on first use
// (openssl_loader.h). Thread-safe: a key is read-only once made.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

enum class SignatureAlgorithm {
  kRs256,  // RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 bits or more
  kEs256,  // ECDSA on P-256 with SHA-256; signatures are r || s, 64 bytes
  kEdDsa,  // Ed25519
};

class PublicKey {
 public:
  // An RSA, P-256 or Ed25519 key in a "-----BEGIN PUBLIC KEY-----" block.
  // kInvalidArgument naming what is wrong (not PEM, another kind of key,
  // an RSA key under 2048 bits); kUnavailable without libcrypto.
  static Result<PublicKey> FromPem(std::string_view pem);
  // The same from the DER bytes of a SubjectPublicKeyInfo.
  static Result<PublicKey> FromDer(std::span<const uint8_t> der);
  // From a JWK's numbers: RSA's modulus and exponent (big-endian), P-256's
  // coordinates (32 bytes each), Ed25519's 32 bytes.
  static Result<PublicKey> FromRsa(std::span<const uint8_t> modulus,
                                   std::span<const uint8_t> exponent);
  static Result<PublicKey> FromP256(std::span<const uint8_t> x, std::span<const uint8_t> y);
  static Result<PublicKey> FromEd25519(std::span<const uint8_t> raw);

  // The algorithm signatures by this key are checked with.
  SignatureAlgorithm algorithm() const { return algorithm_; }
  // Whether `signature` is this key's signature of `message`.
  bool Verify(std::span<const uint8_t> message, std::span<const uint8_t> signature) const;

 private:
  struct Key;
  PublicKey(std::shared_ptr<const Key> key, SignatureAlgorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}
  std::shared_ptr<const Key> key_;
  SignatureAlgorithm algorithm_;
};

// Signing with Ed25519 keys held as their 32-byte seeds (libsodium): the
// transit engine's ed25519 keys.
inline constexpr size_t kEd25519SeedSize = 32;
using Ed25519PublicKeyBytes = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;
// `seed` must be kEd25519SeedSize bytes.
Ed25519PublicKeyBytes Ed25519PublicKeyOf(const SecretBytes& seed);
Ed25519Signature Ed25519Sign(const SecretBytes& seed, std::span<const uint8_t> message);
bool Ed25519Verify(const Ed25519PublicKeyBytes& public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature);

}  // namespace tresor::crypto
