// The age payload: STREAM (Hoang, Reyhanitabar, Rogaway, Vizár) over
// ChaCha20-Poly1305 in 64 KiB chunks. The nonce of chunk i is the 11-byte
// big-endian counter i followed by 0x01 for the final chunk and 0x00 for the
// others, so chunks can be neither reordered nor dropped nor appended.
#pragma once

#include <cstddef>

#include "age/io.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::age {

inline constexpr size_t kChunkSize = 64 * 1024;  // fixed by the age spec
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kEncryptedChunkSize = kChunkSize + kTagSize;
inline constexpr size_t kPayloadNonceSize = 16;

// Derives the payload key from the file key and the payload nonce.
crypto::SecretBytes PayloadKey(const crypto::SecretBytes& file_key, std::span<const uint8_t> nonce);

// Encrypts everything `in` yields to `out`. `in` needs a capacity of at least
// kChunkSize + 1.
Result<void> EncryptPayload(const crypto::SecretBytes& payload_key, Reader& in, Sink& out);

// Decrypts the payload in `in` to `out`. Plaintext reaches `out` only after
// its chunk authenticated; on failure, what was already authenticated has been
// written and the error is kPayload (or the class of an error from `in`).
// `in` needs a capacity of at least kEncryptedChunkSize.
Result<void> DecryptPayload(const crypto::SecretBytes& payload_key, Reader& in, Sink& out);

}  // namespace tresor::age
