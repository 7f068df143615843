// The data key of a sops file: unwrapped from the first age key that opens
// it, or rebuilt from Shamir shares, one per key group, when the file uses
// key_groups (crypto's CombineShares: the same GF(2^8) share layout).
#pragma once

#include <functional>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "sops/metadata.h"

namespace tresor::sops {

inline constexpr size_t kDataKeySize = 32;

// The plaintext of `key.enc` (an armored age file for `key.recipient`):
// `size` bytes, the data key or a Shamir share. kNoMatch when no identity
// at hand opens it.
using Unwrap = std::function<Result<crypto::SecretBytes>(const AgeKey& key, size_t size)>;

// kNoMatch naming the file's recipients (and the kinds of key tresor cannot
// use) when too few keys open; another error of `unwrap` as it is.
Result<crypto::SecretBytes> RecoverDataKey(const Metadata& metadata, const Unwrap& unwrap);

}  // namespace tresor::sops
