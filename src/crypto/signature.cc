#include "crypto/signature.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <vector>

#include "crypto/bind_symbol.h"
#include "crypto/openssl_loader.h"

namespace tresor::crypto {
namespace {

struct SignatureApi {
  decltype(&::d2i_PUBKEY) d2i_pubkey;
  decltype(&::EVP_PKEY_free) pkey_free;
  decltype(&::EVP_PKEY_get_base_id) pkey_base_id;
  decltype(&::EVP_PKEY_get_bits) pkey_bits;
  decltype(&::EVP_PKEY_get_group_name) pkey_group_name;
  decltype(&::EVP_MD_CTX_new) md_ctx_new;
  decltype(&::EVP_MD_CTX_free) md_ctx_free;
  decltype(&::EVP_DigestVerifyInit) verify_init;
  decltype(&::EVP_DigestVerify) verify;
  decltype(&::EVP_sha256) sha256;
  decltype(&::ERR_clear_error) clear_error;
};

const SignatureApi* Load() {
  void* library = internal::Libcrypto();
  if (library == nullptr) return nullptr;
  static SignatureApi api;
  const bool bound = BindSymbol(library, "d2i_PUBKEY", &api.d2i_pubkey) &&
                     BindSymbol(library, "EVP_PKEY_free", &api.pkey_free) &&
                     BindSymbol(library, "EVP_PKEY_get_base_id", &api.pkey_base_id) &&
                     BindSymbol(library, "EVP_PKEY_get_bits", &api.pkey_bits) &&
                     BindSymbol(library, "EVP_PKEY_get_group_name", &api.pkey_group_name) &&
                     BindSymbol(library, "EVP_MD_CTX_new", &api.md_ctx_new) &&
                     BindSymbol(library, "EVP_MD_CTX_free", &api.md_ctx_free) &&
                     BindSymbol(library, "EVP_DigestVerifyInit", &api.verify_init) &&
                     BindSymbol(library, "EVP_DigestVerify", &api.verify) &&
                     BindSymbol(library, "EVP_sha256", &api.sha256) &&
                     BindSymbol(library, "ERR_clear_error", &api.clear_error);
  return bound ? &api : nullptr;
}

Result<const SignatureApi*> Api() {
  static const SignatureApi* api = Load();
  if (api == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "signatures need libcrypto.so.3 (OpenSSL 3)");
  }
  return api;
}

Error Invalid(std::string what) { return MakeError(ErrorCode::kInvalidArgument, std::move(what)); }

// DER, as much of it as a SubjectPublicKeyInfo and an ECDSA signature take.
using Bytes = std::vector<uint8_t>;

Bytes Tlv(uint8_t tag, const Bytes& content) {
  Bytes out{tag};
  const size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    uint8_t len[sizeof(size_t)];
    size_t count = 0;
    for (size_t rest = n; rest != 0; rest >>= 8) len[count++] = static_cast<uint8_t>(rest);
    out.push_back(static_cast<uint8_t>(0x80 | count));
    while (count > 0) out.push_back(len[--count]);
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

// An unsigned big-endian number as a DER INTEGER: no leading zero bytes,
// except one where the top bit would make it negative.
Bytes Integer(std::span<const uint8_t> number) {
  size_t skip = 0;
  while (skip < number.size() && number[skip] == 0) ++skip;
  Bytes content;
  if (skip == number.size() || (number[skip] & 0x80) != 0) content.push_back(0);
  content.insert(content.end(), number.begin() + static_cast<ptrdiff_t>(skip), number.end());
  return Tlv(0x02, content);
}

Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes FromHex(std::string_view hex) {
  Bytes out(hex.size() / 2);
  size_t written = 0;
  (void)sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, nullptr);
  return out;
}

}  // namespace

