// Where passphrases come from: the terminal (no echo) or a private file.
#pragma once

#include <optional>
#include <string>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "keys/identity_file.h"

namespace tresor::cli {

// Reads a passphrase from /dev/tty with echo off, after printing `prompt`
// there. Fails with kRefused if the process has no terminal.
Result<crypto::SecretBytes> ReadPassphraseFromTerminal(const std::string& prompt);

// Reads the first line of `path` (without its line end). Refused if the file
// can be read or written by group or others.
Result<crypto::SecretBytes> ReadPassphraseFile(const std::string& path);

// --passphrase-file-once FILE: reads the passphrase as ReadPassphraseFile
// does, deletes FILE whether or not that worked, and makes the passphrase the
// answer of every PassphraseSource in this process.
Result<void> ConsumePassphraseFileOnce(const std::string& path);

// A passphrase from --passphrase-file-once or `--passphrase-file` if given, else from the terminal;
// with `confirm`, the terminal asks twice and both must match.
class PassphraseSource {
 public:
  explicit PassphraseSource(std::optional<std::string> file, int work_factor = 0)
      : file_(std::move(file)), work_factor_(work_factor) {}
  // The scrypt work factor (log2 N) for passphrases set with this source;
  // 0: age's default.
  int work_factor() const { return work_factor_; }
  Result<crypto::SecretBytes> Get(const std::string& prompt, bool confirm) const;
  // Get without confirmation, as key sources ask (keys/identity_file.h).
  keys::PassphraseFn AsFn() const {
    return [this](const std::string& prompt) { return Get(prompt, false); };
  }

 private:
  std::optional<std::string> file_;
  int work_factor_ = 0;
};

}  // namespace tresor::cli
