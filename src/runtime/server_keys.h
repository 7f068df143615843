// Sealed-file groups whose data key the server holds: the recipient
// "tresor:NAME" (or "tresor:MOUNT/NAME") wraps a group's key with the
// server's transit key NAME (mount "transit" unless named), and a reader
// whose token may decrypt with that key opens the group with no private
// key on its host. Deleting the key on the server (tresor transit delete)
// makes every such group unreadable at once.
//
// The stanza is "-> tresor MOUNT NAME" with the transit ciphertext
// ("vault:vN:...") as its body.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "age/recipient.h"
#include "runtime/store_reader.h"
#include "sealed/sealed_file.h"

namespace tresor::runtime {

inline constexpr std::string_view kServerKeyPrefix = "tresor:";
inline constexpr std::string_view kServerKeyStanza = "tresor";

bool IsServerKeyName(std::string_view recipient);

class ServerKeyRecipient : public age::Recipient {
 public:
  // "tresor:NAME" or "tresor:MOUNT/NAME"; kInvalidArgument otherwise.
  static Result<ServerKeyRecipient> Parse(std::string_view name, ServerOptions server = {});
  // Asks the server to encrypt the file key: kRefused, kNotFound (no such
  // key), kUnavailable or kIo with the server's reason.
  Result<std::vector<age::Stanza>> Wrap(const crypto::SecretBytes& file_key) const override;
  std::string Name() const override;

 private:
  ServerKeyRecipient(std::string mount, std::string key, ServerOptions server)
      : mount_(std::move(mount)), key_(std::move(key)), server_(std::move(server)) {}
  std::string mount_;
  std::string key_;
  ServerOptions server_;
};

// Asks the server to decrypt "tresor" stanzas, signing in on first use.
// A stanza the server will not open (no such key, a token without access,
// a server out of reach) is no match: the group stays closed, and why is
// kept for messages (reasons()).
class ServerKeyIdentity : public age::Identity {
 public:
  explicit ServerKeyIdentity(ServerOptions server = {}) : server_(std::move(server)) {}
  Result<std::optional<crypto::SecretBytes>> Unwrap(
      std::span<const age::Stanza> stanzas) const override;
  const std::vector<std::string>& reasons() const { return reasons_; }

 private:
  ServerOptions server_;
  mutable std::optional<ServerSession> session_;
  mutable std::vector<std::string> reasons_;
};

// True if the file's header lists a "tresor:" recipient in any group.
bool NeedsServerKeys(const sealed::SealedFile& file);

// `error` (a group no identity opened) with why the server did not open
// the groups it holds, if it was asked.
Error WithServerReasons(Error error, const ServerKeyIdentity& server);

}  // namespace tresor::runtime
