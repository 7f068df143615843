// Shamir's secret sharing: every subset of T shares rebuilds the secret,
// fewer do not, and bad share sets are refused.
#include "crypto/shamir.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace tresor::crypto {
namespace {

std::vector<uint8_t> Bytes(const SecretBytes& s) { return {s.Reveal().begin(), s.Reveal().end()}; }

SecretBytes Copy(const SecretBytes& s) { return SecretBytes::CopyOf(s.Reveal()); }

TEST(ShamirTest, EveryThreeOfFiveRebuildTheSecret) {
  const SecretBytes secret = RandomSecret(32);
  auto shares = SplitSecret(secret, 5, 3);
  ASSERT_TRUE(shares);
  ASSERT_EQ(shares->size(), 5u);
  for (int a = 0; a < 5; ++a) {
    for (int b = a + 1; b < 5; ++b) {
      for (int c = b + 1; c < 5; ++c) {
        std::vector<SecretBytes> subset;
        for (int i : {c, a, b}) subset.push_back(Copy((*shares)[i]));  // any order
        auto rebuilt = CombineShares(subset);
        ASSERT_TRUE(rebuilt);
        EXPECT_EQ(Bytes(*rebuilt), Bytes(secret)) << a << b << c;
      }
    }
  }
  std::vector<SecretBytes> all;
  for (const auto& s : *shares) all.push_back(Copy(s));
  EXPECT_EQ(Bytes(CombineShares(all).value()), Bytes(secret));
}

TEST(ShamirTest, TooFewSharesGiveSomethingElse) {
  const SecretBytes secret = RandomSecret(32);
  auto shares = SplitSecret(secret, 5, 3).value();
  std::vector<SecretBytes> two;
  two.push_back(Copy(shares[0]));
  two.push_back(Copy(shares[4]));
  EXPECT_NE(Bytes(CombineShares(two).value()), Bytes(secret));
}

TEST(ShamirTest, SharesOfTheSameSecretDiffer) {
  const SecretBytes secret = SecretBytes::CopyOf(std::vector<uint8_t>(16, 0));
  auto first = SplitSecret(secret, 2, 2).value();
  auto second = SplitSecret(secret, 2, 2).value();
  EXPECT_NE(Bytes(first[0]), Bytes(second[0]));  // random coefficients
  EXPECT_EQ(first[0].Reveal().back(), 1);        // x
  EXPECT_EQ(first[1].Reveal().back(), 2);
}

TEST(ShamirTest, BadArgumentsAreRefused) {
  const SecretBytes secret = RandomSecret(16);
  for (auto [n, t] : {std::pair{1, 1}, {3, 1}, {2, 3}, {256, 2}}) {
    auto shares = SplitSecret(secret, n, t);
    ASSERT_FALSE(shares);
    EXPECT_EQ(shares.error().message,
              "shares and threshold must satisfy 2 <= threshold <= shares <= 255");
  }
  auto shares = SplitSecret(secret, 3, 2).value();
  std::vector<SecretBytes> same;
  same.push_back(Copy(shares[1]));
  same.push_back(Copy(shares[1]));
  EXPECT_EQ(CombineShares(same).error().message, "the same share was given twice");
  std::vector<SecretBytes> one;
  one.push_back(Copy(shares[0]));
  EXPECT_EQ(CombineShares(one).error().message, "at least 2 shares are needed");
  std::vector<SecretBytes> mixed;
  mixed.push_back(Copy(shares[0]));
  mixed.push_back(RandomSecret(5));
  EXPECT_EQ(CombineShares(mixed).error().message, "the shares have different lengths");
}

}  // namespace
}  // namespace tresor::crypto
