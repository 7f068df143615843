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
// `listed_recipients`: what the file says it is for (keys/key_chain.h).
Result<keys::KeyChain> DiscoverKeys(const std::vector<std::string>& identity_files,
                                    const std::string& key_name,
                                    const PassphraseSource& passphrases,
                                    std::vector<std::string> listed_recipients = {});

// An identity that asks for a passphrase only when the file turns out to be
// passphrase-encrypted, then acts as an age scrypt identity.
class PassphrasePromptIdentity : public age::Identity {
 public:
  // `per_group`: for the groups of a sealed file, of which a reader may
  // open only some: a passphrase that cannot be had (no terminal, no
  // --passphrase-file) or does not open the stanza is no match, and note()
  // says why; once had, a passphrase is asked only once.
  explicit PassphrasePromptIdentity(const PassphraseSource& passphrases, bool per_group = false)
      : passphrases_(passphrases), per_group_(per_group) {}
  Result<std::optional<crypto::SecretBytes>> Unwrap(
      std::span<const age::Stanza> stanzas) const override;
  // True once the file turned out to be passphrase-encrypted.
  bool asked() const { return asked_; }
  // Why a passphrase group stayed closed ("" if none did).
  const std::string& note() const { return note_; }

 private:
  const PassphraseSource& passphrases_;
  bool per_group_;
  mutable bool asked_ = false;
  mutable std::optional<crypto::SecretBytes> passphrase_;  // per_group: the one given
  mutable std::string note_;
};

}  // namespace tresor::cli
