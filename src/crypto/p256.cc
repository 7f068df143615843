#include "crypto/p256.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <mutex>

#include "crypto/bind_symbol.h"
#include "crypto/openssl_loader.h"
#include "crypto/random.h"

namespace tresor::crypto {
namespace {

struct P256Api {
  decltype(&::d2i_PrivateKey) d2i_private_key;
  decltype(&::i2d_PUBKEY) i2d_pubkey;
  decltype(&::EVP_PKEY_free) pkey_free;
  decltype(&::EVP_PKEY_CTX_new) ctx_new;
  decltype(&::EVP_PKEY_CTX_free) ctx_free;
  decltype(&::EVP_PKEY_sign_init) sign_init;
  decltype(&::EVP_PKEY_sign) sign;
  decltype(&::EVP_PKEY_verify_init) verify_init;
  decltype(&::EVP_PKEY_verify) verify;
  decltype(&::CRYPTO_free) crypto_free;
  decltype(&::ERR_clear_error) clear_error;
};

Result<const P256Api*> Api() {
  static const P256Api* api = []() -> const P256Api* {
    void* library = internal::Libcrypto();
    if (library == nullptr) return nullptr;
    static P256Api loaded;
    const bool bound = BindSymbol(library, "d2i_PrivateKey", &loaded.d2i_private_key) &&
                       BindSymbol(library, "i2d_PUBKEY", &loaded.i2d_pubkey) &&
                       BindSymbol(library, "EVP_PKEY_free", &loaded.pkey_free) &&
                       BindSymbol(library, "EVP_PKEY_CTX_new", &loaded.ctx_new) &&
                       BindSymbol(library, "EVP_PKEY_CTX_free", &loaded.ctx_free) &&
                       BindSymbol(library, "EVP_PKEY_sign_init", &loaded.sign_init) &&
                       BindSymbol(library, "EVP_PKEY_sign", &loaded.sign) &&
                       BindSymbol(library, "EVP_PKEY_verify_init", &loaded.verify_init) &&
                       BindSymbol(library, "EVP_PKEY_verify", &loaded.verify) &&
                       BindSymbol(library, "CRYPTO_free", &loaded.crypto_free) &&
                       BindSymbol(library, "ERR_clear_error", &loaded.clear_error);
    return bound ? &loaded : nullptr;
  }();
  if (api == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "ecdsa-p256 keys need libcrypto.so.3 (OpenSSL 3)");
  }
  return api;
}

// The group's order n, big-endian.
constexpr std::array<uint8_t, 32> kOrder = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// An EVP_PKEY for the scalar, its public point computed by OpenSSL, freed
// with the object. The scalar travels in an ECPrivateKey (RFC 5915) made in
// locked memory and wiped.
class Pkey {
 public:
  static Result<Pkey> Of(const SecretBytes& scalar) {
    TRESOR_ASSIGN_OR_RETURN(const P256Api* api, Api());
    if (scalar.size() != kP256ScalarSize) {
      return MakeError(ErrorCode::kInvalidArgument, "a P-256 private key is 32 bytes");
    }
    // SEQUENCE { INTEGER 1, OCTET STRING scalar, [0] { OID prime256v1 } }
    static constexpr std::array<uint8_t, 7> kHead = {0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20};
    static constexpr std::array<uint8_t, 12> kTail = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                      0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    SecretBytes der(kHead.size() + kP256ScalarSize + kTail.size());
    std::span<uint8_t> out = der.Mutable();
    std::copy(kHead.begin(), kHead.end(), out.begin());
    std::copy(scalar.Reveal().begin(), scalar.Reveal().end(), out.begin() + kHead.size());
    std::copy(kTail.begin(), kTail.end(), out.begin() + kHead.size() + kP256ScalarSize);
    const unsigned char* p = der.Reveal().data();
    EVP_PKEY* pkey = api->d2i_private_key(EVP_PKEY_EC, nullptr, &p, static_cast<long>(der.size()));
    if (pkey == nullptr) {
      api->clear_error();
      return MakeError(ErrorCode::kInternal, "libcrypto did not take the P-256 private key");
    }
    return Pkey(api, pkey);
  }
  Pkey(Pkey&& other) noexcept : api_(other.api_), pkey_(std::exchange(other.pkey_, nullptr)) {}
  Pkey(const Pkey&) = delete;
  Pkey& operator=(const Pkey&) = delete;
  Pkey& operator=(Pkey&&) = delete;
  ~Pkey() {
    if (pkey_ != nullptr) api_->pkey_free(pkey_);
  }
  const P256Api& api() const { return *api_; }
  EVP_PKEY* get() const { return pkey_; }

