#include "dotenvx/ecies.h"

#include <algorithm>

#include "crypto/aead_oneshot.h"
#include "crypto/kdf.h"
#include "crypto/secp256k1.h"

namespace tresor::dotenvx {
namespace {

constexpr size_t kPoint = crypto::kSecp256k1UncompressedSize;
constexpr size_t kNonce = 16;
constexpr size_t kTag = crypto::kAeadTagSize;

crypto::SecretBytes MessageKey(std::span<const uint8_t> ephemeral,
                               const crypto::Secp256k1Point& shared) {
  std::array<uint8_t, 2 * kPoint> ikm{};
  std::copy(ephemeral.begin(), ephemeral.end(), ikm.begin());
  std::copy(shared.begin(), shared.end(), ikm.begin() + kPoint);
  return crypto::HkdfSha256(ikm, {}, "", crypto::kAeadKeySize);
}

}  // namespace

Result<crypto::SecretBytes> EciesOpen(const crypto::SecretBytes& private_key,
                                      std::span<const uint8_t> message) {
  if (message.size() < kPoint + kNonce + kTag) {
    return MakeError(ErrorCode::kIntegrity, "malformed encrypted value (too short)");
  }
  const auto ephemeral = message.first(kPoint);
  auto shared = crypto::Secp256k1Multiply(ephemeral, private_key);
  if (!shared) {
    if (shared.error().code != ErrorCode::kInvalidArgument) return std::move(shared).error();
    return MakeError(ErrorCode::kIntegrity,
                     "malformed encrypted value (its key is not a secp256k1 point)");
  }
  const crypto::SecretBytes key = MessageKey(ephemeral, *shared);
  auto plain = crypto::AesGcmOpenWithNonce(key.Reveal(), message.subspan(kPoint, kNonce), {},
                                           message.subspan(kPoint + kNonce + kTag),
                                           message.subspan(kPoint + kNonce, kTag));
  if (!plain && plain.error().code == ErrorCode::kIntegrity) {
    return MakeError(ErrorCode::kNoMatch, "it does not open with this private key");
  }
  return plain;
}

}  // namespace tresor::dotenvx
