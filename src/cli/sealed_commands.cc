// seal, unseal, get, set, unset: sealed configuration files (docs/format.md).
#include <unistd.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "cli/recipients.h"
#include "cli/sealed_file_io.h"

namespace tresor::cli {
namespace {

constexpr size_t kMaxValue = 16 << 20;

// Writes `text` to stdout, -o FILE, or over the file itself (atomically,
// keeping its mode and owner).
Result<void> Emit(const SealedCommandOptions& options, const std::string& text, bool in_place,
                  unsigned new_file_mode) {
  const std::string target = in_place ? options.file : options.output;
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(target, new_file_mode, false));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(text)));
  return out.Commit();
}

Result<void> Check(Result<std::string>& result, const SealedCommandOptions& options) {
  if (!result) return WithPlace(options.file, result.error());
  return {};
}

}  // namespace

Result<void> RunSeal(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (file.has_header()) {
    TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  } else {
    const PassphraseSource passphrases(options.passphrase_file);
    RecipientOptions to = options.to;
    to.identity_files = options.identity_files;  // -i: seal to these identities too
    TRESOR_ASSIGN_OR_RETURN(auto recipients, CollectRecipients(to, passphrases));
    TRESOR_RETURN_IF_ERROR(file.CreateKey(Pointers(recipients)));
  }
  auto sealed = file.Seal();
  TRESOR_RETURN_IF_ERROR(Check(sealed, options));
  return Emit(options, *sealed, options.in_place, PublicFileMode());
}

Result<void> RunUnseal(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto plain = file.Unseal();
  TRESOR_RETURN_IF_ERROR(Check(plain, options));
  return Emit(options, *plain, options.in_place, 0600);
}

Result<void> RunGet(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (file.has_header()) TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto value = file.Get(options.path);
  if (!value) return WithPlace(options.file, std::move(value).error());
  age::FdSink out(STDOUT_FILENO, "stdout");
  TRESOR_RETURN_IF_ERROR(out.Write(value->Reveal()));
  return out.Write(crypto::AsBytes("\n"));
}

Result<void> RunSet(SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (!file.has_header()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     options.file + ": not sealed yet (no tresor header); run tresor seal first");
  }
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  crypto::SecretBytes value;
  if (options.from_stdin) {
    TRESOR_ASSIGN_OR_RETURN(value, ReadSecretFile("/dev/stdin", kMaxValue));
    // A value piped in by `echo` or typed ends in one newline that is not part of it.
    const auto bytes = value.Reveal();
    if (!bytes.empty() && bytes.back() == '\n') value.Truncate(value.size() - 1);
  } else if (options.value) {
    value = std::move(*options.value);
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "set needs VALUE or --stdin");
  }
  auto edited = file.Set(options.path, value);
  TRESOR_RETURN_IF_ERROR(Check(edited, options));
  return Emit(options, *edited, true, PublicFileMode());
}

Result<void> RunUnset(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto edited = file.Unset(options.path);
  TRESOR_RETURN_IF_ERROR(Check(edited, options));
  return Emit(options, *edited, true, PublicFileMode());
}

namespace {

// rotate and updatekeys: the file opened with -i, the new recipients from
// -r/-R/-p and the -i identities themselves (as seal takes them).
Result<void> RunRekey(const SealedCommandOptions& options, bool rotate) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  const PassphraseSource passphrases(options.passphrase_file);
  RecipientOptions to = options.to;
  to.identity_files = options.identity_files;
  TRESOR_ASSIGN_OR_RETURN(auto recipients, CollectRecipients(to, passphrases));
  auto rekeyed = rotate ? file.Rotate(Pointers(recipients)) : file.UpdateKeys(Pointers(recipients));
  TRESOR_RETURN_IF_ERROR(Check(rekeyed, options));
  return Emit(options, *rekeyed, true, PublicFileMode());
}

}  // namespace

Result<void> RunRotate(const SealedCommandOptions& options) { return RunRekey(options, true); }

Result<void> RunUpdateKeys(const SealedCommandOptions& options) { return RunRekey(options, false); }

}  // namespace tresor::cli
