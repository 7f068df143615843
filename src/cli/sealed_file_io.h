// Loading and unlocking a sealed file for the CLI commands.
#pragma once

#include <map>
#include <string>
#include <vector>

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

// Which values a file seals, by group, and which it leaves in plaintext
// (paths in file order); needs no key.
struct Census {
  struct Group {
    size_t unadopted = 0;  // added with set --public
    std::vector<std::string> paths;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> plaintext;
};
Census TakeCensus(const sealed::SealedFile& file);

// On stderr: how many values each group of `sealed_text` seals, for whom,
// and how many are left in plaintext.
void PrintSealSummary(const std::string& file, const formats::Format& format,
                      const std::string& sealed_text);

// What the command may use for groups and recipients:
struct PolicySources {
  bool command_line = true;  // -r/-R/-p set the default group's recipients
  bool header = false;       // groups nothing else names keep the header's recipients
  bool identities = false;   // and so do the -i identities (seal of a new file)
  // With no recipient on the command line and no rule: this keyring key (seal
  // of a new file: the default key). Empty: none.
  std::string fallback_key = {};
  // Revoke: set to the groups whose rules still listed options.revoked.
  std::vector<std::string>* still_listed = nullptr;
};

// The groups, recipients and selection for options.file: the first matching
// rule of the nearest .tresor.toml (unless --no-rules), the command line's
// recipients for the default group, and with `sources.header` the header's
// own recipient lists (a "scrypt" entry asks for a new passphrase). A
// recipient in options.revoked is left out everywhere.
Result<sealed::Policy> MakePolicy(const SealedCommandOptions& options,
                                  const sealed::SealedFile& file, PolicySources sources);

}  // namespace tresor::cli
