// A transit key (Vault's transit engine): named, versioned keys that
// encrypt, decrypt, sign and MAC for callers who never see them. Each
// version is 32 random bytes (an AEAD key, an Ed25519 seed or a P-256
// private scalar); ciphertexts
// and signatures name the version they were made with ("vault:v3:..."), so
// a rotated key still opens and checks old ones down to
// min_decryption_version.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/aead_oneshot.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::server::transit {

using Json = nlohmann::json;

struct KeyVersion {
  crypto::SecretBytes key;  // 32 bytes
  int64_t created = 0;      // Unix seconds
};

enum class KeyType { kAes256Gcm96, kChaCha20Poly1305, kEd25519, kEcdsaP256 };

// How a signing key signs `input`: an ecdsa-p256 key signs its digest
// (`hash`: sha2-256 or sha2-512; or `input` itself when `prehashed`);
// ed25519 takes neither.
struct SignOptions {
  std::string hash = "sha2-256";
  bool prehashed = false;
};

struct TransitKey {
  std::string name;
  KeyType type = KeyType::kAes256Gcm96;
  bool derived = false;  // every operation names a context, and the key is derived from it
  bool deletion_allowed = false;
  int latest = 0;
  int min_decryption_version = 1;
  int min_encryption_version = 0;  // 0: any, the latest by default
  int min_available_version = 0;   // versions below it were trimmed (0: none)
  std::map<int, KeyVersion> versions;

  // A new key with version 1. kInvalidArgument for a type tresor does not
  // have (Vault's name in the message).
  static Result<TransitKey> Create(std::string name, std::string_view type, bool derived,
                                   int64_t now);
  // The stored form (key material included: it is stored behind the
  // barrier), and back; kIntegrity for a record that does not fit.
  Json ToRecord() const;
  static Result<TransitKey> FromRecord(std::string name, const Json& record);
  // What GET transit/keys/NAME answers.
  Json Describe() const;
  TransitKey Clone() const;
  void Rotate(int64_t now);

  // "vault:vN:" + base64(nonce || ciphertext || tag). `version` 0 is the
  // latest. kInvalidArgument (Vault's messages) for a version out of range
  // or a missing context.
  Result<std::string> Encrypt(std::span<const uint8_t> plaintext, std::span<const uint8_t> context,
                              std::span<const uint8_t> aad, int version) const;
  // The plaintext of a ciphertext of this key; kInvalidArgument for a
  // malformed one, a version the policy refuses, or one that does not
  // authenticate ("cipher: message authentication failed").
  Result<crypto::SecretBytes> Decrypt(std::string_view ciphertext, std::span<const uint8_t> context,
                                      std::span<const uint8_t> aad) const;
  // The version a ciphertext names; kInvalidArgument if malformed.
  static Result<int> CiphertextVersion(std::string_view ciphertext);
  // "vault:vN:" + base64(HMAC(`input`)) with `algorithm` ("sha2-256" or
  // "sha2-512") under the HMAC key of `version` (0: the latest), whatever
  // the minimum versions say (callers check them).
  Result<std::string> Hmac(std::span<const uint8_t> input, std::string_view algorithm,
                           int version) const;
  // "vault:vN:" + base64(the signature of `input`: Ed25519's, or ECDSA's
  // in ASN.1 DER) with `version` (0: the latest); kInvalidArgument for a
  // key that does not sign, a version the policy refuses or a hash tresor
  // does not have.
  Result<std::string> Sign(std::span<const uint8_t> input, int version,
                           const SignOptions& options = {}) const;
  // Whether `signature` ("vault:vN:...") is this key's signature of
  // `input`; kInvalidArgument for a malformed one or a version the policy
  // refuses (Vault's messages).
  Result<bool> Verify(std::span<const uint8_t> input, std::string_view signature,
                      const SignOptions& options = {}) const;
  bool signs() const { return type == KeyType::kEd25519 || type == KeyType::kEcdsaP256; }

 private:
  // The AEAD key of `version` for `context` (the version's key itself
  // unless derived); kInvalidArgument for an unknown version or a missing
  // context.
  Result<crypto::SecretBytes> OperationKey(int version, std::span<const uint8_t> context) const;
  // What an ecdsa-p256 key signs for `input`: its digest, or itself.
  static Result<std::vector<uint8_t>> Signed(std::span<const uint8_t> input,
                                             const SignOptions& options);
};

// The name Vault gives a key type.
const char* TypeName(KeyType type);

}  // namespace tresor::server::transit
