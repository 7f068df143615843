#include "cli/key_commands.h"

#include <cstdio>
#include <ctime>

#include "age/key_files.h"
#include "age/scrypt.h"
#include "cli/client_commands.h"
#include "cli/confirm.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "crypto/secret_file.h"
#include "formats/document.h"
#include "keys/key_chain.h"
#include "keys/keyring.h"

namespace tresor::cli {
namespace {

std::string FirstRecipient(const std::vector<age::X25519Identity>& ids) {
  return ids.front().ToRecipient().String();
}

}  // namespace

Result<void> RunKeyNew(const KeyOptions& options) {
  keys::Keyring keyring = keys::Keyring::Default();
  TRESOR_RETURN_IF_ERROR(keys::Keyring::CheckName(options.name));
  const age::X25519Identity identity = age::X25519Identity::Generate();
  crypto::SecretBytes content = age::FormatIdentityFile(identity, std::time(nullptr));
  // A passphrase file means "protect it with this", as --passphrase does.
  if (options.passphrase || options.passphrase_file) {
    const PassphraseSource passphrases(options.passphrase_file);
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase,
                            passphrases.Get("Enter passphrase for key " + options.name, true));
    TRESOR_ASSIGN_OR_RETURN(
        content, keys::ProtectIdentityFile(
                     content, std::move(passphrase),
                     options.work_factor > 0 ? options.work_factor : age::kDefaultScryptLogN));
  }
  const std::string recipient = identity.ToRecipient().String();
  TRESOR_RETURN_IF_ERROR(keyring.Store(options.name, content, recipient));
  std::printf("%s\n", recipient.c_str());
  std::fprintf(stderr, "tresor: key %s saved in %s%s\n", options.name.c_str(),
               keyring.dir().c_str(),
               keyring.DefaultName() == options.name ? " (the default key)" : "");
  return {};
}

Result<void> RunKeyImport(const KeyOptions& options) {
  keys::Keyring keyring = keys::Keyring::Default();
  TRESOR_RETURN_IF_ERROR(keys::Keyring::CheckName(options.name));
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content,
                          crypto::ReadSecretFile(options.file, keys::kMaxIdentityFile));
  // Opened once (a protected file asks for its passphrase) to check it and
  // to record its recipient; stored as it was given.
  const PassphraseSource passphrases(options.passphrase_file);
  TRESOR_ASSIGN_OR_RETURN(auto ids, ParseIdentityBytes(content, options.file, passphrases));
  const std::string recipient = FirstRecipient(ids);
  TRESOR_RETURN_IF_ERROR(keyring.Store(options.name, content, recipient));
  std::printf("%s\n", recipient.c_str());
  return {};
}

Result<void> RunKeyDelete(const KeyOptions& options) {
  if (options.server) {
    // The server's transit key: groups sealed to tresor:NAME, on every
    // host, can no longer be opened.
    ClientOptions client;
    const size_t slash = options.name.rfind('/');
    client.name = slash == std::string::npos ? options.name : options.name.substr(slash + 1);
    if (slash != std::string::npos) client.mount_path = options.name.substr(0, slash);
    client.yes = options.yes;
    client.json = options.json;
    return RunTransitDelete(client);
  }
  keys::Keyring keyring = keys::Keyring::Default();
  TRESOR_ASSIGN_OR_RETURN(keys::KeyringEntry key, keyring.Find(options.name));
  TRESOR_RETURN_IF_ERROR(Confirm(options.yes, "key delete " + options.name,
                                 "Delete private key " + options.name + " (" + key.recipient +
                                     ")? What is sealed or encrypted only to it can no longer "
                                     "be opened."));
  TRESOR_RETURN_IF_ERROR(keyring.Delete(options.name));
  std::fprintf(stderr, "tresor: key %s deleted\n", options.name.c_str());
  return {};
}

Result<void> RunKeyDefault(const KeyOptions& options) {
  return keys::Keyring::Default().SetDefault(options.name);
}

Result<void> RunKeyList(const KeyOptions& options) {
  const keys::Keyring keyring = keys::Keyring::Default();
  TRESOR_ASSIGN_OR_RETURN(auto entries, keyring.List());
  if (options.json) {
    std::vector<std::vector<std::pair<const char*, std::string>>> rows;
    for (const auto& e : entries) {
      rows.push_back({{"name", e.name},
                      {"recipient", e.recipient},
                      {"protected", e.is_protected ? "true" : "false"},
                      {"default", e.is_default ? "true" : "false"},
                      {"path", e.path}});
    }
    PrintJsonRows(rows);
    return {};
  }
  if (entries.empty()) {
    std::fprintf(stderr, "tresor: no keys in %s (tresor key new NAME)\n", keyring.dir().c_str());
  }
  for (const auto& e : entries) {
    std::printf("%-20s %s%s%s\n", e.name.c_str(), e.recipient.c_str(),
                e.is_protected ? "  protected" : "", e.is_default ? "  default" : "");
  }
  return {};
}

Result<void> RunKeys(const KeyOptions& options) {
  keys::KeyChainOptions chain;
  chain.identity_files = options.identity_files;
  const auto rows = keys::DescribeKeySources(chain);
  if (options.json) {
    std::vector<std::vector<std::pair<const char*, std::string>>> json;
    for (const auto& r : rows) {
      json.push_back({{"source", r.source},
                      {"where", r.where},
                      {"recipient", r.recipient},
                      {"state", r.state}});
    }
    PrintJsonRows(json);
    return {};
  }
  for (const auto& r : rows) {
    std::printf("%-22s %-40s %-62s %s\n", r.source.c_str(), r.where.c_str(),
                r.recipient.empty() ? "-" : r.recipient.c_str(), r.state.c_str());
  }
  return {};
}

}  // namespace tresor::cli
