#include "crypto/aead.h"

#include <sodium.h>

#include <climits>

#include "crypto/openssl_loader.h"

namespace tresor::crypto {
namespace {

using internal::Openssl;
using internal::OpensslApi;

int AsInt(size_t n) {
  TRESOR_CHECK(n <= static_cast<size_t>(INT_MAX), "aead message too large");
  return static_cast<int>(n);
}

const uint8_t* DataOrEmpty(std::span<const uint8_t> bytes) {
  static const uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

void OpensslSeal(const OpensslApi& api, EVP_CIPHER_CTX* ctx, std::span<const uint8_t> nonce,
                 std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
  int len = 0;
  bool ok = api.cipher_init(ctx, nullptr, nullptr, nullptr, nonce.data(), 1) == 1;
  if (!plaintext.empty()) {
    ok = ok &&
         api.cipher_update(ctx, out.data(), &len, plaintext.data(), AsInt(plaintext.size())) == 1;
  }
  ok = ok && api.cipher_final(ctx, out.data() + plaintext.size(), &len) == 1;
  ok = ok && api.cipher_ctx_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, ChaCha20Poly1305::kTagSize,
                                 out.data() + plaintext.size()) == 1;
  TRESOR_CHECK(ok, "chacha20-poly1305 seal failed");
}

bool OpensslOpen(const OpensslApi& api, EVP_CIPHER_CTX* ctx, std::span<const uint8_t> nonce,
                 std::span<const uint8_t> ciphertext, std::span<uint8_t> out) {
  const size_t n = out.size();
  // OpenSSL does not write through a const pointer here; the cast is for its API.
  auto* tag = const_cast<uint8_t*>(ciphertext.data() + n);
  int len = 0;
  bool ok = api.cipher_init(ctx, nullptr, nullptr, nullptr, nonce.data(), 0) == 1;
  ok = ok && api.cipher_ctx_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, ChaCha20Poly1305::kTagSize, tag) == 1;
  if (ok && n > 0) {
    ok = api.cipher_update(ctx, out.data(), &len, ciphertext.data(), AsInt(n)) == 1;
  }
  uint8_t final_block[1];
  return ok && api.cipher_final(ctx, final_block, &len) == 1;
}

}  // namespace

void ChaCha20Poly1305::CtxFree::operator()(EVP_CIPHER_CTX* ctx) const {
  Openssl()->cipher_ctx_free(ctx);  // cleanses the key schedule
}

Result<ChaCha20Poly1305> ChaCha20Poly1305::Create(std::span<const uint8_t> key, Use use) {
  if (key.size() != kKeySize) {
    return MakeError(ErrorCode::kInvalidArgument, "chacha20-poly1305 key must be 32 bytes");
  }
  ChaCha20Poly1305 aead(SecretBytes::CopyOf(key));
  if (use == Use::kBulk) aead.processed_ = kBulkThreshold;
  return aead;
}

bool ChaCha20Poly1305::Bulk(size_t message_size) {
  processed_ += message_size;
  if (ctx_ == nullptr && processed_ >= kBulkThreshold) {
    const OpensslApi* api = Openssl();
    if (api == nullptr) {
      processed_ = 0;  // no libcrypto: libsodium does it all, a little slower
      return false;
    }
    ctx_.reset(api->cipher_ctx_new());
    TRESOR_CHECK(ctx_ != nullptr, "out of memory");
    TRESOR_CHECK(api->cipher_init(ctx_.get(), api->chacha20_poly1305, nullptr, key_.Reveal().data(),
                                  nullptr, 1) == 1,
                 "chacha20-poly1305 key setup failed");
  }
  return ctx_ != nullptr;
}

void ChaCha20Poly1305::Seal(std::span<const uint8_t, kNonceSize> nonce,
                            std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
  TRESOR_CHECK(out.size() == plaintext.size() + kTagSize, "aead seal: bad output size");
  if (Bulk(plaintext.size())) {
    OpensslSeal(*Openssl(), ctx_.get(), nonce, plaintext, out);
    return;
  }
  unsigned long long tag_size = 0;
  TRESOR_CHECK(
      crypto_aead_chacha20poly1305_ietf_encrypt_detached(
          out.data(), out.data() + plaintext.size(), &tag_size, DataOrEmpty(plaintext),
          plaintext.size(), nullptr, 0, nullptr, nonce.data(), key_.Reveal().data()) == 0 &&
          tag_size == kTagSize,
      "chacha20-poly1305 seal failed");
}

bool ChaCha20Poly1305::Open(std::span<const uint8_t, kNonceSize> nonce,
                            std::span<const uint8_t> ciphertext, std::span<uint8_t> out) {
  if (ciphertext.size() < kTagSize) return false;
  const size_t n = ciphertext.size() - kTagSize;
  TRESOR_CHECK(out.size() == n, "aead open: bad output size");
  const bool ok = Bulk(n)
                      ? OpensslOpen(*Openssl(), ctx_.get(), nonce, ciphertext, out)
                      : crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                            out.data(), nullptr, DataOrEmpty(ciphertext), n, ciphertext.data() + n,
                            nullptr, 0, nonce.data(), key_.Reveal().data()) == 0;
  if (!ok) Wipe(out);
  return ok;
}

}  // namespace tresor::crypto
