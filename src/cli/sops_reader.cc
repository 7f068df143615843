#include "cli/sops_reader.h"

#include <unistd.h>

#include <cstdlib>

#include "age/encrypt.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/sealed_file_io.h"

namespace tresor::cli {
namespace {

// sops's default key file: os.UserConfigDir()/sops/age/keys.txt.
std::string DefaultSopsKeyFile() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/sops/age/keys.txt";
  }
  const char* home = std::getenv("HOME");
  return home == nullptr ? "" : std::string(home) + "/.config/sops/age/keys.txt";
}

Result<void> AddIdentities(std::vector<age::X25519Identity>& out, const crypto::SecretBytes& bytes,
                           const std::string& name, const PassphraseSource& passphrases) {
  TRESOR_ASSIGN_OR_RETURN(auto parsed, ParseIdentityBytes(bytes, name, passphrases));
  for (auto& id : parsed) out.push_back(std::move(id));
  return {};
}

// The identities of sops's own sources; a missing default file is no error.
Result<std::vector<age::X25519Identity>> SopsIdentities(const PassphraseSource& passphrases) {
  std::vector<age::X25519Identity> out;
  if (const char* key = std::getenv("SOPS_AGE_KEY"); key != nullptr && *key != '\0') {
    const std::string_view text(key);
    TRESOR_RETURN_IF_ERROR(AddIdentities(out, crypto::SecretBytes::CopyOf(crypto::AsBytes(text)),
                                         "SOPS_AGE_KEY", passphrases));
  }
  if (const char* file = std::getenv("SOPS_AGE_KEY_FILE"); file != nullptr && *file != '\0') {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes bytes, ReadSecretFile(file, 1 << 20));
    TRESOR_RETURN_IF_ERROR(AddIdentities(out, bytes, file, passphrases));
  }
  const std::string fallback = DefaultSopsKeyFile();
  if (!fallback.empty() && ::access(fallback.c_str(), F_OK) == 0) {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes bytes, ReadSecretFile(fallback, 1 << 20));
    TRESOR_RETURN_IF_ERROR(AddIdentities(out, bytes, fallback, passphrases));
  }
  return out;
}

}  // namespace

Result<sops::Opened> ReadSopsFile(const SopsReadOptions& options, sops::InputType* type_out) {
  sops::InputType type = sops::InputTypeForFile(options.file);
  if (!options.input_type.empty()) {
    TRESOR_ASSIGN_OR_RETURN(type, sops::InputTypeByName(options.input_type));
  }
  if (type_out != nullptr) *type_out = type;
  TRESOR_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(options.file, kMaxConfigFile));

  const PassphraseSource passphrases(options.passphrase_file);
  std::vector<age::X25519Identity> sops_ids;
  if (options.identity_files.empty() && options.key_name.empty()) {
    auto found = SopsIdentities(passphrases);
    if (!found) return WithPlace(options.file, std::move(found).error());
    sops_ids = std::move(*found);
  }
  TRESOR_ASSIGN_OR_RETURN(keys::KeyChain keys,
                          DiscoverKeys(options.identity_files, options.key_name, passphrases));
  std::vector<const age::Identity*> view;
  for (const auto& id : sops_ids) view.push_back(&id);
  for (const age::Identity* id : keys.identities()) view.push_back(id);

  const sops::Unwrap unwrap = [&](const sops::AgeKey& key,
                                  size_t size) -> Result<crypto::SecretBytes> {
    age::SpanSource in(key.enc);
    age::FixedSecretSink out(size, "the key wrapped for " + key.recipient + " is not " +
                                       std::to_string(size) + " bytes");
    TRESOR_RETURN_IF_ERROR(age::Decrypt(view, in, out));
    return out.Take();
  };
  auto opened = sops::Open(type, text, unwrap, {.verify_mac = !options.ignore_mac});
  if (!opened) {
    Error e = std::move(opened).error();
    if (e.code == ErrorCode::kNoMatch) {
      if (options.identity_files.empty() && options.key_name.empty()) {
        e.message += "; sops's places for keys: $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, " +
                     DefaultSopsKeyFile() + (sops_ids.empty() ? " (none set or present)" : "");
      }
      e = keys.Explain(std::move(e));
    }
    return WithPlace(options.file, std::move(e));
  }
  return opened;
}

}  // namespace tresor::cli
