// The ECIES of eciesjs on secp256k1, which dotenvx encrypts `encrypted:`
// values with. A message is the sender's ephemeral public key (65 bytes,
// uncompressed), a 16-byte nonce, a 16-byte tag, then the AES-256-GCM
// ciphertext; the key is HKDF-SHA-256, without salt or info, of the
// ephemeral key followed by the shared point (both uncompressed).
#pragma once

#include <cstdint>
#include <span>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::dotenvx {

// kIntegrity for a message too short or whose key is not a point; kNoMatch
// for one that does not open with `private_key` (another key's, or damaged).
Result<crypto::SecretBytes> EciesOpen(const crypto::SecretBytes& private_key,
                                      std::span<const uint8_t> message);

}  // namespace tresor::dotenvx
