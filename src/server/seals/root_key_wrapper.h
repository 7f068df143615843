// What keeps the root key when the server unseals itself: an age identity
// file, or a transit key on another tresor or Vault server (Vault's
// "transit" seal). Seal (server/seal.h) stores what Wrap makes at
// "core/root-key/TYPE" and gives it back to Unwrap at every start.
//
// Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "store/storage.h"

namespace tresor::server {

// The root key's size.
inline constexpr size_t kRootKeySize = 32;

class RootKeyWrapper {
 public:
  virtual ~RootKeyWrapper() = default;
  // "age" or "transit": the seal type that seal-status reports and that
  // names the stored root key.
  virtual const std::string& type() const = 0;
  virtual Result<store::Bytes> Wrap(const crypto::SecretBytes& root_key) = 0;
  // kIntegrity (or kNoMatch) if this wrapper's key does not open `wrapped`;
  // kUnavailable or kIo if what holds the key cannot be reached now.
  virtual Result<crypto::SecretBytes> Unwrap(std::span<const uint8_t> wrapped) = 0;
  // `wrapped` under the wrapper's newest key if that key has changed since
  // (a rotated transit key), nullopt if it has not.
  virtual Result<std::optional<store::Bytes>> Rewrap(std::span<const uint8_t> wrapped) {
    (void)wrapped;
    return std::optional<store::Bytes>();
  }
};

// The root key as an age file to the identity file's first identity.
std::shared_ptr<RootKeyWrapper> AgeRootKeyWrapper(std::string identity_file);

struct TransitSealSettings {
  std::string address;  // https://HOST:PORT of the server that holds the key
  std::string mount_path = "transit";
  std::string key_name;
  std::string token_file;  // a token allowed encrypt, decrypt and rewrap with the key
  std::string ca_file;     // "" : the system's CA certificates
};

// The root key encrypted by `transit/encrypt/KEY` on another server, and
// opened by its `decrypt` (Vault's transit seal).
std::shared_ptr<RootKeyWrapper> TransitRootKeyWrapper(TransitSealSettings settings);

}  // namespace tresor::server
