#include "cli/sealed_file_io.h"

#include "cli/files.h"
#include "cli/identities.h"
#include "cli/recipients.h"
#include "runtime/config.h"

namespace tresor::cli {
namespace {

Result<const formats::Format*> ChooseFormat(const SealedCommandOptions& options) {
  if (!options.format.empty()) {
    const formats::Format* format = formats::FormatByName(options.format);
    if (format == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unknown --format " + options.format + " (ini, dotenv, json, toml, yaml)");
    }
    return format;
  }
  const formats::Format* format = formats::FormatForFile(options.file);
  if (format == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     options.file +
                         ": cannot tell the format from the file name; use --format ini, "
                         "dotenv, json, toml or yaml");
  }
  return format;
}

}  // namespace

Result<sealed::SealedFile> LoadSealedFile(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(const formats::Format* format, ChooseFormat(options));
  TRESOR_ASSIGN_OR_RETURN(std::string text, ReadTextFile(options.file, kMaxConfigFile));
  auto file = sealed::SealedFile::Load(std::move(text), *format);
  if (!file) return WithPlace(options.file, std::move(file).error());
  return std::move(*file);
}

Result<void> UnlockSealedFile(sealed::SealedFile& file, const SealedCommandOptions& options) {
  const PassphraseSource passphrases(options.passphrase_file);
  std::vector<std::string> files = options.identity_files;
  // For scripts and git's textconv and merge drivers: $TRESOR_IDENTITY_FILE.
  if (files.empty()) files = IdentityFilesFromEnvironment();
  TRESOR_ASSIGN_OR_RETURN(auto identities, LoadIdentities(files, passphrases));
  PassphrasePromptIdentity prompt(passphrases);
  std::vector<const age::Identity*> view;
  for (const auto& id : identities) view.push_back(&id);
  view.push_back(&prompt);  // asked only if the data key is passphrase-wrapped
  auto unlocked = file.Unlock(view);
  if (!unlocked) {
    Error e = std::move(unlocked).error();
    if (e.code == ErrorCode::kNoMatch && identities.empty() && !prompt.asked()) {
      e.message += " (no identity given: use -i FILE or set TRESOR_IDENTITY_FILE)";
    }
    return WithPlace(options.file, std::move(e));
  }
  if (!options.ignore_mac) {
    auto verified = file.VerifyMac();
    if (!verified) return WithPlace(options.file, std::move(verified).error());
  }
  return {};
}

}  // namespace tresor::cli
