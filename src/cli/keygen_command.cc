#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "age/key_files.h"
#include "age/scrypt.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "keys/identity_file.h"

namespace tresor::cli {
namespace {

constexpr size_t kMaxKeyFile = 1 << 20;

Result<void> PrintRecipients(const KeygenOptions& options, const PassphraseSource& passphrases) {
  const std::string name = options.input.empty() || options.input == "-" ? "stdin" : options.input;
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content,
                          ReadSecretFile(name == "stdin" ? "/dev/stdin" : name, kMaxKeyFile));
  TRESOR_ASSIGN_OR_RETURN(auto ids, ParseIdentityBytes(content, name, passphrases));
  for (const auto& id : ids) std::printf("%s\n", id.ToRecipient().String().c_str());
  return {};
}

}  // namespace

Result<void> RunKeygen(const KeygenOptions& options) {
  const PassphraseSource passphrases(options.passphrase_file);
  if (options.to_recipients) return PrintRecipients(options, passphrases);

  const age::X25519Identity identity = age::X25519Identity::Generate();
  crypto::SecretBytes content = age::FormatIdentityFile(identity, std::time(nullptr));
  TRESOR_ASSIGN_OR_RETURN(Output out,
                          Output::Open(options.output, {.mode = 0600, .no_clobber = true}));
  // A passphrase file means "protect it with this", as --passphrase does.
  if (options.passphrase || options.passphrase_file) {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase,
                            passphrases.Get("Enter passphrase for the new identity", true));
    TRESOR_ASSIGN_OR_RETURN(
        content, keys::ProtectIdentityFile(
                     content, std::move(passphrase),
                     options.work_factor > 0 ? options.work_factor : age::kDefaultScryptLogN));
  }
  TRESOR_RETURN_IF_ERROR(out.sink().Write(content.Reveal()));
  TRESOR_RETURN_IF_ERROR(out.Commit());
  if (!options.output.empty() || !out.IsTerminal()) {
    std::fprintf(stderr, "Public key: %s\n", identity.ToRecipient().String().c_str());
  }
  return {};
}

}  // namespace tresor::cli
