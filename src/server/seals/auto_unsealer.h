// Keeps trying to unseal a server whose seal unseals it by itself (age,
// transit) but could not at start: its transit server was down, or its
// store was not initialised yet (another node of a cluster may do it). It
// stops for good once the server has been unsealed, so that a server
// sealed by sys/seal stays sealed.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "crypto/result.h"
#include "server/ticker.h"

namespace tresor::server {

class Api;

// An error that may pass by itself: what holds the key cannot be reached,
// or answers that it cannot serve now.
bool Transient(const ::tresor::Error& error);

// At start: unseals if the store is initialised. A transient failure is
// the reason the server stays sealed for now; "" if it is unsealed or not
// initialised. Other failures are errors.
Result<std::string> UnsealAtStart(Api& api);

class AutoUnsealer {
 public:
  using Log = std::function<void(const std::string& message, const std::string& error)>;
  // Tries every `period`; `log` hears each new reason for still being sealed.
  AutoUnsealer(std::shared_ptr<Api> api, std::chrono::milliseconds period, Log log);

 private:
  void Try();

  std::shared_ptr<Api> api_;
  Log log_;
  std::atomic<bool> done_{false};
  std::string last_error_;
  Ticker ticker_;  // last: started once the rest is there, stopped first
};

}  // namespace tresor::server