struct PublicKey::Key {
  Key(const SignatureApi* a, EVP_PKEY* p) : api(a), pkey(p) {}
  ~Key() { api->pkey_free(pkey); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  const SignatureApi* api;
  EVP_PKEY* pkey;
};

Result<PublicKey> PublicKey::FromDer(std::span<const uint8_t> der) {
  TRESOR_ASSIGN_OR_RETURN(const SignatureApi* api, Api());
  const unsigned char* p = der.data();
  EVP_PKEY* pkey = api->d2i_pubkey(nullptr, &p, static_cast<long>(der.size()));
  if (pkey == nullptr || p != der.data() + der.size()) {
    api->clear_error();
    if (pkey != nullptr) api->pkey_free(pkey);
    return Invalid("not a public key (SubjectPublicKeyInfo)");
  }
  auto key = std::make_shared<const Key>(api, pkey);
  switch (api->pkey_base_id(pkey)) {
    case EVP_PKEY_RSA:
      if (api->pkey_bits(pkey) < 2048) return Invalid("an RSA key of fewer than 2048 bits");
      return PublicKey(std::move(key), SignatureAlgorithm::kRs256);
    case EVP_PKEY_EC: {
      char group[32] = {};
      size_t length = 0;
      if (api->pkey_group_name(pkey, group, sizeof group, &length) != 1 ||
          std::strcmp(group, "prime256v1") != 0) {
        api->clear_error();
        return Invalid("an elliptic-curve key not on P-256");
      }
      return PublicKey(std::move(key), SignatureAlgorithm::kEs256);
    }
    case EVP_PKEY_ED25519:
      return PublicKey(std::move(key), SignatureAlgorithm::kEdDsa);
    default:
      return Invalid("a public key of a kind other than RSA, P-256 or Ed25519");
  }
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  static constexpr std::string_view kBegin = "-----BEGIN PUBLIC KEY-----";
  static constexpr std::string_view kEnd = "-----END PUBLIC KEY-----";
  const size_t begin = pem.find(kBegin);
  const size_t end = pem.find(kEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
    return Invalid("not a PEM public key (no BEGIN PUBLIC KEY and END PUBLIC KEY lines)");
  }
  const std::string_view body = pem.substr(begin + kBegin.size(), end - begin - kBegin.size());
  Bytes der(body.size());
  size_t length = 0;
  const char* stop = nullptr;
  if (sodium_base642bin(der.data(), der.size(), body.data(), body.size(), " \t\r\n", &length, &stop,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      stop != body.data() + body.size()) {
    return Invalid("a PEM public key whose body is not base64");
  }
  der.resize(length);
  return FromDer(der);
}

Result<PublicKey> PublicKey::FromRsa(std::span<const uint8_t> modulus,
                                     std::span<const uint8_t> exponent) {
  // SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }
  static const Bytes kAlgorithm = FromHex("300d06092a864886f70d0101010500");
  const Bytes rsa = Tlv(0x30, Concat(Integer(modulus), Integer(exponent)));
  return FromDer(Tlv(0x30, Concat(kAlgorithm, Tlv(0x03, Concat(Bytes{0}, rsa)))));
}

Result<PublicKey> PublicKey::FromP256(std::span<const uint8_t> x, std::span<const uint8_t> y) {
  if (x.size() != 32 || y.size() != 32) return Invalid("P-256 coordinates are 32 bytes each");
  Bytes der = FromHex("3059301306072a8648ce3d020106082a8648ce3d03010703420004");
  der.insert(der.end(), x.begin(), x.end());
  der.insert(der.end(), y.begin(), y.end());
  return FromDer(der);
}

Result<PublicKey> PublicKey::FromEd25519(std::span<const uint8_t> raw) {
  if (raw.size() != 32) return Invalid("an Ed25519 public key is 32 bytes");
  Bytes der = FromHex("302a300506032b6570032100");
  der.insert(der.end(), raw.begin(), raw.end());
  return FromDer(der);
}

bool PublicKey::Verify(std::span<const uint8_t> message, std::span<const uint8_t> signature) const {
  const SignatureApi& api = *key_->api;
  Bytes der;
  if (algorithm_ == SignatureAlgorithm::kEs256) {
    // JWS's r || s, as the DER SEQUENCE of two INTEGERs OpenSSL checks.
    if (signature.size() != 64) return false;
    der = Tlv(0x30, Concat(Integer(signature.first(32)), Integer(signature.last(32))));
    signature = der;
  }
  EVP_MD_CTX* ctx = api.md_ctx_new();
  if (ctx == nullptr) return false;
  const EVP_MD* md = algorithm_ == SignatureAlgorithm::kEdDsa ? nullptr : api.sha256();
  const bool ok =
      api.verify_init(ctx, nullptr, md, nullptr, key_->pkey) == 1 &&
      api.verify(ctx, signature.data(), signature.size(), message.data(), message.size()) == 1;
  api.md_ctx_free(ctx);
  api.clear_error();
  return ok;
}

namespace {

// The 64-byte secret key libsodium signs with, made from the seed, wiped
// when it goes.
struct ExpandedKey {
  explicit ExpandedKey(const SecretBytes& seed) {
    crypto_sign_seed_keypair(public_key.data(), secret.data(), seed.Reveal().data());
  }
  ~ExpandedKey() { sodium_memzero(secret.data(), secret.size()); }
  Ed25519PublicKeyBytes public_key{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> secret{};
};

}  // namespace

Ed25519PublicKeyBytes Ed25519PublicKeyOf(const SecretBytes& seed) {
  return ExpandedKey(seed).public_key;
}

Ed25519Signature Ed25519Sign(const SecretBytes& seed, std::span<const uint8_t> message) {
  const ExpandedKey key(seed);
  Ed25519Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       key.secret.data());
  return signature;
}

bool Ed25519Verify(const Ed25519PublicKeyBytes& public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature) {
  return signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

}  // namespace tresor::crypto
