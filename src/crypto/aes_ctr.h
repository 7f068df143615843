// AES-256 in counter mode (NIST SP 800-38A), the 16-byte IV as a 128-bit
// big-endian counter: the cipher of ansible-vault's format 1.1 and 1.2,
// which authenticates with a separate HMAC. From OpenSSL (openssl_loader.h).
#pragma once

#include <cstdint>
#include <span>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

inline constexpr size_t kAesCtrIvSize = 16;

// `in` XORed with the key stream (encrypting and decrypting are the same).
// kInvalidArgument for a key that is not 32 bytes or an IV that is not 16;
// kUnavailable when libcrypto cannot be loaded.
Result<SecretBytes> Aes256Ctr(std::span<const uint8_t> key, std::span<const uint8_t> iv,
                              std::span<const uint8_t> in);

}  // namespace tresor::crypto
