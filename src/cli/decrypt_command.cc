#include "age/encrypt.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "cli/recipients.h"
#include "cli/sops_reader.h"
#include "runtime/server_keys.h"

namespace tresor::cli {

namespace {

// decrypt --sops: the file as `sops -d` prints it.
Result<void> RunSopsDecrypt(const DecryptCommandOptions& options) {
  if (options.input.empty() || options.input == "-") {
    return MakeError(ErrorCode::kInvalidArgument, "--sops reads a named file, not stdin");
  }
  TRESOR_ASSIGN_OR_RETURN(const OutputPolicy policy, PlaintextOutput(options.mode));
  TRESOR_ASSIGN_OR_RETURN(const sops::Opened opened,
                          ReadSopsFile({.file = options.input,
                                        .input_type = options.input_type,
                                        .identity_files = options.identity_files,
                                        .key_name = options.key_name,
                                        .passphrase_file = options.passphrase_file,
                                        .ignore_mac = options.ignore_mac}));
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(options.output, policy));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(opened.plaintext)));
  return out.Commit();
}

}  // namespace

Result<void> RunDecrypt(const DecryptCommandOptions& options) {
  if (options.sops) return RunSopsDecrypt(options);
  if (!options.input_type.empty() || options.ignore_mac) {
    return MakeError(ErrorCode::kInvalidArgument, "--input-type and --ignore-mac go with --sops");
  }
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
  in.ShowProgress("decrypting");
  auto decrypted = age::Decrypt(view, in.source(), out.sink());
  if (!decrypted) {
    Error e = std::move(decrypted).error();
    if (!prompt.asked()) e = keys.Explain(std::move(e));
    return PlaceDecryptError(in.name(), runtime::WithServerReasons(std::move(e), server));
  }
  return out.Commit();
}

}  // namespace tresor::cli
