#include "age/encrypt.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "cli/recipients.h"
#include "runtime/server_keys.h"

namespace tresor::cli {

Result<void> RunDecrypt(const DecryptCommandOptions& options) {
  const PassphraseSource passphrases(options.passphrase_file);
  TRESOR_ASSIGN_OR_RETURN(keys::KeyChain keys,
                          DiscoverKeys(options.identity_files, options.key_name, passphrases));
  PassphrasePromptIdentity prompt(passphrases);
  std::vector<const age::Identity*> view = keys.identities();
  runtime::ServerKeyIdentity server;  // asked only for a tresor:NAME stanza
  view.push_back(&server);
  view.push_back(&prompt);  // asked only if the file is passphrase-encrypted

  TRESOR_ASSIGN_OR_RETURN(const OutputPolicy policy, PlaintextOutput(options.mode));
  TRESOR_ASSIGN_OR_RETURN(Input in, Input::Open(options.input));
  // Plaintext files are private by default.
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(options.output, policy));
  auto decrypted = age::Decrypt(view, in.source(), out.sink());
  if (!decrypted) {
    Error e = std::move(decrypted).error();
    if (!prompt.asked()) e = keys.Explain(std::move(e));
    return PlaceDecryptError(in.name(), runtime::WithServerReasons(std::move(e), server));
  }
  return out.Commit();
}

}  // namespace tresor::cli
