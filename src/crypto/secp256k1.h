// secp256k1 point arithmetic, for reading what dotenvx encrypts (its
// values are ECIES on this curve): a scalar times a point, and a public key.
// Computed by OpenSSL's libcrypto, loaded on first use (openssl_loader.h).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

inline constexpr size_t kSecp256k1ScalarSize = 32;
inline constexpr size_t kSecp256k1CompressedSize = 33;
inline constexpr size_t kSecp256k1UncompressedSize = 65;

using Secp256k1Point = std::array<uint8_t, kSecp256k1UncompressedSize>;

// `scalar` times `point` (SEC 1 encoded, compressed or not), uncompressed.
// kInvalidArgument for a point not on the curve or a scalar outside
// [1, n-1]; kUnavailable without libcrypto.
Result<Secp256k1Point> Secp256k1Multiply(std::span<const uint8_t> point, const SecretBytes& scalar);

// The compressed public key of the private key `scalar`.
Result<std::array<uint8_t, kSecp256k1CompressedSize>> Secp256k1PublicKey(const SecretBytes& scalar);

}  // namespace tresor::crypto
