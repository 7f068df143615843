// Bounded reads of small secret files (identity files, passphrase files)
// straight into secret memory: no copy of the bytes is left in ordinary
// memory.
#pragma once

#include <string>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::crypto {

// Reads `fd` to its end, at most `max_size` bytes. `name` is for messages.
// kIo if reading fails, kInvalidArgument "NAME: file is larger than N bytes".
// Does not close `fd`.
Result<SecretBytes> ReadSecretFd(int fd, const std::string& name, size_t max_size);

// Opens `path` and reads it as ReadSecretFd does.
Result<SecretBytes> ReadSecretFile(const std::string& path, size_t max_size);

// Creates `dir` mode 0700 if missing. kRefused if it is not a directory
// (a symlink included), belongs to another user, or is open to group or
// others ("DIR: mode 0755, must be 0700 (chmod 700 DIR)").
Result<void> PreparePrivateDirectory(const std::string& dir);

// The checks of PreparePrivateDirectory on a directory that exists; one
// that does not passes (it would be created).
Result<void> CheckPrivateDirectory(const std::string& dir);

}  // namespace tresor::crypto
