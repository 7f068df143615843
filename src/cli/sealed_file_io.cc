#include "cli/sealed_file_io.h"

#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "runtime/server_keys.h"
#include "sealed/codec.h"
#include "sealed/text_edits.h"

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
  // The header names every group's recipients: keys it names are tried
  // first, and protected keys it does not name are not asked for.
  std::vector<std::string> listed;
  for (const sealed::HeaderGroup& g : file.header_groups()) {
    listed.insert(listed.end(), g.recipients.begin(), g.recipients.end());
  }
  TRESOR_ASSIGN_OR_RETURN(
      keys::KeyChain keys,
      DiscoverKeys(options.identity_files, options.key_name, passphrases, std::move(listed)));
  PassphrasePromptIdentity prompt(passphrases, /*per_group=*/true);
  std::vector<const age::Identity*> view = keys.identities();
  runtime::ServerKeyIdentity server;  // asks the server only for tresor: stanzas
  if (runtime::NeedsServerKeys(file)) view.push_back(&server);
  view.push_back(&prompt);  // asked only if the data key is passphrase-wrapped
  auto unlocked = file.Unlock(view);
  if (!unlocked) {
    Error e = std::move(unlocked).error();
    if (!prompt.asked()) e = keys.Explain(std::move(e));
    if (e.code == ErrorCode::kNoMatch && !prompt.note().empty()) e.message += "; " + prompt.note();
    return WithPlace(options.file, runtime::WithServerReasons(std::move(e), server));
  }
  if (!options.ignore_mac) {
    auto verified = file.VerifyMac();
    if (!verified) return WithPlace(options.file, std::move(verified).error());
  }
  return {};
}

Census TakeCensus(const sealed::SealedFile& file) {
  Census census;
  for (const formats::Value& v : file.document().values) {
    const std::string decoded = file.format().Decode(sealed::Text(file.text(), v.literal), v.type);
    if (const auto peek = sealed::PeekToken(decoded)) {
      Census::Group& group = census.groups[std::string(peek->group)];
      group.paths.push_back(v.path);
      if (peek->is_public) ++group.unadopted;
    } else {
      census.plaintext.push_back(v.path);
    }
  }
  return census;
}

void PrintSealSummary(const std::string& file, const formats::Format& format,
                      const std::string& sealed_text) {
  auto reread = sealed::SealedFile::Load(sealed_text, format);
  if (!reread) return;
  const Census census = TakeCensus(*reread);
  std::string line = "tresor: " + file + ": sealed";
  size_t total = 0;
  for (const sealed::HeaderGroup& g : reread->header_groups()) {
    const auto it = census.groups.find(g.name);
    const size_t n = it == census.groups.end() ? 0 : it->second.paths.size();
    total += n;
    line += (total == n ? " " : "; ") + std::to_string(n) + (n == 1 ? " value" : " values") +
            " in group " + g.name + " for " + Join(g.recipients, ", ");
  }
  const size_t plain = census.plaintext.size();
  line +=
      "; " + std::to_string(plain) + (plain == 1 ? " value" : " values") + " left in plaintext\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace tresor::cli
