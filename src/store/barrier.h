// The storage barrier: every record the server stores passes through here
// and is encrypted with the keyring's active key (XChaCha20-Poly1305, a
// random nonce per record) with its storage key as associated data, so a
// record copied to another key, or changed, no longer opens. Keys (paths)
// are stored as they are; values, tokens and passwords only encrypted.
//
// A stored record: 0x01, the key term (4 bytes, big-endian), nonce,
// ciphertext, tag.
//
// Rotation adds a term to the keyring (stored under the root key, with a
// condition on the stored keyring's revision, so two nodes rotating at
// once cannot lose a key); every barrier on the store adopts the new
// keyring from the watch, or on meeting a record of a term it does not
// know yet (a remote store's record read before the watch brought it).
//
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "store/keyring.h"
#include "store/local_writes.h"
#include "store/storage.h"

namespace tresor::store {

class Barrier {
 public:
  // `root_key` (which sealed `keyring`) is needed only to rotate and to
  // adopt other nodes' rotations.
  // At most `max_keys` keys are kept (rotations past it are refused).
  Barrier(std::shared_ptr<Storage> storage, Keyring keyring, crypto::SecretBytes root_key = {},
          size_t max_keys = kMaxKeys);

  // The plaintext at `key`, nothing if absent. kIntegrity if the record
  // does not open (another key's record, or modified).
  Result<std::optional<crypto::SecretBytes>> Get(const std::string& key);
  // The plaintext at `key` and the revision that last changed it.
  struct Opened {
    crypto::SecretBytes plaintext;
    uint64_t revision = 0;
  };
  Result<std::optional<Opened>> Read(const std::string& key);
  Result<std::vector<std::string>> Keys(const std::string& prefix);
  Result<void> Scan(const std::string& prefix,
                    const std::function<bool(const std::string&, crypto::SecretBytes)>& visit);

  // Encrypts and submits (see Storage::Submit); notes the batch for the
  // current request (store/pending_writes.h). Returns the batch number.
  Result<uint64_t> Put(const std::string& key, std::span<const uint8_t> plaintext);
  Result<uint64_t> Delete(const std::string& key);

  // `plaintext` sealed for `key`, as a change for Apply.
  Write Seal(const std::string& key, std::span<const uint8_t> plaintext) const;
  // Submits several changes (sealed ones, and deletions: value nullopt) as
  // one batch, stored all together or not at all.
  Result<uint64_t> Apply(std::vector<Write> writes);
  // The same, only if every condition holds (Storage::Transact); the
  // result says whether it did.
  Result<TxnResult> ApplyIf(std::vector<Condition> conditions, std::vector<Write> writes);

  // The plaintext of a stored `record` at `key` (as a watch delivers it).
  Result<crypto::SecretBytes> Open(const std::string& key, const Bytes& record) const;

  // The keys written through this barrier and their revisions, until the
  // watch brings them back (store/local_writes.h).
  LocalWrites& local_writes() { return local_writes_; }

  Storage& storage() { return *storage_; }
  std::shared_ptr<const Keyring> keyring() const;

  // Adds a key to the keyring, active from `now` (Unix seconds) for the
  // records written after it; returns the new term. Another node's
  // rotation at the same moment is added to, not lost. kRefused without the
  // root key.
  Result<uint32_t> Rotate(int64_t now);
  static constexpr size_t kMaxKeys = 1024;
  // Adopts the keyring stored as `sealed` (a change the watch delivers)
  // if it is newer than the one in use.
  Result<void> Adopt(std::span<const uint8_t> sealed);

 private:
  // Reads the stored keyring and adopts it; false if it is no newer.
  bool Reload() const;
  void AdoptLocked(Keyring keyring) const;

  std::shared_ptr<Storage> storage_;
  const crypto::SecretBytes root_key_;
  const size_t max_keys_;
  mutable std::mutex keyring_mutex_;
  mutable std::shared_ptr<const Keyring> keyring_;
  LocalWrites local_writes_;
};

}  // namespace tresor::store
