// Unseal keys collected towards a quorum, for the attempts that need one
// (sys/generate-root, sys/rekey): each attempt has a random nonce that
// every key must name, and each key counts once. Not thread-safe: the
// attempt that owns it locks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::server {

class KeyQuorum {
 public:
  // `what`: the attempt, as errors name it ("root generation", "rekey").
  explicit KeyQuorum(std::string what) : what_(std::move(what)) {}

  // A new attempt with a new nonce, no keys yet.
  void Start();
  void Cancel();
  bool started() const { return started_; }
  const std::string& nonce() const { return nonce_; }
  int progress() const { return static_cast<int>(keys_.size()); }

  // Adds `key` to the attempt `nonce`. kInvalidArgument without an attempt,
  // for another nonce or a key given before. Once `required` keys have come
  // they are handed over (the attempt stays started: its owner ends it).
  Result<std::optional<std::vector<crypto::SecretBytes>>> Add(const std::string& nonce,
                                                              crypto::SecretBytes key,
                                                              int required);

 private:
  std::string what_;
  bool started_ = false;
  std::string nonce_;
  std::vector<crypto::SecretBytes> keys_;
};

}  // namespace tresor::server
