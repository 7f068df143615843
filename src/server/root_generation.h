// sys/generate-root: a new root token from a quorum of unseal keys, for a
// lost root token (never by re-initialising). Vault's one-time-pad flow:
// the attempt gives a random OTP as long as a token; once enough keys have
// come, the token is answered XORed with the OTP (base64), so only whoever
// started the attempt can read it. Only one attempt at a time. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "server/key_quorum.h"

namespace tresor::server {

struct RootGenerationStatus {
  bool started = false;
  std::string nonce;
  int progress = 0;
  int required = 0;
  bool complete = false;
  std::string encoded_token;  // when complete: base64(token XOR otp)
  std::string otp;            // only in the answer that started the attempt
};

class RootGeneration {
 public:
  // The length of a token, and so of the OTP.
  static constexpr size_t kOtpLength = 35;

  // Starts an attempt; kInvalidArgument if one is in progress.
  Result<RootGenerationStatus> Start(int required);
  RootGenerationStatus Status(int required) const;
  void Cancel();
  // Adds one unseal key to attempt `nonce`. When `required` keys have come,
  // `finish` checks them and makes the token (an error ends the attempt:
  // start again), which the answer carries XORed with the OTP.
  Result<RootGenerationStatus> Add(
      const std::string& nonce, crypto::SecretBytes key, int required,
      const std::function<Result<std::string>(std::vector<crypto::SecretBytes>)>& finish);

  // The token from `encoded` and `otp` (what the CLI does at the end).
  static Result<std::string> Decode(const std::string& encoded, const std::string& otp);

 private:
  RootGenerationStatus StatusLocked(int required) const;

  mutable std::mutex mutex_;
  KeyQuorum quorum_{"root generation"};
  std::string otp_;
  std::string encoded_;  // set once complete
};

}  // namespace tresor::server
