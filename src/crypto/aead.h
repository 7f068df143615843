// ChaCha20-Poly1305 (RFC 8439) bound to one key, for many messages.
//
// Two implementations sit behind this one class, because neither is best at
// both ends. OpenSSL runs at about 3.3 GB/s on this project's machines
// against 1.0 GB/s for libsodium 1.0.18, but its first use costs about half a
// millisecond of provider set-up, while libsodium costs nothing to start. So
// an object starts on libsodium and moves to OpenSSL once it has processed
// kBulkThreshold bytes (where the set-up has paid for itself), or at once when
// created for Use::kBulk. Both produce the same bytes.
//
// The key is held in SecretBytes (and inside the OpenSSL context, which
// wipes it on destruction). Not thread-safe: one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace tresor::crypto {

class ChaCha20Poly1305 {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  // About where OpenSSL's start-up cost equals what its speed saves.
  static constexpr size_t kBulkThreshold = 1 << 20;

  enum class Use {
    kMixed,  // small messages first, maybe a stream later
    kBulk,   // a stream of full chunks: take the fast path from the start
  };

  // Fails only if `key` is not kKeySize bytes.
  static Result<ChaCha20Poly1305> Create(std::span<const uint8_t> key, Use use = Use::kMixed);

  // Encrypts `plaintext` into `out`, which must be plaintext.size() + kTagSize
  // bytes and may begin at plaintext.data() (in place). No associated data:
  // age binds context through keys and nonces instead.
  void Seal(std::span<const uint8_t, kNonceSize> nonce, std::span<const uint8_t> plaintext,
            std::span<uint8_t> out);

  // Decrypts and authenticates `ciphertext` (which ends in the tag) into `out`
  // (ciphertext.size() - kTagSize bytes, may alias the ciphertext). Returns
  // false if the tag does not verify; `out` is then wiped, so no
  // unauthenticated plaintext is ever left behind.
  [[nodiscard]] bool Open(std::span<const uint8_t, kNonceSize> nonce,
                          std::span<const uint8_t> ciphertext, std::span<uint8_t> out);

 private:
  struct CtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const;
  };
  explicit ChaCha20Poly1305(SecretBytes key) : key_(std::move(key)) {}
  // True when this message goes through OpenSSL; sets it up on first use.
  bool Bulk(size_t message_size);

  SecretBytes key_;
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx_;
  size_t processed_ = 0;
};

}  // namespace tresor::crypto
