// The token store with a chosen clock: TTLs, renewal up to the max TTL,
// revocation of children, orphans, and tokens kept only as HMACs.
#include "server/tokens.h"

#include <gtest/gtest.h>

#include <tuple>

namespace tresor::server {
namespace {

struct Clock {
  int64_t now = 1000;
};

TEST(TokenStoreTest, TokensExpireAfterTheirTtl) {
  Clock clock;
  TokenStore store([&] { return clock.now; });
  auto [token, info] = store.Create({.policies = {"default"}, .ttl = 60}, "").value();
  EXPECT_EQ(info.expire_time, 1060);
  EXPECT_TRUE(store.Lookup(token));
  clock.now = 1059;
  EXPECT_TRUE(store.Lookup(token));
  clock.now = 1060;
  EXPECT_FALSE(store.Lookup(token));
  EXPECT_EQ(store.size(), 0u);
}

TEST(TokenStoreTest, RenewalStopsAtTheMaxTtl) {
  Clock clock;
  TokenStore store([&] { return clock.now; });
  auto [token, info] = store.Create({.ttl = 60, .explicit_max_ttl = 100}, "").value();
  const std::string key = store.Lookup(token)->first;
  clock.now = 1050;
  EXPECT_EQ(store.Renew(key, 30).value().expire_time, 1080);
  EXPECT_EQ(store.Renew(key, 0).value().expire_time, 1100);  // 1110 capped at 1000 + 100
  auto fixed = store.Create({.ttl = 60, .renewable = false}, "").value();
  auto refused = store.Renew(store.Lookup(fixed.first)->first, 10);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "token is not renewable");
}

TEST(TokenStoreTest, APeriodicTokenIsRenewedForAPeriodWithoutEnd) {
  constexpr int64_t kDay = 86400;
  Clock clock;
  TokenStore store([&] { return clock.now; });
  auto [token, info] = store.Create({.ttl = 5, .renewable = false, .period = kDay}, "").value();
  EXPECT_EQ(std::tuple(info.creation_ttl, info.expire_time, info.max_expire_time, info.renewable),
            std::tuple(kDay, 1000 + kDay, int64_t{0}, true));
  const std::string key = store.Lookup(token)->first;
  // Renewed just before each expiry, it lives past twice the system max
  // TTL (768 h); each renewal gives a period, whatever increment is asked.
  int64_t expires = info.expire_time;
  while (clock.now < 1000 + 2 * TokenStore::kMaxTtl) {
    clock.now = expires - 10;
    ASSERT_TRUE(store.Lookup(token)) << clock.now;
    expires = store.Renew(key, 3600).value().expire_time;
    ASSERT_EQ(expires, clock.now + kDay);
  }
  clock.now = expires;
  EXPECT_FALSE(store.Lookup(token));  // not renewed in time: gone
  // An explicit max TTL still ends it.
  clock.now = 1000;
  auto capped = store.Create({.explicit_max_ttl = 90, .period = 60}, "").value();
  const std::string capped_key = store.Lookup(capped.first)->first;
  clock.now = 1050;
  EXPECT_EQ(store.Renew(capped_key, 0).value().expire_time, 1090);
  clock.now = 1090;
  EXPECT_FALSE(store.Lookup(capped.first));
}

TEST(TokenStoreTest, RevokingAParentRevokesDescendantsButNotOrphans) {
  TokenStore store;
  auto parent = store.Create({.ttl = 600}, "").value();
  const std::string parent_key = store.Lookup(parent.first)->first;
  auto child = store.Create({.ttl = 600}, parent_key).value();
  auto grandchild = store.Create({.ttl = 600}, store.Lookup(child.first)->first).value();
  auto orphan = store.Create({.ttl = 600, .orphan = true}, parent_key).value();
  EXPECT_FALSE(child.second.orphan);
  EXPECT_TRUE(orphan.second.orphan);
  store.Revoke(parent_key);
  EXPECT_FALSE(store.Lookup(parent.first));
  EXPECT_FALSE(store.Lookup(child.first));
  EXPECT_FALSE(store.Lookup(grandchild.first));
  EXPECT_TRUE(store.Lookup(orphan.first));
}

TEST(TokenStoreTest, RevokeOrphanKeepsTheChildren) {
  TokenStore store;
  auto parent = store.Create({.ttl = 600}, "").value();
  const std::string parent_key = store.Lookup(parent.first)->first;
  auto child = store.Create({.ttl = 600}, parent_key).value();
  store.Revoke(parent_key, /*orphan_children=*/true);
  auto found = store.Lookup(child.first);
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->second.orphan);
}

TEST(TokenStoreTest, TheStoreKeepsNoTokenAndRootNeverExpires) {
  Clock clock;
  TokenStore store([&] { return clock.now; });
  store.AddRoot("my-root");
  auto [token, info] = store.Create({.ttl = 60}, "").value();
  const auto found = store.Lookup(token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->first.size(), 64u);  // an HMAC-SHA-256, hex
  EXPECT_EQ(found->first.find(token), std::string::npos);
  EXPECT_TRUE(store.LookupAccessor(info.accessor));
  clock.now += 100LL * 365 * 86400;
  EXPECT_TRUE(store.Lookup("my-root"));
  EXPECT_FALSE(store.Lookup(token));
  EXPECT_FALSE(store.Lookup("not-a-token"));
}

