#include "cli/identities.h"

#include <algorithm>
#include <cstdio>

#include "age/scrypt.h"
#include "keys/identity_file.h"

namespace tresor::cli {

Result<std::vector<age::X25519Identity>> ParseIdentityBytes(const crypto::SecretBytes& content,
                                                            const std::string& name,
                                                            const PassphraseSource& passphrases) {
  return keys::ParseIdentityBytes(content, name, passphrases.AsFn());
}

Result<std::vector<age::X25519Identity>> LoadIdentityFile(const std::string& path,
                                                          const PassphraseSource& passphrases) {
  return keys::LoadIdentityFile(path, passphrases.AsFn());
}

Result<keys::KeyChain> DiscoverKeys(const std::vector<std::string>& identity_files,
                                    const std::string& key_name,
                                    const PassphraseSource& passphrases) {
  keys::KeyChainOptions options;
  options.identity_files = identity_files;
  options.key_name = key_name;
  options.passphrase = passphrases.AsFn();
  options.note = [](const std::string& note) {
    std::fprintf(stderr, "tresor: %s\n", note.c_str());
  };
  return keys::KeyChain::Discover(options);
}

Result<std::optional<crypto::SecretBytes>> PassphrasePromptIdentity::Unwrap(
    std::span<const age::Stanza> stanzas) const {
  const bool has_scrypt = std::any_of(stanzas.begin(), stanzas.end(),
                                      [](const age::Stanza& s) { return s.type == "scrypt"; });
  if (!has_scrypt) return std::optional<crypto::SecretBytes>();
  asked_ = true;
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase,
                          passphrases_.Get("Enter passphrase", false));
  return age::ScryptIdentity(std::move(passphrase)).Unwrap(stanzas);
}

}  // namespace tresor::cli
