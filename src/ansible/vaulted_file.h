// A file with ansible vaults in it: either a whole-file vault, or a YAML
// (any format tresor reads) whose values are inline vaults (`key: !vault |`
// blocks, as ansible-vault encrypt_string writes them).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "formats/format.h"

namespace tresor::ansible {

struct OpenedFile {
  std::string plaintext;  // the file as ansible reads it, vaults opened
  bool whole = false;     // the whole file was one vault
  // Inline vaults: the paths of the values that were vaulted, in file order.
  std::vector<std::string> vaulted;
};

// `format` is used for inline vaults only (a whole-file vault's plaintext
// may be anything). kInvalidArgument if no vault is found; errors of one
// value are placed "LINE:COL: PATH: ...".
Result<OpenedFile> OpenVaultedFile(const formats::Format* format, std::string_view text,
                                   std::span<const uint8_t> password);

}  // namespace tresor::ansible
