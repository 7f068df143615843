#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/hardening.h"
#include "crypto/x25519.h"

namespace tresor::crypto {
namespace {

TEST(SecretBytesTest, StartsZeroedAndCopies) {
  SecretBytes a(8);
  EXPECT_TRUE(IsAllZero(a.Reveal()));
  const uint8_t raw[] = {1, 2, 3};
  SecretBytes b = SecretBytes::CopyOf(raw);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.Reveal()[2], 3);
}

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  SecretBytes a = SecretBytes::CopyOf(std::vector<uint8_t>{9, 9});
  SecretBytes b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): checking the contract
  EXPECT_EQ(b.size(), 2u);
}

TEST(SecretBytesTest, TruncateWipesTheTail) {
  SecretBytes a = SecretBytes::CopyOf(std::vector<uint8_t>{1, 2, 3, 4});
  const uint8_t* tail = a.Reveal().data() + 2;
  a.Truncate(2);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(tail[0], 0);
  EXPECT_EQ(tail[1], 0);
}

// Small short-lived secrets share the locked arena; freed slots are wiped and
// reused, and once it is full (or for large or long-lived secrets) storage
// comes from guarded allocations instead, with no difference to the holder.
TEST(SecretBytesTest, ArenaSlotsAreWipedAndReusedAndOverflowStillWorks) {
  const uint8_t* first_address = nullptr;
  {
    SecretBytes a = SecretBytes::CopyOf(std::vector<uint8_t>(32, 0x5a));
    first_address = a.Reveal().data();
  }
  SecretBytes b(32);
  EXPECT_EQ(b.Reveal().data(), first_address) << "the freed slot is reused";
  EXPECT_TRUE(IsAllZero(b.Reveal())) << "and was wiped";

  std::vector<SecretBytes> many;
  for (int i = 0; i < 3000; ++i) {  // more than the arena's 64 KiB in 64-byte slots
    many.push_back(SecretBytes::CopyOf(std::vector<uint8_t>(40, static_cast<uint8_t>(i))));
  }
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(many[i].size(), 40u);
    ASSERT_EQ(many[i].Reveal()[39], static_cast<uint8_t>(i)) << i;
  }
  SecretBytes large(5000);
  SecretBytes long_lived(32, Lifetime::kLong);
  EXPECT_TRUE(IsAllZero(large.Reveal()));
  EXPECT_TRUE(IsAllZero(long_lived.Reveal()));
}

TEST(ConstantTimeEqualTest, ComparesContentAndLength) {
  const uint8_t a[] = {1, 2, 3}, b[] = {1, 2, 3}, c[] = {1, 2, 4};
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, c));
  EXPECT_FALSE(ConstantTimeEqual(std::span(a).first(2), b));
}

TEST(X25519Test, RejectsLowOrderPoint) {
  SecretBytes scalar = SecretBytes::CopyOf(std::vector<uint8_t>(32, 7));
  const X25519Point zero{};  // the identity point: the shared secret is all zeros
  auto shared = X25519(scalar.Reveal().first<32>(), zero);
  ASSERT_FALSE(shared);
  EXPECT_EQ(shared.error().code, ErrorCode::kInvalidArgument);
}

TEST(X25519Test, AgreesBothWays) {
  SecretBytes a = SecretBytes::CopyOf(std::vector<uint8_t>(32, 1));
  SecretBytes b = SecretBytes::CopyOf(std::vector<uint8_t>(32, 2));
  const X25519Point pa = X25519Base(a.Reveal().first<32>());
  const X25519Point pb = X25519Base(b.Reveal().first<32>());
  auto ab = X25519(a.Reveal().first<32>(), pb);
  auto ba = X25519(b.Reveal().first<32>(), pa);
  ASSERT_TRUE(ab && ba);
  EXPECT_TRUE(ConstantTimeEqual(ab->Reveal(), ba->Reveal()));
}

TEST(HardeningTest, DisablesCoreDumpsAndPtrace) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!HardenProcess()) _exit(2);
    rlimit core{};
    getrlimit(RLIMIT_CORE, &core);
    _exit(prctl(PR_GET_DUMPABLE) == 0 && core.rlim_cur == 0 && core.rlim_max == 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace tresor::crypto
