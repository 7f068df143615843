// Recipients from -r/-R/-i/-p options, and identities from -i files.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "age/recipient.h"
#include "age/x25519.h"
#include "cli/commands.h"
#include "cli/passphrase.h"

namespace tresor::cli {

// One recipient as written on a command line, in rules or in a header:
// "age1..." or a server key "tresor:NAME" (runtime/server_keys.h).
Result<std::unique_ptr<age::Recipient>> ParseRecipient(std::string_view text);

// The recipients the options name; with none, the keyring's default key
// (kInvalidArgument if there is none).
Result<std::vector<std::unique_ptr<age::Recipient>>> CollectRecipients(
    const RecipientOptions& options, const PassphraseSource& passphrases);

template <typename T>
std::vector<const T*> Pointers(const std::vector<std::unique_ptr<T>>& owned) {
  std::vector<const T*> out;
  for (const auto& p : owned) out.push_back(p.get());
  return out;
}

}  // namespace tresor::cli
