// The keys of one group, all derived from its 32-byte data key
// (docs/format.md, "Keys"), and the value encryption they do.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "crypto/x25519.h"
#include "sealed/codec.h"

namespace tresor::sealed {

// Keyed BLAKE2b over a sequence of fields, each followed by a 0 byte: a
// group's MAC (docs/format.md), fed field by field.
class FieldMac {
 public:
  void Add(std::string_view field);
  crypto::Digest Finish() { return mac_.Finish(); }

 private:
  friend class GroupKey;
  explicit FieldMac(std::span<const uint8_t> key) : mac_(key) {}
  crypto::Blake2bMac mac_;
};

class GroupKey {
 public:
  explicit GroupKey(crypto::SecretBytes data_key);
  static GroupKey Generate();
  GroupKey Clone() const;

  const crypto::SecretBytes& data_key() const { return data_key_; }
  const crypto::X25519Point& public_key() const { return public_key_; }

  // nonce || ciphertext || tag of `literal` under the value key.
  std::vector<uint8_t> Seal(std::span<const uint8_t> aad, std::span<const uint8_t> literal) const;
  // The literal of `token` (either kind); nullopt if it does not authenticate.
  std::optional<crypto::SecretBytes> Open(const Token& token, std::span<const uint8_t> aad) const;
  // A MAC under the group's MAC key.
  FieldMac StartMac() const { return FieldMac(mac_key_.Reveal()); }

 private:
  crypto::SecretBytes data_key_;
  crypto::SecretBytes value_key_;
  crypto::SecretBytes mac_key_;
  crypto::SecretBytes public_secret_;
  crypto::X25519Point public_key_{};
};

// EPK || nonce || ciphertext || tag: `literal` sealed to a group's public key
// alone, as `set --public` does.
// kIntegrity if the public key is a low-order point (no shared secret).
Result<std::vector<uint8_t>> SealToPublicKey(const crypto::X25519Point& public_key,
                                             std::span<const uint8_t> aad,
                                             std::span<const uint8_t> literal);

}  // namespace tresor::sealed
