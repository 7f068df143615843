// ECDSA on P-256 with keys held as their 32-byte private scalars: the
// transit engine's ecdsa-p256 keys. Computed by OpenSSL's libcrypto, loaded
// on first use; kUnavailable without it. Signatures are ASN.1 DER, over a
// digest the caller computed (SHA-256 or SHA-512, truncated as ECDSA does).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

inline constexpr size_t kP256ScalarSize = 32;

// A private scalar drawn uniformly from [1, n-1].
SecretBytes P256NewScalar();
// The public key of `scalar` as a "-----BEGIN PUBLIC KEY-----" PEM block.
Result<std::string> P256PublicKeyPem(const SecretBytes& scalar);
Result<std::vector<uint8_t>> P256SignDigest(const SecretBytes& scalar,
                                            std::span<const uint8_t> digest);
// Whether `der` is a signature of `digest` by `scalar`'s key.
Result<bool> P256VerifyDigest(const SecretBytes& scalar, std::span<const uint8_t> digest,
                              std::span<const uint8_t> der);

}  // namespace tresor::crypto
