// The root key and how it is kept: initialisation, unsealing and sealing.
//
// Init makes a random 32-byte root key and a keyring (store/keyring.h),
// stores the keyring encrypted under the root key, and then either splits
// the root key into Shamir shares (handed out once, never stored) or has a
// RootKeyWrapper keep it (auto-unseal: an age identity file, or a transit
// key on another server; the server opens it at start-up). Unsealing recovers the root key,
// opens the keyring and yields the storage barrier. A store that holds a
// seal configuration is initialised: Init refuses it, and a root key that
// does not open the keyring is an error; nothing is ever re-initialised.
//
// Outside the barrier, in plain storage: "core/seal-config" (JSON: type,
// shares, threshold; no secret), "core/keyring", for a wrapper
// "core/root-key/TYPE" (an age file, a transit ciphertext), and after a rekey
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
#include "server/seals/root_key_wrapper.h"
#include "store/barrier.h"

namespace tresor::server {

struct SealStatus {
  std::string type = "shamir";  // "shamir", "age" or "transit"
  bool initialized = false;
  bool sealed = true;
  int threshold = 0;
  int shares = 0;
  int progress = 0;  // shares given so far towards the threshold
};

struct InitResult {
  std::vector<crypto::SecretBytes> shares;  // empty when the server unseals itself
  std::shared_ptr<store::Barrier> barrier;  // the new store, unsealed
};

class Seal {
 public:
  // `wrapper`: null for Shamir shares, else what keeps the root key
  // (auto-unseal).
  Seal(std::shared_ptr<store::Storage> storage, std::shared_ptr<RootKeyWrapper> wrapper);

  Result<bool> Initialized();
  // kRefused if already initialised; kInvalidArgument unless
  // 1 <= threshold <= shares <= 255 (and threshold > 1 if shares > 1).
  // With a wrapper, shares and threshold are ignored.
  Result<InitResult> Init(int shares, int threshold);

  // Adds one share (the raw bytes). Returns the barrier once `threshold`
  // shares have come and their root key opens the keyring, null while more
  // are needed. A wrong set of shares is kIntegrity and starts over;
  // kRefused if the server unseals itself.
  Result<std::shared_ptr<store::Barrier>> AddShare(std::span<const uint8_t> share);
  void ResetProgress();
  // kIntegrity unless `shares` (a threshold of them) give the root key that
  // opens the keyring; kRefused when the server unseals itself
  // (sys/generate-root).
  Result<void> VerifyShares(std::vector<crypto::SecretBytes> shares);
  // New unseal keys, `shares` of them with `threshold`, from a threshold of
  // the current ones: a new key for the shares seals the same root key
  // (core/root-key/shamir), so nothing else changes and the old keys stop
  // opening it. kIntegrity for keys that do not open the keyring,
  // kInvalidArgument for shares and threshold Init would refuse, kRefused
  // when the server unseals itself.
  Result<std::vector<crypto::SecretBytes>> Rekey(std::vector<crypto::SecretBytes> current,
                                                 int shares, int threshold);
  // kInvalidArgument unless 1 <= threshold <= shares <= 255, with a
  // threshold above 1 when there is more than one share.
  static Result<void> CheckShares(int shares, int threshold);
  // Opens the root key with the wrapper. A stored root key that the
  // wrapper would now wrap differently (its key was rotated) is stored
  // again, wrapped anew, unless another node did so first.
  Result<std::shared_ptr<store::Barrier>> UnsealWithWrapper();

  // `sealed` is the caller's to say: the seal does not hold the barrier.
  SealStatus Status(bool sealed);
  bool unseals_itself() const { return wrapper_ != nullptr; }

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
  std::shared_ptr<RootKeyWrapper> wrapper_;
  std::mutex mutex_;
  std::vector<crypto::SecretBytes> progress_;
};

// A share is one byte longer than the root key (its x coordinate), except
// with a single share, which is the root key itself.

}  // namespace tresor::server
