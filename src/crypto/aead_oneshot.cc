#include "crypto/aead_oneshot.h"

#include <sodium.h>

#include <algorithm>
#include <climits>
#include <memory>

#include "crypto/openssl_loader.h"
#include "crypto/random.h"

namespace tresor::crypto {
namespace {

using internal::Openssl;
using internal::OpensslApi;

const uint8_t* DataOrEmpty(std::span<const uint8_t> bytes) {
  static const uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

struct GcmContext {
  explicit GcmContext(const OpensslApi& openssl) : api(openssl), ctx(openssl.cipher_ctx_new()) {}
  ~GcmContext() { api.cipher_ctx_free(ctx); }  // cleanses the key schedule
  GcmContext(const GcmContext&) = delete;
  GcmContext& operator=(const GcmContext&) = delete;
  const OpensslApi& api;
  EVP_CIPHER_CTX* ctx;
};

bool Fits(std::span<const uint8_t> bytes) { return bytes.size() <= static_cast<size_t>(INT_MAX); }

// AES-256-GCM of `in` into `out` (same size) under `key` and `nonce`; the
// tag is written to, or checked against, `tag`.
bool Gcm(const OpensslApi& api, bool encrypt, std::span<const uint8_t> key,
         std::span<const uint8_t> nonce, std::span<const uint8_t> aad, std::span<const uint8_t> in,
         std::span<uint8_t> out, uint8_t* tag) {
  if (!Fits(in) || !Fits(aad) || nonce.empty() || nonce.size() > 64) return false;
  GcmContext c(api);
  if (c.ctx == nullptr) return false;
  const int mode = encrypt ? 1 : 0;
  int len = 0;
  bool ok = api.cipher_init(c.ctx, api.aes_256_gcm, nullptr, nullptr, nullptr, mode) == 1 &&
            api.cipher_ctx_ctrl(c.ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()),
                                nullptr) == 1 &&
            api.cipher_init(c.ctx, nullptr, nullptr, key.data(), nonce.data(), mode) == 1;
  if (ok && !aad.empty()) {
    ok = api.cipher_update(c.ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  if (ok && !in.empty()) {
    ok = api.cipher_update(c.ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) == 1;
  }
  if (!encrypt) {
    ok = ok && api.cipher_ctx_ctrl(c.ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagSize, tag) == 1;
  }
  uint8_t final_block[16];
  ok = ok && api.cipher_final(c.ctx, final_block, &len) == 1;
  if (encrypt) {
    ok = ok && api.cipher_ctx_ctrl(c.ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagSize, tag) == 1;
  }
  return ok;
}

}  // namespace

Result<std::vector<uint8_t>> AeadSeal(AeadKind kind, std::span<const uint8_t> key,
                                      std::span<const uint8_t> aad,
                                      std::span<const uint8_t> plaintext) {
  if (key.size() != kAeadKeySize) {
    return MakeError(ErrorCode::kInvalidArgument, "an AEAD key is 32 bytes");
  }
  std::vector<uint8_t> out(kAeadNonceSize + plaintext.size() + kAeadTagSize);
  const std::span<uint8_t> nonce(out.data(), kAeadNonceSize);
  FillRandom(nonce);
  uint8_t* body = out.data() + kAeadNonceSize;
  if (kind == AeadKind::kChaCha20Poly1305) {
    unsigned long long written = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(body, &written, DataOrEmpty(plaintext),
                                              plaintext.size(), DataOrEmpty(aad), aad.size(),
                                              nullptr, nonce.data(), key.data());
    return out;
  }
  const OpensslApi* api = Openssl();
  if (api == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "AES-256-GCM needs libcrypto.so.3 (OpenSSL 3)");
  }
  const bool ok = Gcm(*api, true, key, nonce, aad, plaintext, {body, plaintext.size()},
                      body + plaintext.size());
  if (!ok) return MakeError(ErrorCode::kIo, "AES-256-GCM failed");
  return out;
}

Result<SecretBytes> AeadOpen(AeadKind kind, std::span<const uint8_t> key,
                             std::span<const uint8_t> aad, std::span<const uint8_t> sealed) {
  if (key.size() != kAeadKeySize) {
    return MakeError(ErrorCode::kInvalidArgument, "an AEAD key is 32 bytes");
  }
  if (sealed.size() < kAeadNonceSize + kAeadTagSize) {
    return MakeError(ErrorCode::kIntegrity, "message authentication failed");
  }
  const auto nonce = sealed.first(kAeadNonceSize);
  const auto body = sealed.subspan(kAeadNonceSize);
  SecretBytes out(body.size() - kAeadTagSize);
  bool ok = false;
  if (kind == AeadKind::kChaCha20Poly1305) {
    unsigned long long written = 0;
    ok = crypto_aead_chacha20poly1305_ietf_decrypt(out.Mutable().data(), &written, nullptr,
                                                   body.data(), body.size(), DataOrEmpty(aad),
                                                   aad.size(), nonce.data(), key.data()) == 0;
  } else {
    const OpensslApi* api = Openssl();
    if (api == nullptr) {
      return MakeError(ErrorCode::kUnavailable, "AES-256-GCM needs libcrypto.so.3 (OpenSSL 3)");
    }
    // OpenSSL does not write through the tag pointer when decrypting.
    auto* tag = const_cast<uint8_t*>(body.data() + out.size());
    ok = Gcm(*api, false, key, nonce, aad, body.first(out.size()), out.Mutable(), tag);
  }
  if (!ok) {
    sodium_memzero(out.Mutable().data(), out.size());
    return MakeError(ErrorCode::kIntegrity, "message authentication failed");
  }
  return out;
}

Result<GcmSealed> AesGcmSealWithNonce(std::span<const uint8_t> key, std::span<const uint8_t> nonce,
                                      std::span<const uint8_t> aad,
                                      std::span<const uint8_t> plaintext) {
  if (key.size() != kAeadKeySize) {
    return MakeError(ErrorCode::kInvalidArgument, "an AEAD key is 32 bytes");
  }
  const OpensslApi* api = Openssl();
  if (api == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "AES-256-GCM needs libcrypto.so.3 (OpenSSL 3)");
  }
  GcmSealed out;
  out.ciphertext.resize(plaintext.size());
  if (!Gcm(*api, true, key, nonce, aad, plaintext, out.ciphertext, out.tag.data())) {
    return MakeError(ErrorCode::kInvalidArgument, "AES-256-GCM failed (a nonce of 1 to 64 bytes)");
  }
  return out;
}

Result<SecretBytes> AesGcmOpenWithNonce(std::span<const uint8_t> key,
                                        std::span<const uint8_t> nonce,
                                        std::span<const uint8_t> aad,
                                        std::span<const uint8_t> ciphertext,
                                        std::span<const uint8_t> tag) {
  if (key.size() != kAeadKeySize) {
    return MakeError(ErrorCode::kInvalidArgument, "an AEAD key is 32 bytes");
  }
  if (tag.size() != kAeadTagSize || nonce.empty() || nonce.size() > 64) {
    return MakeError(ErrorCode::kIntegrity, "message authentication failed");
  }
  const OpensslApi* api = Openssl();
  if (api == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "AES-256-GCM needs libcrypto.so.3 (OpenSSL 3)");
  }
  SecretBytes out(ciphertext.size());
  uint8_t expected[kAeadTagSize];
  std::copy(tag.begin(), tag.end(), expected);
  if (!Gcm(*api, false, key, nonce, aad, ciphertext, out.Mutable(), expected)) {
    sodium_memzero(out.Mutable().data(), out.size());
    return MakeError(ErrorCode::kIntegrity, "message authentication failed");
  }
  return out;
}

}  // namespace tresor::crypto
