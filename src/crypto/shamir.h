// Shamir's secret sharing over GF(2^8) (the AES field, x^8+x^4+x^3+x+1), for
// the server's root key: split into N shares, any T of which rebuild it and
// fewer reveal nothing about it.
//
// A share is the secret's length plus one bytes: the polynomial's value at x
// for each secret byte, then x itself (1..255). Field arithmetic runs in
// constant time (no table indexed by secret bytes).
#pragma once

#include <span>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

// `shares` shares of `secret`, any `threshold` of which recover it.
// kInvalidArgument unless 2 <= threshold <= shares <= 255 and the secret is
// not empty (threshold 1 would be the secret itself: give it out directly).
Result<std::vector<SecretBytes>> SplitSecret(const SecretBytes& secret, int shares, int threshold);

// The secret from `threshold` or more shares. kInvalidArgument if there are
// fewer than 2, their lengths differ, or two have the same x. Shares of
// another secret, or too few of them, give a wrong secret, not an error:
// callers check the result (the root key opens the keyring or it does not).
Result<SecretBytes> CombineShares(std::span<const SecretBytes> shares);

}  // namespace tresor::crypto
