#include "crypto/aes_ctr.h"

#include <climits>

#include "crypto/openssl_loader.h"

namespace tresor::crypto {

Result<SecretBytes> Aes256Ctr(std::span<const uint8_t> key, std::span<const uint8_t> iv,
                              std::span<const uint8_t> in) {
  if (key.size() != 32 || iv.size() != kAesCtrIvSize) {
    return MakeError(ErrorCode::kInvalidArgument, "AES-256-CTR takes a 32-byte key and 16-byte IV");
  }
  if (in.size() > static_cast<size_t>(INT_MAX)) {
    return MakeError(ErrorCode::kInvalidArgument, "AES-256-CTR input over 2 GiB");
  }
  const internal::OpensslApi* api = internal::Openssl();
  if (api == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "AES-256-CTR needs libcrypto.so.3 (OpenSSL 3)");
  }
  SecretBytes out(in.size());
  EVP_CIPHER_CTX* ctx = api->cipher_ctx_new();
  int len = 0;
  bool ok = ctx != nullptr &&
            api->cipher_init(ctx, api->aes_256_ctr, nullptr, key.data(), iv.data(), 1) == 1;
  if (ok && !in.empty()) {
    ok = api->cipher_update(ctx, out.Mutable().data(), &len, in.data(),
                            static_cast<int>(in.size())) == 1;
  }
  api->cipher_ctx_free(ctx);  // cleanses the key schedule
  if (!ok) return MakeError(ErrorCode::kIo, "AES-256-CTR failed");
  return out;
}

}  // namespace tresor::crypto
