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
                                    const PassphraseSource& passphrases,
                                    std::vector<std::string> listed_recipients) {
  keys::KeyChainOptions options;
  options.listed_recipients = std::move(listed_recipients);
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
  if (!per_group_) {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase,
                            passphrases_.Get("Enter passphrase", false));
    return age::ScryptIdentity(std::move(passphrase)).Unwrap(stanzas);
  }
  if (!passphrase_) {
    auto got = passphrases_.Get("Enter passphrase", false);
    if (!got) {
      note_ = "a group sealed with a passphrase stays closed: " + got.error().message;
      return std::optional<crypto::SecretBytes>();
    }
    passphrase_ = std::move(*got);
  }
  auto opened =
      age::ScryptIdentity(crypto::SecretBytes::CopyOf(passphrase_->Reveal())).Unwrap(stanzas);
  if (opened && !*opened) {
    note_ =
        "the passphrase given does not open the groups sealed with a passphrase (wrong "
        "passphrase?)";
  }
  if (!opened && opened.error().code == ErrorCode::kNoMatch) {
    note_ =
        "the passphrase given does not open the groups sealed with a passphrase (wrong "
        "passphrase?)";
    return std::optional<crypto::SecretBytes>();
  }
  return opened;
}

}  // namespace tresor::cli
