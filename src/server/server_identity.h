// The server's own age identity (docs/workloads.md). Created once per store
// and kept behind the barrier; its recipient is public, so anyone can
// encrypt a value to the server offline and hand the ciphertext to someone
// who may write it but never read it back: the server opens it on write.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "age/x25519.h"
#include "store/barrier.h"

namespace tresor::server {

// Where the identity is stored ("AGE-SECRET-KEY-1...", sealed).
inline constexpr char kServerIdentityPath[] = "core/age-identity";

class ServerIdentity {
 public:
  // The store's identity; one is created if it has none, in a transaction
  // that adds it only if it is still absent, so nodes unsealing at once
  // agree on one. Waits until the new identity is durable (nobody may
  // encrypt to one that a crash would lose).
  static Result<ServerIdentity> LoadOrCreate(store::Barrier& barrier);

  const std::string& recipient() const { return recipient_; }

  // The plaintext of `ciphertext`: an armored age file, or the standard
  // base64 of a binary one on one line (what `tresor kv encrypt-value`
  // prints). kInvalidArgument saying why it does not open: not age, not
  // for this server, tampered, truncated.
  Result<std::string> Open(std::string_view ciphertext) const;

 private:
  ServerIdentity(std::shared_ptr<const age::X25519Identity> identity, std::string recipient)
      : identity_(std::move(identity)), recipient_(std::move(recipient)) {}

  std::shared_ptr<const age::X25519Identity> identity_;
  std::string recipient_;
};

}  // namespace tresor::server
