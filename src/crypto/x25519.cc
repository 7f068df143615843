#include "crypto/x25519.h"

#include <sodium.h>

namespace tresor::crypto {

X25519Point X25519Base(std::span<const uint8_t, kX25519Size> scalar) {
  EnsureInitialized();
  X25519Point out{};
  TRESOR_CHECK(crypto_scalarmult_base(out.data(), scalar.data()) == 0,
               "x25519 base multiplication failed");
  return out;
}

Result<SecretBytes> X25519(std::span<const uint8_t, kX25519Size> scalar,
                           std::span<const uint8_t, kX25519Size> point) {
  EnsureInitialized();
  SecretBytes shared(kX25519Size);
  // libsodium returns -1 for an all-zero result; check again ourselves so the
  // rule does not depend on the library version.
  const int rc = crypto_scalarmult(shared.Mutable().data(), scalar.data(), point.data());
  if (rc != 0 || IsAllZero(shared.Reveal())) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "x25519 share is a low-order point (all-zero shared secret)");
  }
  return shared;
}

}  // namespace tresor::crypto
