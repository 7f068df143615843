#include "server/login_throttle.h"

#include <algorithm>
#include <chrono>

namespace tresor::server {

template <typename State>
State& LoginThrottle::Recent<State>::Touch(const std::string& key, size_t max) {
  auto it = map.find(key);
  if (it != map.end()) {
    order.splice(order.begin(), order, it->second.second);
    return it->second.first;
  }
  if (map.size() >= max && !order.empty()) {
    map.erase(order.back());
    order.pop_back();
  }
  order.push_front(key);
  return map.emplace(key, std::pair{State{}, order.begin()}).first->second.first;
}

LoginThrottle::LoginThrottle(LoginThrottleOptions options, std::function<int64_t()> now_ms)
    : options_(options), now_(now_ms ? std::move(now_ms) : [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
      }) {}

LoginThrottle::Verdict LoginThrottle::Admit(const std::string& user, const std::string& address) {
  const int64_t now = now_();
  const std::lock_guard lock(mutex_);
  UserState& u = users_.Touch(user, options_.max_tracked);
  if (now < u.locked_until) return Verdict::kUserLockedOut;
  AddressState& a = addresses_.Touch(address, options_.max_tracked);
  if (!a.seen) {
    a.seen = true;
    a.tokens = options_.address_burst;
  } else {
    const double elapsed_s = static_cast<double>(now - a.refilled) / 1000.0;
    a.tokens = std::min(options_.address_burst, a.tokens + elapsed_s * options_.address_rate);
  }
  a.refilled = now;
  if (a.tokens < 1) return Verdict::kAddressLimited;
  a.tokens -= 1;
  return Verdict::kAllowed;
}

void LoginThrottle::Failed(const std::string& user) {
  const int64_t now = now_();
  const std::lock_guard lock(mutex_);
  UserState& u = users_.Touch(user, options_.max_tracked);
  if (u.failures > 0 && now - u.last_failure >= options_.counter_reset_ms) u.failures = 0;
  u.last_failure = now;
  if (++u.failures >= options_.lockout_threshold) {
    u.locked_until = now + options_.lockout_duration_ms;
    u.failures = 0;
  }
}

void LoginThrottle::Succeeded(const std::string& user) {
  const std::lock_guard lock(mutex_);
  users_.Touch(user, options_.max_tracked) = UserState{};
}

}  // namespace tresor::server
