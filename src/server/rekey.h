// sys/rekey: new unseal keys, another number of them and another threshold,
// from a quorum of the current ones (seal.h's Rekey). Vault's flow: init
// names the new shares and threshold and gives a nonce; each update adds one
// current key with it; the answer to the last carries the new keys, once,
// and ends the attempt. One attempt at a time. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "server/key_quorum.h"

namespace tresor::server {

struct RekeyStatus {
  bool started = false;
  std::string nonce;
  int shares = 0;     // the new keys' number (Vault's "n")
  int threshold = 0;  // and threshold ("t")
  int progress = 0;
  int required = 0;  // current keys needed
  bool complete = false;
  std::vector<std::string> keys_hex;  // when complete
  std::vector<std::string> keys_base64;
};

class Rekey {
 public:
  // Starts an attempt; kInvalidArgument if one is in progress.
  Result<RekeyStatus> Start(int shares, int threshold, int required);
  RekeyStatus Status(int required) const;
  void Cancel();
  // Adds one current unseal key to attempt `nonce`. When `required` have
  // come, `finish` makes the new keys from them (an error ends the attempt:
  // start again), which the answer carries.
  using Finish = std::function<Result<std::vector<crypto::SecretBytes>>(
      std::vector<crypto::SecretBytes> current, int shares, int threshold)>;
  Result<RekeyStatus> Add(const std::string& nonce, crypto::SecretBytes key, int required,
                          const Finish& finish);

 private:
  RekeyStatus StatusLocked(int required) const;

  mutable std::mutex mutex_;
  KeyQuorum quorum_{"rekey"};
  int shares_ = 0;
  int threshold_ = 0;
};

}  // namespace tresor::server