TEST(TokenStoreTest, ALimitedUseTokenIsRevokedAtItsLastUse) {
  TokenStore store;
  auto [token, info] = store.Create({.ttl = 600, .num_uses = 3}, "").value();
  EXPECT_EQ(info.num_uses, 3);
  const std::string key = store.Lookup(token)->first;
  EXPECT_EQ(store.Use(key)->num_uses, 2);
  EXPECT_EQ(store.Use(key)->num_uses, 1);
  EXPECT_EQ(store.Lookup(token)->second.num_uses, 1);
  EXPECT_EQ(store.Use(key)->num_uses, -1);  // the last use: already revoked
  EXPECT_FALSE(store.Lookup(token));
  EXPECT_FALSE(store.Use(key));
  auto unlimited = store.Create({.ttl = 600}, "").value();
  EXPECT_FALSE(store.Use(store.Lookup(unlimited.first)->first));
  EXPECT_TRUE(store.Lookup(unlimited.first));
}

TEST(TokenStoreTest, AChildIsRefusedOnceItsParentExpiredAndTheSweepRemovesTheTree) {
  Clock clock;
  TokenStore store([&] { return clock.now; });
  auto parent = store.Create({.ttl = 60}, "").value();
  auto child = store.Create({.ttl = 600}, store.Lookup(parent.first)->first).value();
  auto grandchild = store.Create({.ttl = 600}, store.Lookup(child.first)->first).value();
  auto other = store.Create({.ttl = 600}, "").value();
  clock.now = 1059;
  EXPECT_TRUE(store.Lookup(grandchild.first));
  EXPECT_EQ(store.Sweep(), 0u);
  clock.now = 1060;
  // Only the parent's TTL has passed; its descendants are refused at once,
  // by token and by accessor, before any sweep.
  EXPECT_FALSE(store.LookupAccessor(child.second.accessor));
  EXPECT_FALSE(store.Lookup(grandchild.first));
  EXPECT_EQ(store.size(), 1u);  // that check revoked the tree
  EXPECT_TRUE(store.Lookup(other.first));
}

TEST(TokenStoreTest, TheSweepRevokesExpiredTreesWithoutALookup) {
  Clock clock;
  TokenStore store([&] { return clock.now; });
  auto parent = store.Create({.ttl = 60}, "").value();
  const std::string parent_key = store.Lookup(parent.first)->first;
  for (int i = 0; i < 10; ++i) (void)store.Create({.ttl = 600}, parent_key).value();
  (void)store.Create({.ttl = 600}, "").value();
  clock.now = 1060;
  EXPECT_EQ(store.Sweep(), 11u);
  EXPECT_EQ(store.size(), 1u);
}

TEST(TokenStoreTest, RevokingFortyThousandChildrenAndADeepChainIsIterative) {
  TokenStore store;
  auto parent = store.Create({.ttl = 600}, "").value();
  const std::string parent_key = store.Lookup(parent.first)->first;
  for (int i = 0; i < 40000; ++i) (void)store.Create({.ttl = 600}, parent_key).value();
  std::string below = parent_key;
  for (int depth = 2; depth <= TokenStore::kMaxDepth; ++depth) {
    auto made = store.Create({.ttl = 600}, below).value();
    below = store.Lookup(made.first)->first;
  }
  EXPECT_EQ(store.size(), 1u + 40000u + 63u);
  store.Revoke(parent_key);
  EXPECT_EQ(store.size(), 0u);
}

TEST(TokenStoreTest, TreesDeeperThanTheLimitAreRefused) {
  TokenStore store;
  std::string below;
  std::string last_token;
  for (int depth = 1; depth <= TokenStore::kMaxDepth; ++depth) {
    auto made = store.Create({.ttl = 600}, below).value();
    below = store.Lookup(made.first)->first;
    last_token = made.first;
  }
  auto refused = store.Create({.ttl = 600}, below);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "token trees are at most 64 levels deep");
  EXPECT_TRUE(store.Lookup(last_token));  // the deepest allowed still works
  auto orphan = store.Create({.ttl = 600, .orphan = true}, below);
  EXPECT_TRUE(orphan);  // an orphan starts a tree of its own
}

TEST(TokenStoreTest, RenewalMovesTheExpiryTheSweepUses) {
  Clock clock;
  TokenStore store([&] { return clock.now; });
  auto made = store.Create({.ttl = 60}, "").value();
  const std::string key = store.Lookup(made.first)->first;
  clock.now = 1050;
  ASSERT_TRUE(store.Renew(key, 100));
  clock.now = 1100;
  EXPECT_EQ(store.Sweep(), 0u);
  clock.now = 1150;
  EXPECT_EQ(store.Sweep(), 1u);
}

}  // namespace
}  // namespace tresor::server
