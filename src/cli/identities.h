// Loading identities for decryption: identity files (plain or
// passphrase-protected) and the passphrase of a passphrase-encrypted file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "age/recipient.h"
#include "age/x25519.h"
#include "cli/passphrase.h"
#include "keys/key_chain.h"

namespace tresor::cli {

// Reads an identity file; one that is itself age-encrypted is opened with a
// passphrase from `passphrases` first, as age does.
Result<std::vector<age::X25519Identity>> LoadIdentityFile(const std::string& path,
                                                          const PassphraseSource& passphrases);

// Parses identity file bytes already in memory (`name` for messages).
Result<std::vector<age::X25519Identity>> ParseIdentityBytes(const crypto::SecretBytes& content,
                                                            const std::string& name,
                                                            const PassphraseSource& passphrases);

// The key sources of a decrypting command (keys/key_chain.h): -i files, or
// --key NAME, or the environment, the agent and the keyring. Protected
// identity files are asked for through `passphrases`; notes (a stale agent
// socket) go to stderr.
Result<keys::KeyChain> DiscoverKeys(const std::vector<std::string>& identity_files,
                                    const std::string& key_name,
                                    const PassphraseSource& passphrases);

// An identity that asks for a passphrase only when the file turns out to be
// passphrase-encrypted, then acts as an age scrypt identity.
class PassphrasePromptIdentity : public age::Identity {
 public:
  explicit PassphrasePromptIdentity(const PassphraseSource& passphrases)
      : passphrases_(passphrases) {}
  Result<std::optional<crypto::SecretBytes>> Unwrap(
      std::span<const age::Stanza> stanzas) const override;
  // True once the file turned out to be passphrase-encrypted.
  bool asked() const { return asked_; }

 private:
  const PassphraseSource& passphrases_;
  mutable bool asked_ = false;
};

}  // namespace tresor::cli
