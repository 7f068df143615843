#include "crypto/openssl_loader.h"

#include <dlfcn.h>
#include <openssl/crypto.h>

#include "crypto/bind_symbol.h"

namespace tresor::crypto::internal {
namespace {

// The library, loaded once: the soname of OpenSSL 3, whose ABI the
// headers describe.
void* Handle() {
  static void* library = ::dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  return library;
}

const OpensslApi* Load() {
  void* library = Handle();
  if (library == nullptr) return nullptr;
  static OpensslApi api;
  decltype(&::OPENSSL_init_crypto) init = nullptr;
  decltype(&::EVP_CIPHER_fetch) fetch = nullptr;
  const bool bound = BindSymbol(library, "OPENSSL_init_crypto", &init) &&
                     BindSymbol(library, "EVP_CIPHER_fetch", &fetch) &&
                     BindSymbol(library, "EVP_CIPHER_CTX_new", &api.cipher_ctx_new) &&
                     BindSymbol(library, "EVP_CIPHER_CTX_free", &api.cipher_ctx_free) &&
                     BindSymbol(library, "EVP_CIPHER_CTX_ctrl", &api.cipher_ctx_ctrl) &&
                     BindSymbol(library, "EVP_CipherInit_ex", &api.cipher_init) &&
                     BindSymbol(library, "EVP_CipherUpdate", &api.cipher_update) &&
                     BindSymbol(library, "EVP_CipherFinal_ex", &api.cipher_final);
  if (!bound) return nullptr;
  // The system openssl.cnf is not read: it cannot change what
  // ChaCha20-Poly1305 computes, and reading it doubles the set-up time.
  if (init(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) != 1) return nullptr;
  api.chacha20_poly1305 = fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  api.aes_256_gcm = fetch(nullptr, "AES-256-GCM", nullptr);
  api.aes_256_ctr = fetch(nullptr, "AES-256-CTR", nullptr);
  return api.chacha20_poly1305 != nullptr && api.aes_256_gcm != nullptr &&
                 api.aes_256_ctr != nullptr
             ? &api
             : nullptr;
}

}  // namespace

const OpensslApi* Openssl() {
  static const OpensslApi* api = Load();
  return api;
}

void* Libcrypto() { return Openssl() != nullptr ? Handle() : nullptr; }

}  // namespace tresor::crypto::internal
