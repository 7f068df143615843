#include "sealed/group_key.h"

#include <algorithm>

#include "crypto/random.h"
#include "crypto/value_aead.h"

namespace tresor::sealed {
namespace {

crypto::SecretBytes Derive(const crypto::SecretBytes& data_key, std::string_view info) {
  return crypto::HkdfSha256(data_key.Reveal(), {}, info, 32);
}

// The key of a public-key sealed value, from the X25519 shared secret.
crypto::SecretBytes PublicValueKey(const crypto::SecretBytes& shared,
                                   std::span<const uint8_t, crypto::kX25519Size> ephemeral,
                                   const crypto::X25519Point& public_key) {
  std::vector<uint8_t> salt(ephemeral.begin(), ephemeral.end());
  salt.insert(salt.end(), public_key.begin(), public_key.end());
  return crypto::HkdfSha256(shared.Reveal(), salt, "tresor v1 public value", 32);
}

}  // namespace

GroupKey::GroupKey(crypto::SecretBytes data_key)
    : data_key_(std::move(data_key)),
      value_key_(Derive(data_key_, "tresor v1 value")),
      mac_key_(Derive(data_key_, "tresor v1 mac")),
      public_secret_(Derive(data_key_, "tresor v1 public")),
      public_key_(crypto::X25519Base(public_secret_.Reveal().first<crypto::kX25519Size>())) {}

GroupKey GroupKey::Generate() { return GroupKey(crypto::RandomSecret(kDataKeySize)); }

GroupKey GroupKey::Clone() const {
  return GroupKey(crypto::SecretBytes::CopyOf(data_key_.Reveal()));
}

std::vector<uint8_t> GroupKey::Seal(std::span<const uint8_t> aad,
                                    std::span<const uint8_t> literal) const {
  return crypto::SealValue(value_key_.Reveal(), aad, literal);
}

std::optional<crypto::SecretBytes> GroupKey::Open(const Token& token,
                                                  std::span<const uint8_t> aad) const {
  if (!token.is_public) return crypto::OpenValue(value_key_.Reveal(), aad, token.sealed);
  if (token.sealed.size() < crypto::kX25519Size) return std::nullopt;
  const auto sealed = std::span<const uint8_t>(token.sealed);
  const auto ephemeral = sealed.first<crypto::kX25519Size>();
  auto shared = crypto::X25519(public_secret_.Reveal().first<crypto::kX25519Size>(), ephemeral);
  if (!shared) return std::nullopt;
  const crypto::SecretBytes key = PublicValueKey(*shared, ephemeral, public_key_);
  return crypto::OpenValue(key.Reveal(), aad, sealed.subspan(crypto::kX25519Size));
}

void FieldMac::Add(std::string_view field) {
  static const uint8_t kZero = 0;
  mac_.Update(crypto::AsBytes(field));
  mac_.Update({&kZero, 1});
}

Result<std::vector<uint8_t>> SealToPublicKey(const crypto::X25519Point& public_key,
                                             std::span<const uint8_t> aad,
                                             std::span<const uint8_t> literal) {
  const crypto::SecretBytes ephemeral_secret = crypto::RandomSecret(crypto::kX25519Size);
  const auto scalar = ephemeral_secret.Reveal().first<crypto::kX25519Size>();
  const crypto::X25519Point ephemeral = crypto::X25519Base(scalar);
  auto shared = crypto::X25519(scalar, public_key);
  if (!shared) {
    return MakeError(ErrorCode::kIntegrity,
                     "the file's public key is a low-order point: nothing can be sealed to it");
  }
  const crypto::SecretBytes key = PublicValueKey(*shared, ephemeral, public_key);
  std::vector<uint8_t> out(ephemeral.begin(), ephemeral.end());
  const auto sealed = crypto::SealValue(key.Reveal(), aad, literal);
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

}  // namespace tresor::sealed
