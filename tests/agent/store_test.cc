// The agent's store with a chosen clock: expiry, lock and unlock, removal.
#include "agent/store.h"

#include <gtest/gtest.h>

#include <ctime>

#include "age/key_files.h"
#include "keys/identity_file.h"

namespace tresor::agent {
namespace {

crypto::SecretBytes Bytes(std::string_view s) {
  return crypto::SecretBytes::CopyOf(crypto::AsBytes(s));
}

struct Fixture {
  age::X25519Identity identity = age::X25519Identity::Generate();
  crypto::SecretBytes file_key = crypto::SecretBytes::CopyOf(std::vector<uint8_t>(16, 7));
  std::vector<age::Stanza> stanzas;

  Fixture() { stanzas = identity.ToRecipient().Wrap(file_key).value(); }
  crypto::SecretBytes PlainFile() const { return age::FormatIdentityFile(identity, 0); }
  crypto::SecretBytes ProtectedFile() const {
    // The lowest work factor: this tests the store, not scrypt.
    return keys::ProtectIdentityFile(PlainFile(), Bytes("pw"), 1).value();
  }
};

UnwrapOutcome Unwrap(Store& store, const Fixture& f, int64_t now) {
  crypto::SecretBytes key;
  std::string name;
  auto outcome = store.Unwrap(f.stanzas, now, &key, &name).value();
  if (outcome == UnwrapOutcome::kMatched) {
    EXPECT_EQ(std::vector<uint8_t>(key.Reveal().begin(), key.Reveal().end()),
              std::vector<uint8_t>(16, 7));
    EXPECT_EQ(name, "id");
  }
  return outcome;
}

TEST(StoreTest, AddReturnsTheRecipientAndUnwraps) {
  Fixture f;
  Store store;
  auto recipients = store.Add("id", f.PlainFile(), {}, 0, 0, 100).value();
  EXPECT_EQ(recipients, std::vector<std::string>{f.identity.ToRecipient().String()});
  EXPECT_EQ(Unwrap(store, f, 100), UnwrapOutcome::kMatched);
  Fixture other;
  crypto::SecretBytes key;
  std::string name;
  EXPECT_EQ(store.Unwrap(other.stanzas, 100, &key, &name).value(), UnwrapOutcome::kNoMatch);
}

TEST(StoreTest, WrongPassphraseIsNoMatchAndAddsNothing) {
  Fixture f;
  Store store;
  auto added = store.Add("id", f.ProtectedFile(), Bytes("nope"), 0, 0, 100);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kNoMatch);
  EXPECT_EQ(added.error().message, "id: no match: wrong passphrase for the identity file");
  EXPECT_EQ(store.size(), 0u);
  added = store.Add("id", f.ProtectedFile(), {}, 0, 0, 100);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().message, "a passphrase is needed");
}

TEST(StoreTest, TtlLocksAProtectedKeyAndUnlockRestartsIt) {
  Fixture f;
  Store store;
  ASSERT_TRUE(store.Add("id", f.ProtectedFile(), Bytes("pw"), 60, 0, 100));
  EXPECT_EQ(Unwrap(store, f, 159), UnwrapOutcome::kMatched);
  EXPECT_EQ(Unwrap(store, f, 160), UnwrapOutcome::kLocked);
  EXPECT_EQ(store.locked_count(), 1u);
  EXPECT_FALSE(store.Unlock("id", Bytes("nope"), 200));
  ASSERT_TRUE(store.Unlock("id", Bytes("pw"), 200));
  EXPECT_EQ(store.List()[0].expires_at, 260);
  EXPECT_EQ(Unwrap(store, f, 259), UnwrapOutcome::kMatched);
  EXPECT_EQ(Unwrap(store, f, 260), UnwrapOutcome::kLocked);
}

TEST(StoreTest, IdleExpiryCountsFromLastUse) {
  Fixture f;
  Store store;
  ASSERT_TRUE(store.Add("id", f.ProtectedFile(), Bytes("pw"), 0, 10, 100));
  EXPECT_EQ(Unwrap(store, f, 109), UnwrapOutcome::kMatched);
  EXPECT_EQ(Unwrap(store, f, 118), UnwrapOutcome::kMatched);
  EXPECT_EQ(store.Expire(128), std::vector<std::string>{"id"});
  EXPECT_EQ(Unwrap(store, f, 128), UnwrapOutcome::kLocked);
}

TEST(StoreTest, LockWipesProtectedKeysAndDropsPlainOnes) {
  Fixture f;
  Fixture plain;
  Store store;
  ASSERT_TRUE(store.Add("id", f.ProtectedFile(), Bytes("pw"), 0, 0, 100));
  ASSERT_TRUE(store.Add("plain", plain.PlainFile(), {}, 0, 0, 100));
  store.Lock();
  ASSERT_EQ(store.size(), 1u);
  EXPECT_TRUE(store.List()[0].locked);
  EXPECT_EQ(Unwrap(store, f, 100), UnwrapOutcome::kLocked);
  ASSERT_TRUE(store.Unlock("id", Bytes("pw"), 100));
  EXPECT_EQ(Unwrap(store, f, 100), UnwrapOutcome::kMatched);
}

TEST(StoreTest, RemoveOneOrAll) {
  Fixture f;
  Store store;
  ASSERT_TRUE(store.Add("id", f.PlainFile(), {}, 0, 0, 100));
  auto missing = store.Remove("other");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "other: not in the agent");
  ASSERT_TRUE(store.Remove(""));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(Unwrap(store, f, 100), UnwrapOutcome::kNoMatch);
}

}  // namespace
}  // namespace tresor::agent
