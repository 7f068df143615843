// The transit secrets engine of one mount (Vault's `transit/`): named keys
// under "keys/NAME", and encrypt, decrypt, rewrap, datakey, hmac and verify
// with them. Keys are records behind the barrier at PREFIX "k/" NAME,
// cached in memory after one read and changed only by a transaction on the
// revision they were read at, so nodes of a cluster never overwrite each
// other's rotations. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "http/request.h"
#include "http/response.h"
#include "server/transit/key.h"
#include "store/barrier.h"

namespace tresor::server::transit {

class Transit {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds
  // `prefix` is the mount's storage prefix ("transit/transit/").
  Transit(store::Barrier& barrier, std::string prefix, Clock now = nullptr);

  // A request for the mount's path `rest` ("encrypt/NAME"), authorised.
  http::Response Handle(const http::Request& request, const std::string& rest, const Json& body);
  // Whether a write to `rest` creates a key (its capability is then
  // create, else update): encrypt and keys/NAME of a key that is absent.
  Result<bool> Creates(const std::string& rest);
  // Another node changed the record at `rest` (after the prefix) at
  // `revision`: the cached key is read again when next used.
  void Changed(const std::string& rest, uint64_t revision);
  // Refuses every later change (the mount is going).
  void Close();

 private:
  struct Cached {
    std::shared_ptr<const TransitKey> key;
    uint64_t revision = 0;
  };
  // The key `name`, null if absent; storage errors as they are.
  Result<std::shared_ptr<const TransitKey>> Get(const std::string& name);
  // Reads the key afresh, lets `change` edit it (a null pointer: absent;
  // setting it creates, resetting it deletes), and stores the result on
  // the revision read; read again and retried if another node got there
  // first. Returns the key as stored (null if deleted).
  using Edit = std::function<Result<void>(std::unique_ptr<TransitKey>& key)>;
  Result<std::shared_ptr<const TransitKey>> Change(const std::string& name, const Edit& change);

  // The key `name` in `key`, or the answer when it cannot be had (400
  // "encryption key not found", 500 for storage).
  std::optional<http::Response> Existing(const std::string& name,
                                         std::shared_ptr<const TransitKey>* key);
  http::Response Keys(const http::Request& request, const std::string& rest, const Json& body);
  http::Response Configure(const std::string& name, const Json& body);
  // keys/NAME/trim: the versions below min_available_version deleted for
  // good (it may not pass min_decryption_version or min_encryption_version).
  http::Response Trim(const std::string& name, const Json& body);
  http::Response Encrypt(const std::string& name, const Json& body);
  http::Response Decrypt(const std::string& name, const Json& body);
  http::Response Rewrap(const std::string& name, const Json& body);
  http::Response DataKey(const std::string& kind, const std::string& name, const Json& body);
  http::Response Hmac(const std::string& name, const std::string& algorithm, const Json& body);
  // HMACs, or signatures of a signing key.
  http::Response Verify(const std::string& name, const std::string& algorithm, const Json& body);
  // sign/NAME[/HASH] with an ed25519 key (the hash is Ed25519's own) or an
  // ecdsa-p256 key (the hash of the input is signed).
  http::Response Sign(const std::string& name, const std::string& algorithm, const Json& body);
  // sign's and verify's settings for a signing key: the hash (from the path
  // or hash_algorithm), prehashed, and marshaling_algorithm (asn1 only);
  // a 400 for what tresor does not do.
  static std::optional<http::Response> SigningOptions(const TransitKey& key,
                                                      const std::string& algorithm,
                                                      const Json& body, SignOptions* options);

  store::Barrier& barrier_;
  std::string prefix_;
  Clock now_;
  std::shared_mutex mutex_;
  std::map<std::string, Cached> keys_;
  bool closed_ = false;
};

// A key name Vault would take: letters, digits, '-', '_', '.', at most 128.
bool ValidKeyName(const std::string& name);

}  // namespace tresor::server::transit
