// Loading and unlocking a sealed file for the CLI commands.
#pragma once

#include "cli/commands.h"
#include "sealed/sealed_file.h"

namespace tresor::cli {

// The largest configuration file the commands read.
inline constexpr size_t kMaxConfigFile = 256 << 20;

// Reads and parses options.file in options.format (or the one its name implies).
Result<sealed::SealedFile> LoadSealedFile(const SealedCommandOptions& options);

// Recovers the data key with the -i identities (or a passphrase prompt) and
// checks the whole-file MAC unless --ignore-mac.
Result<void> UnlockSealedFile(sealed::SealedFile& file, const SealedCommandOptions& options);

}  // namespace tresor::cli
