#include "age/encrypt.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "cli/recipients.h"

namespace tresor::cli {

Result<void> RunDecrypt(const DecryptCommandOptions& options) {
  const PassphraseSource passphrases(options.passphrase_file);
  TRESOR_ASSIGN_OR_RETURN(auto identities, LoadIdentities(options.identity_files, passphrases));
  PassphrasePromptIdentity prompt(passphrases);
  std::vector<const age::Identity*> view;
  for (const auto& id : identities) view.push_back(&id);
  view.push_back(&prompt);  // asked only if the file is passphrase-encrypted

  TRESOR_ASSIGN_OR_RETURN(Input in, Input::Open(options.input));
  // Plaintext files are private by default.
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(options.output, 0600, false));
  auto decrypted = age::Decrypt(view, in.source(), out.sink());
  if (!decrypted) {
    Error e = std::move(decrypted).error();
    if (e.code == ErrorCode::kNoMatch && identities.empty() && !prompt.asked()) {
      e.message = "no identity given (use -i FILE) and the file is not passphrase-encrypted";
    }
    return PlaceDecryptError(in.name(), std::move(e));
  }
  return out.Commit();
}

}  // namespace tresor::cli
