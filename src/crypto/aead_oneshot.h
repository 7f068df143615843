// One message under one key, with associated data and a random 96-bit
// nonce: what the server's transit engine does per request (Vault's
// aes256-gcm96 and chacha20-poly1305 keys). AES-256-GCM comes from OpenSSL
// (loaded on first use, see openssl_loader.h), ChaCha20-Poly1305 from
// libsodium. The sealed form is nonce || ciphertext || tag, as Vault's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

enum class AeadKind { kAes256Gcm, kChaCha20Poly1305 };

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;

// kInvalidArgument for a key that is not kAeadKeySize bytes; kUnavailable
// when AES-256-GCM is asked for and libcrypto cannot be loaded.
Result<std::vector<uint8_t>> AeadSeal(AeadKind kind, std::span<const uint8_t> key,
                                      std::span<const uint8_t> aad,
                                      std::span<const uint8_t> plaintext);
// The plaintext of what AeadSeal produced; kIntegrity if `sealed` is too
// short or does not authenticate under `key` and `aad`.
Result<SecretBytes> AeadOpen(AeadKind kind, std::span<const uint8_t> key,
                             std::span<const uint8_t> aad, std::span<const uint8_t> sealed);

// AES-256-GCM with a nonce of any length from 1 to 64 bytes, given apart
// from the ciphertext and tag (sops's values have 32-byte nonces).
struct GcmSealed {
  std::vector<uint8_t> ciphertext;
  std::array<uint8_t, kAeadTagSize> tag{};
};
Result<GcmSealed> AesGcmSealWithNonce(std::span<const uint8_t> key, std::span<const uint8_t> nonce,
                                      std::span<const uint8_t> aad,
                                      std::span<const uint8_t> plaintext);
// kIntegrity unless `tag` authenticates `ciphertext` and `aad`.
Result<SecretBytes> AesGcmOpenWithNonce(std::span<const uint8_t> key,
                                        std::span<const uint8_t> nonce,
                                        std::span<const uint8_t> aad,
                                        std::span<const uint8_t> ciphertext,
                                        std::span<const uint8_t> tag);

}  // namespace tresor::crypto
