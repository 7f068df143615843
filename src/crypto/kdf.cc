#include "crypto/kdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <sodium.h>

namespace tresor::crypto {
namespace {

const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  TRESOR_CHECK(md != nullptr, "openssl has no SHA-256");
  return md;
}

EVP_KDF* HkdfKdf() {
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  TRESOR_CHECK(kdf != nullptr, "openssl has no HKDF");
  return kdf;
}

}  // namespace

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Digest Sha256(std::span<const uint8_t> data) {
  Sha256Hasher hasher;
  hasher.Update(data);
  return hasher.Finish();
}

void Sha256Hasher::CtxFree::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  TRESOR_CHECK(ctx_ != nullptr && EVP_DigestInit_ex(ctx_.get(), Sha256Md(), nullptr) == 1,
               "sha-256 init failed");
}

void Sha256Hasher::Update(std::span<const uint8_t> data) {
  if (data.empty()) return;
  TRESOR_CHECK(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1,
               "sha-256 update failed");
}

Digest Sha256Hasher::Finish() {
  Digest out{};
  unsigned int len = 0;
  TRESOR_CHECK(EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) == 1 && len == out.size(),
               "sha-256 final failed");
  return out;
}

Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data) {
  Digest out{};
  unsigned int len = 0;
  static const uint8_t kEmpty = 0;
  const uint8_t* k = key.empty() ? &kEmpty : key.data();
  const uint8_t* d = data.empty() ? &kEmpty : data.data();
  TRESOR_CHECK(HMAC(Sha256Md(), k, static_cast<int>(key.size()), d, data.size(), out.data(),
                    &len) != nullptr &&
                   len == out.size(),
               "hmac-sha-256 failed");
  return out;
}

SecretBytes HkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                       std::string_view info, size_t length) {
  TRESOR_CHECK(length > 0 && length <= 255 * 32, "hkdf: bad output length");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(HkdfKdf());
  TRESOR_CHECK(ctx != nullptr, "out of memory");
  static uint8_t kEmpty = 0;
  // OpenSSL's parameter API takes non-const pointers; it only reads them.
  auto* ikm_ptr = ikm.empty() ? &kEmpty : const_cast<uint8_t*>(ikm.data());
  auto* salt_ptr = salt.empty() ? &kEmpty : const_cast<uint8_t*>(salt.data());
  auto* info_ptr =
      info.empty() ? &kEmpty : reinterpret_cast<uint8_t*>(const_cast<char*>(info.data()));
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm_ptr, ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_ptr, salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_ptr, info.size()),
      OSSL_PARAM_construct_end(),
  };
  SecretBytes out(length);
  const int rc = EVP_KDF_derive(ctx, out.Mutable().data(), length, params);
  EVP_KDF_CTX_free(ctx);
  TRESOR_CHECK(rc == 1, "hkdf-sha-256 failed");
  return out;
}

Result<SecretBytes> Scrypt(std::span<const uint8_t> passphrase, std::span<const uint8_t> salt,
                           int log_n, size_t length) {
  TRESOR_CHECK(log_n > 0 && log_n < 64, "scrypt: bad work factor");
  EnsureInitialized();
  SecretBytes out(length);
  static const uint8_t kEmpty = 0;
  const int rc = crypto_pwhash_scryptsalsa208sha256_ll(
      passphrase.empty() ? &kEmpty : passphrase.data(), passphrase.size(),
      salt.empty() ? &kEmpty : salt.data(), salt.size(), uint64_t{1} << log_n, 8, 1,
      out.Mutable().data(), length);
  if (rc != 0) {
    return MakeError(ErrorCode::kInternal, "scrypt with work factor " + std::to_string(log_n) +
                                               " failed (not enough memory?)");
  }
  return out;
}

}  // namespace tresor::crypto
