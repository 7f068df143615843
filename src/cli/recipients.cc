#include "cli/recipients.h"

#include "age/key_files.h"
#include "age/plugin.h"
#include "age/scrypt.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "keys/keyring.h"
#include "runtime/server_keys.h"

namespace tresor::cli {
namespace {

constexpr size_t kMaxRecipientsFile = 16 << 20;

Result<age::X25519Recipient> KeyringRecipient(const keys::KeyringEntry& key) {
  auto r = age::X25519Recipient::Parse(key.recipient);
  if (!r) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "key " + key.name + ": no recipient recorded in " + key.name + ".pub");
  }
  return r;
}

}  // namespace

Result<std::vector<age::Stanza>> PromptedScryptRecipient::Wrap(
    const crypto::SecretBytes& file_key) const {
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, passphrases_.Get(prompt_, true));
  const int log_n = passphrases_.work_factor();
  return age::ScryptRecipient(std::move(passphrase), log_n > 0 ? log_n : age::kDefaultScryptLogN)
      .Wrap(file_key);
}

Result<std::unique_ptr<age::Recipient>> ParseRecipient(std::string_view text,
                                                       const PassphraseSource* passphrases,
                                                       const std::string& group) {
  if (text == "scrypt") {
    if (passphrases == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "scrypt: a passphrase recipient is for a group (rules), or -p");
    }
    return std::unique_ptr<age::Recipient>(std::make_unique<PromptedScryptRecipient>(
        *passphrases, "Enter a new passphrase for group " + group));
  }
  if (runtime::IsServerKeyName(text)) {
    TRESOR_ASSIGN_OR_RETURN(auto r, runtime::ServerKeyRecipient::Parse(text));
    return std::unique_ptr<age::Recipient>(std::make_unique<runtime::ServerKeyRecipient>(r));
  }
  if (age::PluginRecipientName(text)) {
    TRESOR_ASSIGN_OR_RETURN(auto r, age::PluginRecipient::Parse(text));
    return std::unique_ptr<age::Recipient>(std::make_unique<age::PluginRecipient>(std::move(r)));
  }
  TRESOR_ASSIGN_OR_RETURN(auto r, age::X25519Recipient::Parse(text));
  return std::unique_ptr<age::Recipient>(std::make_unique<age::X25519Recipient>(r));
}

Result<std::vector<std::unique_ptr<age::Recipient>>> CollectRecipients(
    const RecipientOptions& options, const PassphraseSource& passphrases) {
  if (options.work_factor != 0 &&
      (options.work_factor < 1 || options.work_factor > age::kMaxScryptLogN)) {
    return MakeError(ErrorCode::kInvalidArgument, "--work-factor must be between 1 and 22");
  }
  std::vector<std::unique_ptr<age::Recipient>> out;
  for (const std::string& text : options.recipients) {
    TRESOR_ASSIGN_OR_RETURN(auto r, ParseRecipient(text));
    out.push_back(std::move(r));
  }
  for (const std::string& path : options.recipient_files) {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content, ReadSecretFile(path, kMaxRecipientsFile));
    std::string_view text(reinterpret_cast<const char*>(content.Reveal().data()), content.size());
    auto parsed = age::ParseRecipientsFile(text);
    if (!parsed) return WithPlace(path, parsed.error());
    for (auto& r : *parsed) out.push_back(std::move(r));
  }
  for (const std::string& path : options.identity_files) {
    TRESOR_ASSIGN_OR_RETURN(auto ids, LoadIdentityFile(path, passphrases));
    for (const auto& id : ids)
      out.push_back(std::make_unique<age::X25519Recipient>(id.ToRecipient()));
  }
  if (!options.key_name.empty()) {
    TRESOR_ASSIGN_OR_RETURN(keys::KeyringEntry key,
                            keys::Keyring::Default().Find(options.key_name));
    TRESOR_ASSIGN_OR_RETURN(auto r, KeyringRecipient(key));
    out.push_back(std::make_unique<age::X25519Recipient>(r));
  }
  if (options.passphrase) {
    if (!out.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "-p cannot be combined with -r, -R or -i");
    }
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase,
                            passphrases.Get("Enter passphrase", true));
    out.push_back(std::make_unique<age::ScryptRecipient>(
        std::move(passphrase),
        options.work_factor > 0 ? options.work_factor : age::kDefaultScryptLogN));
  }
  if (out.empty()) {
    // The keyring's default key, as a user who made one expects.
    const keys::Keyring keyring = keys::Keyring::Default();
    const std::string name = keyring.DefaultName();
    if (name.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "no recipients: give -r RECIPIENT, -R FILE, -i FILE, --key NAME or -p");
    }
    TRESOR_ASSIGN_OR_RETURN(keys::KeyringEntry key, keyring.Find(name));
    TRESOR_ASSIGN_OR_RETURN(auto r, KeyringRecipient(key));
    out.push_back(std::make_unique<age::X25519Recipient>(r));
  }
  return out;
}

}  // namespace tresor::cli
