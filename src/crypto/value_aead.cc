#include "crypto/value_aead.h"

#include <sodium.h>

#include "crypto/random.h"
#include "crypto/result.h"

namespace tresor::crypto {
namespace {

const uint8_t* DataOrEmpty(std::span<const uint8_t> bytes) {
  static const uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

}  // namespace

std::vector<uint8_t> SealValue(std::span<const uint8_t> key, std::span<const uint8_t> aad,
                               std::span<const uint8_t> plaintext) {
  TRESOR_CHECK(key.size() == kValueKeySize, "value key must be 32 bytes");
  EnsureInitialized();
  std::vector<uint8_t> out(kValueNonceSize + plaintext.size() + kValueTagSize);
  FillRandom(std::span(out).first(kValueNonceSize));
  unsigned long long tag_size = 0;
  TRESOR_CHECK(crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
                   out.data() + kValueNonceSize, out.data() + kValueNonceSize + plaintext.size(),
                   &tag_size, DataOrEmpty(plaintext), plaintext.size(), DataOrEmpty(aad),
                   aad.size(), nullptr, out.data(), key.data()) == 0 &&
                   tag_size == kValueTagSize,
               "xchacha20-poly1305 seal failed");
  return out;
}

std::optional<SecretBytes> OpenValue(std::span<const uint8_t> key, std::span<const uint8_t> aad,
                                     std::span<const uint8_t> sealed) {
  TRESOR_CHECK(key.size() == kValueKeySize, "value key must be 32 bytes");
  if (sealed.size() < kValueNonceSize + kValueTagSize) return std::nullopt;
  EnsureInitialized();
  const size_t n = sealed.size() - kValueNonceSize - kValueTagSize;
  SecretBytes plain(n);
  const uint8_t* ciphertext = sealed.data() + kValueNonceSize;
  uint8_t unused = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
          n > 0 ? plain.Mutable().data() : &unused, nullptr, ciphertext, n, ciphertext + n,
          DataOrEmpty(aad), aad.size(), sealed.data(), key.data()) != 0) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace tresor::crypto
