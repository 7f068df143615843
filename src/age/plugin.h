// age plugins (C2SP age-plugin): recipients "age1NAME1..." and identities
// "AGE-PLUGIN-NAME-1..." are handed to the program age-plugin-NAME found in
// PATH, which wraps or unwraps file keys over the recipient-v1 and
// identity-v1 state machines on its stdin and stdout. Hardware keys
// (YubiKey, TPM, Secure Enclave) work this way with age, sops and tresor.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "age/recipient.h"

namespace tresor::age {

// What a plugin may ask of the user, by plugin name. Each answers nullopt
// (or false) when it cannot: the plugin is then told "fail".
struct PluginUi {
  std::function<bool(const std::string& plugin, const std::string& message)> message;
  // A secret (PIN) or public value typed by the user.
  std::function<std::optional<crypto::SecretBytes>(const std::string& plugin,
                                                   const std::string& prompt, bool secret)>
      request;
  // Yes (true) or no (false) between two labelled choices; `no` may be "".
  std::function<std::optional<bool>(const std::string& plugin, const std::string& message,
                                    const std::string& yes, const std::string& no)>
      confirm;
};

// Messages to stderr, nothing asked.
const PluginUi& DefaultPluginUi();

// The plugin name of a recipient ("age1yubikey1..." -> "yubikey"), or
// nullopt if `text` is not a plugin recipient.
std::optional<std::string> PluginRecipientName(std::string_view text);

class PluginRecipient : public Recipient {
 public:
  // kInvalidArgument unless `text` is a valid plugin recipient. `ui` must
  // outlive the recipient (default: DefaultPluginUi()).
  static Result<PluginRecipient> Parse(std::string_view text, const PluginUi* ui = nullptr);
  Result<std::vector<Stanza>> Wrap(const crypto::SecretBytes& file_key) const override;
  std::string Name() const override { return text_; }
  const std::string& plugin() const { return plugin_; }

 private:
  PluginRecipient(std::string text, std::string plugin, const PluginUi* ui)
      : text_(std::move(text)), plugin_(std::move(plugin)), ui_(ui) {}
  std::string text_;
  std::string plugin_;
  const PluginUi* ui_;
};

class PluginIdentity : public Identity {
 public:
  // kInvalidArgument unless `text` is "AGE-PLUGIN-NAME-1..." (never echoed).
  static Result<PluginIdentity> Parse(std::string_view text, const PluginUi* ui = nullptr);
  // The file key if the plugin unwraps one of `stanzas`. A plugin that
  // fails or reports an error for its identity is no match (its message
  // goes to the UI); one that reports a malformed stanza is kHeader.
  Result<std::optional<crypto::SecretBytes>> Unwrap(std::span<const Stanza> stanzas) const override;
  const std::string& plugin() const { return plugin_; }

 private:
  PluginIdentity(crypto::SecretBytes text, std::string plugin, const PluginUi* ui)
      : text_(std::move(text)), plugin_(std::move(plugin)), ui_(ui) {}
  crypto::SecretBytes text_;  // may hold key material: kept in secret memory
  std::string plugin_;
  const PluginUi* ui_;
};

}  // namespace tresor::age
