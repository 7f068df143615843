// Recipients from -r/-R/-i/-p options, and identities from -i files.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "age/recipient.h"
#include "age/x25519.h"
#include "cli/commands.h"
#include "cli/passphrase.h"

namespace tresor::cli {

// A passphrase recipient ("scrypt" in rules and headers) that asks for
// its passphrase, with confirmation, only when a data key is wrapped for it
// (a seal that keeps a group's key asks nothing).
class PromptedScryptRecipient : public age::Recipient {
 public:
  PromptedScryptRecipient(PassphraseSource passphrases, std::string prompt)
      : passphrases_(std::move(passphrases)), prompt_(std::move(prompt)) {}
  Result<std::vector<age::Stanza>> Wrap(const crypto::SecretBytes& file_key) const override;
  bool MustBeAlone() const override { return true; }
  std::string Name() const override { return "scrypt"; }

 private:
  PassphraseSource passphrases_;
  std::string prompt_;
};

// One recipient as written on a command line, in rules or in a header:
// "age1...", a server key "tresor:NAME" (runtime/server_keys.h), or, with
// `passphrases`, "scrypt" for group `group`.
Result<std::unique_ptr<age::Recipient>> ParseRecipient(
    std::string_view text, const PassphraseSource* passphrases = nullptr,
    const std::string& group = "");

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
