// Opening a sops file for the CLI (import sops, decrypt --sops): its age
// data key with the identities sops would use and tresor's own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sops/sops_file.h"

namespace tresor::cli {

struct SopsReadOptions {
  std::string file;
  std::string input_type;                   // --input-type; "" = from the file name
  std::vector<std::string> identity_files;  // -i: the only identities, as age does
  std::string key_name;                     // --key NAME
  std::optional<std::string> passphrase_file;
  bool ignore_mac = false;
};

// Identities, in order: -i FILE (alone, if given); else $SOPS_AGE_KEY,
// $SOPS_AGE_KEY_FILE and $XDG_CONFIG_HOME/sops/age/keys.txt
// (~/.config/...) as sops reads them, then tresor's key sources. Errors
// are placed "FILE:..." and say what was tried.
Result<sops::Opened> ReadSopsFile(const SopsReadOptions& options, sops::InputType* type = nullptr);

}  // namespace tresor::cli
