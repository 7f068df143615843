// The server's age identity: created once per store (two loads agree on
// one), and opening what was encrypted to it, armored or as base64.
#include "server/server_identity.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "age/base64.h"
#include "age/encrypt.h"
#include "age/io.h"
#include "crypto/kdf.h"
#include "store/memory_storage.h"

namespace tresor::server {
namespace {

std::string EncryptTo(const std::string& recipient_text, const std::string& plaintext, bool armor) {
  const auto recipient = age::X25519Recipient::Parse(recipient_text).value();
  age::SpanSource in(plaintext);
  age::VectorSink out;
  const age::Recipient* recipients[] = {&recipient};
  EXPECT_TRUE(age::Encrypt(recipients, in, out, {.armor = armor}));
  if (armor) return std::string(out.data().begin(), out.data().end());
  return age::EncodeBase64Padded(out.data());
}

class ServerIdentityTest : public ::testing::Test {
 protected:
  std::shared_ptr<store::MemoryStorage> storage_ = std::make_shared<store::MemoryStorage>();
  store::Barrier barrier_{storage_, store::Keyring::Generate()};
};

TEST_F(ServerIdentityTest, IsCreatedOnceAndOpensWhatWasEncryptedToIt) {
  const ServerIdentity first = ServerIdentity::LoadOrCreate(barrier_).value();
  const ServerIdentity again = ServerIdentity::LoadOrCreate(barrier_).value();
  EXPECT_EQ(first.recipient(), again.recipient());
  EXPECT_EQ(first.recipient().substr(0, 4), "age1");
  EXPECT_EQ(again.Open(EncryptTo(first.recipient(), "s3cret", false)).value(), "s3cret");
  EXPECT_EQ(again.Open(EncryptTo(first.recipient(), "two\nlines", true)).value(), "two\nlines");
  // Sealed: the stored record is not the identity's text.
  const auto stored = storage_->Get(kServerIdentityPath).value().value();
  EXPECT_EQ(std::string(stored.begin(), stored.end()).find("AGE-SECRET-KEY"), std::string::npos);
}

TEST_F(ServerIdentityTest, SaysWhyACiphertextDoesNotOpen) {
  const ServerIdentity identity = ServerIdentity::LoadOrCreate(barrier_).value();
  const std::string other = age::X25519Identity::Generate().ToRecipient().String();
  auto foreign = identity.Open(EncryptTo(other, "x", false));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(foreign.error().message,
            "not encrypted to this server (its recipient is " + identity.recipient() + ")");
  for (const std::string bad : {"", "not base64!", "aGVsbG8=" /* "hello" */}) {
    auto refused = identity.Open(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().message,
              "not an age ciphertext (an armored age file, or the base64 of one on one line)");
  }
  auto armored = identity.Open("-----BEGIN AGE ENCRYPTED FILE-----\nnope\n");
  ASSERT_FALSE(armored);
  EXPECT_EQ(armored.error().message.substr(0, 21), "does not open: armor:");
}

TEST_F(ServerIdentityTest, AStoredIdentityThatIsNotOneIsAnIntegrityError) {
  ASSERT_TRUE(barrier_.Put(kServerIdentityPath, crypto::AsBytes("garbage")));
  auto loaded = ServerIdentity::LoadOrCreate(barrier_);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(loaded.error().message, "core/age-identity: not an age identity");
}

}  // namespace
}  // namespace tresor::server
