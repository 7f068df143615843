// Limits on password logins, so that guessing is slow and a flood from one
// place cannot crowd out everyone else:
//   - per user (Vault's user_lockout_config defaults): after
//     `lockout_threshold` failed logins, counted until `counter_reset` passes
//     without one, the user is locked out for `lockout_duration`. Names
//     that are not users are counted the same way, so a lockout says
//     nothing about whether a user exists.
//   - per client address: a token bucket of `address_burst` attempts,
//     refilled at `address_rate` a second.
// At most `max_tracked` users and addresses are remembered; when full, the
// ones seen longest ago are forgotten. Time comes from `now_ms` (tests
// pass their own clock). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tresor::server {

struct LoginThrottleOptions {
  int lockout_threshold = 5;
  int64_t lockout_duration_ms = 15 * 60 * 1000;
  int64_t counter_reset_ms = 15 * 60 * 1000;
  double address_rate = 5;    // attempts a second
  double address_burst = 20;  // attempts at once
  size_t max_tracked = 100000;
};

class LoginThrottle {
 public:
  enum class Verdict { kAllowed, kUserLockedOut, kAddressLimited };

  explicit LoginThrottle(LoginThrottleOptions options = {},
                         std::function<int64_t()> now_ms = nullptr);

  // Whether a login attempt for `user` from `address` may go ahead; an
  // allowed one takes one of the address's tokens.
  Verdict Admit(const std::string& user, const std::string& address);
  // The attempt's outcome: a failure counts towards the user's lockout, a
  // success clears the count.
  void Failed(const std::string& user);
  void Succeeded(const std::string& user);

 private:
  struct UserState {
    int failures = 0;
    int64_t last_failure = 0;
    int64_t locked_until = 0;
  };
  struct AddressState {
    double tokens = 0;
    int64_t refilled = 0;
    bool seen = false;
  };
  // A map that forgets its least recently touched entry past `max`.
  template <typename State>
  struct Recent {
    std::unordered_map<std::string, std::pair<State, std::list<std::string>::iterator>> map;
    std::list<std::string> order;  // most recent first
    State& Touch(const std::string& key, size_t max);
  };

  LoginThrottleOptions options_;
  std::function<int64_t()> now_;
  std::mutex mutex_;
  Recent<UserState> users_;
  Recent<AddressState> addresses_;
};

}  // namespace tresor::server
