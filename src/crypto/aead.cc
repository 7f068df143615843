#include "crypto/aead.h"

#include <openssl/evp.h>

#include <climits>

#include "crypto/secret_bytes.h"

namespace tresor::crypto {
namespace {

// Fetched once: an implicit fetch on every init costs a provider lookup.
const EVP_CIPHER* Cipher() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  TRESOR_CHECK(cipher != nullptr, "openssl has no ChaCha20-Poly1305");
  return cipher;
}

int AsInt(size_t n) {
  TRESOR_CHECK(n <= static_cast<size_t>(INT_MAX), "aead message too large");
  return static_cast<int>(n);
}

}  // namespace

void ChaCha20Poly1305::CtxFree::operator()(EVP_CIPHER_CTX* ctx) const {
  EVP_CIPHER_CTX_free(ctx);  // cleanses the key schedule
}

Result<ChaCha20Poly1305> ChaCha20Poly1305::Create(std::span<const uint8_t> key) {
  if (key.size() != kKeySize) {
    return MakeError(ErrorCode::kInvalidArgument, "chacha20-poly1305 key must be 32 bytes");
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  TRESOR_CHECK(ctx != nullptr, "out of memory");
  ChaCha20Poly1305 aead(ctx);
  TRESOR_CHECK(EVP_CipherInit_ex(ctx, Cipher(), nullptr, key.data(), nullptr, 1) == 1,
               "chacha20-poly1305 key setup failed");
  return aead;
}

void ChaCha20Poly1305::Seal(std::span<const uint8_t, kNonceSize> nonce,
                            std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
  TRESOR_CHECK(out.size() == plaintext.size() + kTagSize, "aead seal: bad output size");
  EVP_CIPHER_CTX* ctx = ctx_.get();
  int len = 0;
  bool ok = EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 1) == 1;
  if (!plaintext.empty()) {
    ok = ok &&
         EVP_CipherUpdate(ctx, out.data(), &len, plaintext.data(), AsInt(plaintext.size())) == 1;
  }
  ok = ok && EVP_CipherFinal_ex(ctx, out.data() + plaintext.size(), &len) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kTagSize,
                                 out.data() + plaintext.size()) == 1;
  TRESOR_CHECK(ok, "chacha20-poly1305 seal failed");
}

bool ChaCha20Poly1305::Open(std::span<const uint8_t, kNonceSize> nonce,
                            std::span<const uint8_t> ciphertext, std::span<uint8_t> out) {
  if (ciphertext.size() < kTagSize) return false;
  const size_t n = ciphertext.size() - kTagSize;
  TRESOR_CHECK(out.size() == n, "aead open: bad output size");
  EVP_CIPHER_CTX* ctx = ctx_.get();
  // OpenSSL does not write through a const pointer here; the cast is for its API.
  auto* tag = const_cast<uint8_t*>(ciphertext.data() + n);
  int len = 0;
  bool ok = EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 0) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kTagSize, tag) == 1;
  if (ok && n > 0) {
    ok = EVP_CipherUpdate(ctx, out.data(), &len, ciphertext.data(), AsInt(n)) == 1;
  }
  uint8_t final_block[1];
  ok = ok && EVP_CipherFinal_ex(ctx, final_block, &len) == 1;
  if (!ok) Wipe(out);
  return ok;
}

}  // namespace tresor::crypto
