// Login limits with a chosen clock: the per-user lockout and its reset, the
// per-address bucket and its refill, and the bound on what is remembered.
#include "server/login_throttle.h"

#include <gtest/gtest.h>

namespace tresor::server {
namespace {

using Verdict = LoginThrottle::Verdict;

TEST(LoginThrottleTest, FiveFailuresLockTheUserForTheLockoutDuration) {
  int64_t now = 0;
  LoginThrottle throttle({}, [&] { return now; });
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(throttle.Admit("alice", "10.0.0.1"), Verdict::kAllowed);
    throttle.Failed("alice");
  }
  EXPECT_EQ(throttle.Admit("alice", "10.0.0.2"), Verdict::kUserLockedOut);
  EXPECT_EQ(throttle.Admit("bob", "10.0.0.1"), Verdict::kAllowed);
  now = 15 * 60 * 1000 - 1;
  EXPECT_EQ(throttle.Admit("alice", "10.0.0.2"), Verdict::kUserLockedOut);
  now = 15 * 60 * 1000;
  EXPECT_EQ(throttle.Admit("alice", "10.0.0.2"), Verdict::kAllowed);
}

TEST(LoginThrottleTest, TheFailureCountResetsAfterAQuietPeriodOrASuccess) {
  int64_t now = 0;
  LoginThrottle throttle({.counter_reset_ms = 1000}, [&] { return now; });
  for (int i = 0; i < 4; ++i) throttle.Failed("alice");
  now = 1000;  // quiet for the reset period: counting starts again
  for (int i = 0; i < 4; ++i) throttle.Failed("alice");
  EXPECT_EQ(throttle.Admit("alice", "a"), Verdict::kAllowed);
  throttle.Succeeded("alice");
  for (int i = 0; i < 4; ++i) throttle.Failed("alice");
  EXPECT_EQ(throttle.Admit("alice", "a"), Verdict::kAllowed);
  throttle.Failed("alice");
  EXPECT_EQ(throttle.Admit("alice", "a"), Verdict::kUserLockedOut);
}

TEST(LoginThrottleTest, AnAddressGetsItsBurstThenItsRate) {
  int64_t now = 0;
  LoginThrottle throttle({.address_rate = 2, .address_burst = 3}, [&] { return now; });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(throttle.Admit("u", "10.0.0.1"), Verdict::kAllowed);
  EXPECT_EQ(throttle.Admit("u", "10.0.0.1"), Verdict::kAddressLimited);
  EXPECT_EQ(throttle.Admit("u", "10.0.0.9"), Verdict::kAllowed);
  now = 499;  // 0.998 of a token back
  EXPECT_EQ(throttle.Admit("u", "10.0.0.1"), Verdict::kAddressLimited);
  now = 1000;
  EXPECT_EQ(throttle.Admit("u", "10.0.0.1"), Verdict::kAllowed);
  now = 60000;  // refills to the burst, no further
  for (int i = 0; i < 3; ++i) EXPECT_EQ(throttle.Admit("u", "10.0.0.1"), Verdict::kAllowed);
  EXPECT_EQ(throttle.Admit("u", "10.0.0.1"), Verdict::kAddressLimited);
}

TEST(LoginThrottleTest, OnlyTheMostRecentlySeenAreRemembered) {
  int64_t now = 0;
  LoginThrottle throttle({.lockout_threshold = 1, .max_tracked = 2}, [&] { return now; });
  throttle.Failed("alice");
  EXPECT_EQ(throttle.Admit("alice", "a"), Verdict::kUserLockedOut);
  throttle.Failed("bob");
  throttle.Failed("carol");  // alice, seen longest ago, is forgotten
  EXPECT_EQ(throttle.Admit("alice", "a"), Verdict::kAllowed);
  EXPECT_EQ(throttle.Admit("carol", "a"), Verdict::kUserLockedOut);
}

}  // namespace
}  // namespace tresor::server
