// Encrypting and decrypting whole age v1 files, streaming in constant memory
// (about 6 MiB whatever the file size).
#pragma once

#include <span>

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

// The size of the buffers both directions use, exposed for tests.
inline constexpr size_t kReaderCapacity = 16 * (64 * 1024 + 16) + 1;

}  // namespace tresor::age
