// The subcommands of `tresor`, independent of argument parsing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::cli {

struct KeygenOptions {
  std::string output;          // "" = stdout
  bool passphrase = false;     // write a passphrase-encrypted identity file
  bool to_recipients = false;  // -y: print the recipients of `input`
  std::string input;           // with -y; "" = stdin
  std::optional<std::string> passphrase_file;
  int work_factor = 0;  // 0 = age's default
};
Result<void> RunKeygen(const KeygenOptions& options);

struct EncryptCommandOptions {
  std::vector<std::string> recipients;       // -r
  std::vector<std::string> recipient_files;  // -R
  std::vector<std::string> identity_files;   // -i: encrypt to these identities' recipients
  bool passphrase = false;                   // -p
  bool armor = false;                        // -a
  std::string output;                        // -o; "" = stdout
  std::string input;                         // "" = stdin
  std::optional<std::string> passphrase_file;
  int work_factor = 0;
};
Result<void> RunEncrypt(const EncryptCommandOptions& options);

struct DecryptCommandOptions {
  std::vector<std::string> identity_files;  // -i
  std::string output;
  std::string input;
  std::optional<std::string> passphrase_file;
};
Result<void> RunDecrypt(const DecryptCommandOptions& options);

}  // namespace tresor::cli
