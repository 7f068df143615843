#include <memory>

#include "age/encrypt.h"
#include "age/key_files.h"
#include "age/scrypt.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "cli/recipients.h"

namespace tresor::cli {
Result<void> RunEncrypt(const EncryptCommandOptions& options) {
  const PassphraseSource passphrases(options.passphrase_file);
  TRESOR_ASSIGN_OR_RETURN(auto recipients, CollectRecipients(options.to, passphrases));
  const auto view = Pointers(recipients);

  TRESOR_ASSIGN_OR_RETURN(Input in, Input::Open(options.input));
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(options.output, PublicOutput()));
  if (!options.armor && out.IsTerminal()) {
    return MakeError(ErrorCode::kRefused,
                     "refusing to write binary ciphertext to a terminal; use -a or -o FILE");
  }
  in.ShowProgress("encrypting");
  auto encrypted = age::Encrypt(view, in.source(), out.sink(), {.armor = options.armor});
  if (!encrypted) return WithPlace(in.name(), encrypted.error());
  return out.Commit();
}

}  // namespace tresor::cli
