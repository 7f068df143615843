// X25519 (RFC 7748) Diffie-Hellman, from libsodium.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

inline constexpr size_t kX25519Size = 32;
using X25519Point = std::array<uint8_t, kX25519Size>;

// The public point of a 32-byte scalar.
X25519Point X25519Base(std::span<const uint8_t, kX25519Size> scalar);

// scalar * point. Fails with kInvalidArgument when the result is all zeros
// (a low-order or identity point), which age requires to be rejected.
Result<SecretBytes> X25519(std::span<const uint8_t, kX25519Size> scalar,
                           std::span<const uint8_t, kX25519Size> point);

}  // namespace tresor::crypto
