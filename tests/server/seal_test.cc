// The seal with a root-key wrapper (auto-unseal): init stores what the
// wrapper makes, unsealing opens it, a rotated wrapper key gets the root
// key rewrapped once, and a store sealed another way is refused by name.
// The transit wrapper against a real keeper server is in
// tests/integration/persistence_test.py (TransitSealTest).
#include "server/seal.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/memory_storage.h"

namespace tresor::server {
namespace {

// Wraps by XOR with a pad per key version, prefixed by the version byte, as
// a transit keeper would with "vault:vN:"; versions below `min_version`
// are refused, as min_decryption_version does.
class VersionedWrapper final : public RootKeyWrapper {
 public:
  const std::string& type() const override { return type_; }
  Result<store::Bytes> Wrap(const crypto::SecretBytes& root_key) override {
    store::Bytes out{version};
    for (uint8_t b : root_key.Reveal()) out.push_back(static_cast<uint8_t>(b ^ Pad(version)));
    return out;
  }
  Result<crypto::SecretBytes> Unwrap(std::span<const uint8_t> wrapped) override {
    if (wrapped.size() != kRootKeySize + 1 || wrapped[0] < min_version || wrapped[0] > version) {
      return MakeError(ErrorCode::kNoMatch, "version refused");
    }
    crypto::SecretBytes key(kRootKeySize);
    for (size_t i = 0; i < kRootKeySize; ++i)
      key.Mutable()[i] = static_cast<uint8_t>(wrapped[i + 1] ^ Pad(wrapped[0]));
    return key;
  }
  Result<std::optional<store::Bytes>> Rewrap(std::span<const uint8_t> wrapped) override {
    if (wrapped[0] == version) return std::optional<store::Bytes>();
    auto key = Unwrap(wrapped);
    if (!key) return std::move(key).error();
    return std::optional<store::Bytes>(Wrap(*key).value());
  }

  uint8_t version = 1;
  uint8_t min_version = 1;
  uint8_t pad_base = 0x5a;

 private:
  uint8_t Pad(uint8_t v) const { return static_cast<uint8_t>(pad_base + v); }
  const std::string type_ = "test";
};

class SealTest : public ::testing::Test {
 protected:
  std::shared_ptr<store::MemoryStorage> storage_ = std::make_shared<store::MemoryStorage>();
  std::shared_ptr<VersionedWrapper> wrapper_ = std::make_shared<VersionedWrapper>();
};

TEST_F(SealTest, AWrappedRootKeyOpensTheStoreAndNoKeysAreGiven) {
  Seal seal(storage_, wrapper_);
  auto made = seal.Init(5, 3);
  ASSERT_TRUE(made.has_value()) << made.error().message;
  EXPECT_TRUE(made->shares.empty());
  const auto status = seal.Status(false);
  EXPECT_EQ(status.type, "test");
  EXPECT_EQ(status.shares, 0);
  EXPECT_TRUE(storage_->Get("core/root-key/test").value().has_value());

  Seal restarted(storage_, wrapper_);
  ASSERT_TRUE(restarted.UnsealWithWrapper().has_value());
  const std::vector<uint8_t> share(kRootKeySize + 1, 1);
  auto refused = restarted.AddShare(share);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "this server is unsealed by its test seal, not keys");
}

TEST_F(SealTest, ARotatedWrapperKeyGetsTheRootKeyRewrappedOnceSoOldVersionsCanRetire) {
  Seal seal(storage_, wrapper_);
  ASSERT_TRUE(seal.Init(1, 1).has_value());
  const auto v1 = storage_->Read("core/root-key/test").value().value();
  wrapper_->version = 2;
  ASSERT_TRUE(Seal(storage_, wrapper_).UnsealWithWrapper().has_value());
  const auto v2 = storage_->Read("core/root-key/test").value().value();
  EXPECT_EQ(v2.value[0], 2);
  EXPECT_GT(v2.revision, v1.revision);
  // Unchanged from then on: no write at the next unseal.
  ASSERT_TRUE(Seal(storage_, wrapper_).UnsealWithWrapper().has_value());
  EXPECT_EQ(storage_->Read("core/root-key/test").value().value().revision, v2.revision);
  wrapper_->min_version = 2;
  EXPECT_TRUE(Seal(storage_, wrapper_).UnsealWithWrapper().has_value());
}

TEST_F(SealTest, AnotherKeyIsRefusedAndChangesNothing) {
  ASSERT_TRUE(Seal(storage_, wrapper_).Init(1, 1).has_value());
  const auto before = storage_->Read("core/root-key/test").value().value();
  wrapper_->pad_base = 0x33;  // another key of the same version
  auto opened = Seal(storage_, wrapper_).UnsealWithWrapper();
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, ErrorCode::kIntegrity);
  const auto after = storage_->Read("core/root-key/test").value().value();
  EXPECT_EQ(after.value, before.value);
  EXPECT_EQ(after.revision, before.revision);
  EXPECT_TRUE(Seal(storage_, wrapper_).Initialized().value());
}

TEST_F(SealTest, AStoreSealedAnotherWayIsRefusedByName) {
  ASSERT_TRUE(Seal(storage_, nullptr).Init(1, 1).has_value());
  auto opened = Seal(storage_, wrapper_).UnsealWithWrapper();
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().message, "this store is sealed with Shamir keys, not the test seal");
  auto again = Seal(storage_, wrapper_).Init(1, 1);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, "the store is already initialized");
}

}  // namespace
}  // namespace tresor::server
