// The root key and how it is kept: initialisation, unsealing and sealing.
//
// Init makes a random 32-byte root key and a keyring (store/keyring.h),
// stores the keyring encrypted under the root key, and then either splits
// the root key into Shamir shares (handed out once, never stored) or
// encrypts it to an age identity's recipient (auto-unseal: the server opens
// it with the identity file at start-up). Unsealing recovers the root key,
// opens the keyring and yields the storage barrier. A store that holds a
// seal configuration is initialised: Init refuses it, and a root key that
// does not open the keyring is an error; nothing is ever re-initialised.
//
// Outside the barrier, in plain storage: "core/seal-config" (JSON: type,
// shares, threshold, recipient; no secret), "core/keyring", for the age
// seal "core/root-key/age" (an age file), and after a rekey
// "core/root-key/shamir" (the root key sealed under the key the shares
// make; before any rekey the shares make the root key itself).
//
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "store/barrier.h"

namespace tresor::server {

struct SealStatus {
  std::string type = "shamir";  // "shamir" or "age"
  bool initialized = false;
  bool sealed = true;
  int threshold = 0;
  int shares = 0;
  int progress = 0;  // shares given so far towards the threshold
};

struct InitResult {
  std::vector<crypto::SecretBytes> shares;  // empty for the age seal
  std::shared_ptr<store::Barrier> barrier;  // the new store, unsealed
};

class Seal {
 public:
  // `age_identity_file`: "" for Shamir shares, else the identity file that
  // protects the root key (auto-unseal).
  Seal(std::shared_ptr<store::Storage> storage, std::string age_identity_file);

  Result<bool> Initialized();
  // kRefused if already initialised; kInvalidArgument unless
  // 1 <= threshold <= shares <= 255 (and threshold > 1 if shares > 1).
  // For the age seal, shares and threshold are ignored.
  Result<InitResult> Init(int shares, int threshold);

  // Adds one share (the raw bytes). Returns the barrier once `threshold`
  // shares have come and their root key opens the keyring, null while more
  // are needed. A wrong set of shares is kIntegrity and starts over;
  // kRefused if the server uses the age seal.
  Result<std::shared_ptr<store::Barrier>> AddShare(std::span<const uint8_t> share);
  void ResetProgress();
  // kIntegrity unless `shares` (a threshold of them) give the root key that
  // opens the keyring; kRefused for the age seal (sys/generate-root).
  Result<void> VerifyShares(std::vector<crypto::SecretBytes> shares);
  // New unseal keys, `shares` of them with `threshold`, from a threshold of
  // the current ones: a new key for the shares seals the same root key
  // (core/root-key/shamir), so nothing else changes and the old keys stop
  // opening it. kIntegrity for keys that do not open the keyring,
  // kInvalidArgument for shares and threshold Init would refuse, kRefused
  // for the age seal.
  Result<std::vector<crypto::SecretBytes>> Rekey(std::vector<crypto::SecretBytes> current,
                                                 int shares, int threshold);
  // kInvalidArgument unless 1 <= threshold <= shares <= 255, with a
  // threshold above 1 when there is more than one share.
  static Result<void> CheckShares(int shares, int threshold);
  // Opens the root key with the age identity file.
  Result<std::shared_ptr<store::Barrier>> UnsealWithAge();

  // `sealed` is the caller's to say: the seal does not hold the barrier.
  SealStatus Status(bool sealed);
  const std::string& age_identity_file() const { return age_identity_file_; }

 private:
  struct Config {
    std::string type;
    int shares = 0;
    int threshold = 0;
  };
  Result<std::optional<Config>> LoadConfig();
  Result<std::shared_ptr<store::Barrier>> OpenWithRootKey(const crypto::SecretBytes& root_key);
  Result<std::shared_ptr<store::Barrier>> OpenWithShares(const Config& config,
                                                         std::vector<crypto::SecretBytes> given);
  // What a threshold of shares make: the root key, or (after a rekey) the
  // key that opens it. kIntegrity if they open nothing.
  Result<crypto::SecretBytes> RootKeyFromShares(const Config& config,
                                                std::vector<crypto::SecretBytes> given);
  // kRefused unless `given` holds a threshold of keys, kInvalidArgument for
  // one of the wrong length.
  static Result<void> CheckGiven(const Config& config,
                                 const std::vector<crypto::SecretBytes>& given);

  std::shared_ptr<store::Storage> storage_;
  std::string age_identity_file_;
  std::mutex mutex_;
  std::vector<crypto::SecretBytes> progress_;
};

// The root key's size; a share is one byte longer (its x coordinate),
// except with a single share, which is the root key itself.
inline constexpr size_t kRootKeySize = 32;

}  // namespace tresor::server
