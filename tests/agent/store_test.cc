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

std::string TokenAt(const Store& store, const std::string& address, int64_t now) {
  const crypto::SecretBytes* token = store.Token(address, now);
  if (token == nullptr) return "(none)";
  return {reinterpret_cast<const char*>(token->Reveal().data()), token->size()};
}

TEST(StoreTest, TokensAreKeptByAddressUntilTheirTtlLockOrRemoval) {
  Store store;
  store.SetToken("http://a:8200", Bytes("tr.one"), 0);
  store.SetToken("http://b:8200", Bytes("tr.two"), 1000);
  EXPECT_EQ(TokenAt(store, "http://a:8200", 999), "tr.one");
  EXPECT_EQ(TokenAt(store, "http://b:8200", 999), "tr.two");
  EXPECT_EQ(TokenAt(store, "http://c:8200", 999), "(none)");
  // The next login for an address replaces its token.
  store.SetToken("http://a:8200", Bytes("tr.three"), 0);
  EXPECT_EQ(TokenAt(store, "http://a:8200", 999), "tr.three");
  EXPECT_EQ(store.token_count(), 2u);
  // Past its TTL a token is not given out, and Expire drops it.
  EXPECT_EQ(TokenAt(store, "http://b:8200", 1000), "(none)");
  EXPECT_EQ(store.Expire(1000), std::vector<std::string>{"token for http://b:8200"});
  EXPECT_EQ(store.token_count(), 1u);
  store.Lock();
  EXPECT_EQ(store.token_count(), 0u);
  store.SetToken("http://a:8200", Bytes("tr.four"), 0);
  ASSERT_TRUE(store.Remove(""));
  EXPECT_EQ(TokenAt(store, "http://a:8200", 0), "(none)");
}

}  // namespace
}  // namespace tresor::agent
