// OpenSSL's libcrypto, loaded on first use with dlopen.
//
// Only bulk ChaCha20-Poly1305 (and the server's AES-256-GCM) needs OpenSSL (see aead.h). Linking
// libcrypto into the executable, statically or not, costs every process about half a millisecond
// before main (mapping and relocating a 5 MiB library), which is half the run time of a small
// `tresor decrypt`. Loading it only when a stream turns out to be large keeps small commands at the
// process floor.
//
// Internal to crypto/. Thread-safe.
#pragma once

#include <openssl/evp.h>

namespace tresor::crypto::internal {

// The libcrypto functions tresor uses, with OpenSSL's own prototypes.
struct OpensslApi {
  decltype(&::EVP_CIPHER_CTX_new) cipher_ctx_new;
  decltype(&::EVP_CIPHER_CTX_free) cipher_ctx_free;
  decltype(&::EVP_CIPHER_CTX_ctrl) cipher_ctx_ctrl;
  decltype(&::EVP_CipherInit_ex) cipher_init;
  decltype(&::EVP_CipherUpdate) cipher_update;
  decltype(&::EVP_CipherFinal_ex) cipher_final;
  // ChaCha20-Poly1305, AES-256-GCM and AES-256-CTR, fetched once.
  const EVP_CIPHER* chacha20_poly1305;
  const EVP_CIPHER* aes_256_gcm;
  const EVP_CIPHER* aes_256_ctr;
};

// The loaded API, or nullptr when libcrypto.so.3 cannot be loaded or lacks
// ChaCha20-Poly1305 (callers then stay on libsodium, which computes the same
// bytes more slowly). Loaded once per process; never unloaded.
const OpensslApi* Openssl();

// libcrypto.so.3 itself, initialised as Openssl() does (its config file not
// read), for the functions other files bind (secp256k1.cc); nullptr when
// it cannot be loaded.
void* Libcrypto();

}  // namespace tresor::crypto::internal
