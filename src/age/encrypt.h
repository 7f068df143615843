// Encrypting and decrypting whole age v1 files, streaming in constant memory
// (about 6 MiB whatever the file size).
#pragma once

#include <span>
#include <string>

#include "age/io.h"
#include "age/recipient.h"

namespace tresor::age {

struct EncryptOptions {
  bool armor = false;  // ASCII armor instead of binary
};

// Encrypts all of `in` to `out` for `recipients` (at least one). A recipient
// that MustBeAlone() cannot be combined with others (kInvalidArgument).
Result<void> Encrypt(std::span<const Recipient* const> recipients, Source& in, Sink& out,
                     const EncryptOptions& options = {});

// Decrypts an age file, binary or armored (detected), with the first of
// `identities` that opens a stanza. Errors carry the failure class: kArmor,
// kHeader, kNoMatch, kHmac, kPayload, or kIo from the streams. Plaintext is
// written to `out` only after it authenticated; see DecryptPayload.
Result<void> Decrypt(std::span<const Identity* const> identities, Source& in, Sink& out);

// "FILE: CLASS: message" for the age failure classes (so a user sees which
// check failed), "FILE: message" for the rest.
inline Error PlaceDecryptError(const std::string& place, Error error) {
  switch (error.code) {
    case ErrorCode::kArmor:
    case ErrorCode::kHeader:
    case ErrorCode::kNoMatch:
    case ErrorCode::kHmac:
    case ErrorCode::kPayload:
      return WithPlace(place + ": " + ErrorCodeName(error.code), std::move(error));
    default:
      return WithPlace(place, std::move(error));
  }
}

// The size of the buffers both directions use, exposed for tests.
inline constexpr size_t kReaderCapacity = 16 * (64 * 1024 + 16) + 1;

}  // namespace tresor::age