 private:
  Pkey(const P256Api* api, EVP_PKEY* pkey) : api_(api), pkey_(pkey) {}
  const P256Api* api_;
  EVP_PKEY* pkey_;
};

// The keys in use, parsed once: parsing an ECPrivateKey and computing its
// public point costs several times a signature. Found by a keyed BLAKE2b
// of the scalar (the key a process secret), so the map holds no scalar.
// EVP_PKEYs are only read once made, which OpenSSL allows from any thread.
class PkeyCache {
 public:
  static PkeyCache& Get() {
    static PkeyCache cache;
    return cache;
  }
  Result<std::shared_ptr<const Pkey>> Of(const SecretBytes& scalar) {
    std::array<uint8_t, 16> id{};
    crypto_generichash(id.data(), id.size(), scalar.Reveal().data(), scalar.size(),
                       secret_.Reveal().data(), secret_.size());
    {
      const std::lock_guard lock(mutex_);
      if (auto it = keys_.find(id); it != keys_.end()) return it->second;
    }
    TRESOR_ASSIGN_OR_RETURN(Pkey made, Pkey::Of(scalar));
    auto key = std::make_shared<const Pkey>(std::move(made));
    const std::lock_guard lock(mutex_);
    if (keys_.size() >= kLimit) keys_.clear();  // many keys in turn: parsed again, bounded
    keys_.emplace(id, key);
    return key;
  }

 private:
  static constexpr size_t kLimit = 1024;
  SecretBytes secret_ = RandomSecret(crypto_generichash_KEYBYTES);
  std::mutex mutex_;
  std::map<std::array<uint8_t, 16>, std::shared_ptr<const Pkey>> keys_;
};

}  // namespace

SecretBytes P256NewScalar() {
  for (;;) {
    SecretBytes scalar = RandomSecret(kP256ScalarSize);
    const auto bytes = scalar.Reveal();
    const bool zero = std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
    // Below n: drawn again otherwise (a chance of about 2^-32).
    if (!zero &&
        std::lexicographical_compare(bytes.begin(), bytes.end(), kOrder.begin(), kOrder.end())) {
      return scalar;
    }
  }
}

Result<std::string> P256PublicKeyPem(const SecretBytes& scalar) {
  TRESOR_ASSIGN_OR_RETURN(const Pkey key, Pkey::Of(scalar));
  unsigned char* der = nullptr;
  const int length = key.api().i2d_pubkey(key.get(), &der);
  if (length <= 0) {
    key.api().clear_error();
    return MakeError(ErrorCode::kInternal, "libcrypto did not encode the P-256 public key");
  }
  std::string base64(
      sodium_base64_encoded_len(static_cast<size_t>(length), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(base64.data(), base64.size(), der, static_cast<size_t>(length),
                    sodium_base64_VARIANT_ORIGINAL);
  key.api().crypto_free(der, OPENSSL_FILE, OPENSSL_LINE);
  base64.resize(base64.find('\0'));
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (size_t i = 0; i < base64.size(); i += 64) pem += base64.substr(i, 64) + "\n";
  return pem + "-----END PUBLIC KEY-----\n";
}

Result<std::vector<uint8_t>> P256SignDigest(const SecretBytes& scalar,
                                            std::span<const uint8_t> digest) {
  TRESOR_ASSIGN_OR_RETURN(const std::shared_ptr<const Pkey> key, PkeyCache::Get().Of(scalar));
  const P256Api& api = key->api();
  EVP_PKEY_CTX* ctx = api.ctx_new(key->get(), nullptr);
  std::vector<uint8_t> signature(80);  // DER of two 33-byte INTEGERs at most: 72
  size_t length = signature.size();
  const bool ok = ctx != nullptr && api.sign_init(ctx) == 1 &&
                  api.sign(ctx, signature.data(), &length, digest.data(), digest.size()) == 1;
  if (ctx != nullptr) api.ctx_free(ctx);
  if (!ok) {
    api.clear_error();
    return MakeError(ErrorCode::kInternal, "libcrypto did not sign with the P-256 key");
  }
  signature.resize(length);
  return signature;
}

Result<bool> P256VerifyDigest(const SecretBytes& scalar, std::span<const uint8_t> digest,
                              std::span<const uint8_t> der) {
  TRESOR_ASSIGN_OR_RETURN(const std::shared_ptr<const Pkey> key, PkeyCache::Get().Of(scalar));
  const P256Api& api = key->api();
  EVP_PKEY_CTX* ctx = api.ctx_new(key->get(), nullptr);
  const bool ok = ctx != nullptr && api.verify_init(ctx) == 1 &&
                  api.verify(ctx, der.data(), der.size(), digest.data(), digest.size()) == 1;
  if (ctx != nullptr) api.ctx_free(ctx);
  api.clear_error();
  return ok;
}

}  // namespace tresor::crypto
