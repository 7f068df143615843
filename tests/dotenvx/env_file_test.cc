// dotenvx's files and ECIES, on a file the real dotenvx 2.38.2 wrote
// (`dotenvx encrypt -f .env`, its .env.keys beside it); the CLI's tests
// (tests/cli/import_test.py) encrypt new files with dotenvx on every run.
#include "dotenvx/env_file.h"

#include <gtest/gtest.h>

#include "age/base64.h"
#include "crypto/kdf.h"
#include "dotenvx/ecies.h"

namespace tresor::dotenvx {
namespace {

constexpr std::string_view kPrivate =
    "d7b6069ebbbb92e8c0399d3394cc4f7d748088356cb45056b46be022939be79a";
constexpr std::string_view kPublic =
    "026aff21acb3dd056db8e579992b3196fc30aaffd4f26fa4a54eda109859640977";
constexpr std::string_view kHello =
    "BMjb+ugMdkHY/7+5CZZ1+XrlCPBqxbRG1UncIO9cYx1QNHQPn2RHCtm80zXyoX8UF/JkzjxvZ1FVnoz2fU53x1JL0MDRx7"
    "HM5s+R5Q+gRahzCpM4n9/aew+fz8SrLTdzmxGP+Xwy";
constexpr std::string_view kPass =
    "BKABmV4qIZF/ZUguO+XYJOhJjB8/oIFB49SbDNST3Jz20teYguMpDTyCyJRN56wfPGr8/udpyVeglZPfBlmMG+joZOzyj6"
    "GLo3aiac7VbC0r/tNeWX+lV9esZ9VEmsV1ebaLDG2wNcDonw==";

std::string File() {
  return "#/-------------------[DOTENV_PUBLIC_KEY]--------------------/\n"
         "#/            public-key encryption for .env files          /\n"
         "#/       [how it works](https://dotenvx.com/encryption)     /\n"
         "#/----------------------------------------------------------/\n"
         "DOTENV_PUBLIC_KEY=\"" +
         std::string(kPublic) + "\"\n\n# .env\nHELLO=encrypted:" + std::string(kHello) +
         "\n# comment\nPASS=\"encrypted:" + std::string(kPass) + "\"\n";
}

std::vector<PrivateKey> Keys(std::string_view value) {
  std::vector<PrivateKey> keys;
  EXPECT_TRUE(AddPrivateKeys(value, "the key", keys));
  return keys;
}

std::string Text(const crypto::SecretBytes& b) {
  return std::string(reinterpret_cast<const char*>(b.Reveal().data()), b.size());
}

TEST(DotenvxTest, PrivateKeysGiveDotenvxsPublicKeys) {
  const auto keys = Keys(kPrivate);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(crypto::HexEncode(keys[0].public_key), kPublic);
  EXPECT_EQ(Keys(" " + std::string(kPrivate) +
                 " ,1111111111111111111111111111111111111111111111111111111111111111")
                .size(),
            2u);
  std::vector<PrivateKey> bad;
  auto short_key = AddPrivateKeys("abc", "DOTENV_PRIVATE_KEY", bad);
  ASSERT_FALSE(short_key);
  EXPECT_EQ(short_key.error().message, "DOTENV_PRIVATE_KEY is not a private key (64 hex digits)");
  // Zero and the group order are not keys.
  auto zero = AddPrivateKeys(std::string(64, '0'), "k", bad);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message, "k: not a secp256k1 private key (out of range)");
  auto order =
      AddPrivateKeys("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", "k", bad);
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().message, "k: not a secp256k1 private key (out of range)");
  EXPECT_TRUE(bad.empty());
}

TEST(DotenvxTest, EciesOpensWhatDotenvxEncrypted) {
  const auto keys = Keys(kPrivate);
  std::vector<uint8_t> message;
  ASSERT_TRUE(age::DecodeBase64Unpadded(kHello, message));
  auto hello = EciesOpen(keys[0].key, message);
  ASSERT_TRUE(hello) << hello.error().message;
  EXPECT_EQ(Text(*hello), "World");

  message[message.size() - 1] ^= 1;  // the ciphertext
  auto changed = EciesOpen(keys[0].key, message);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kNoMatch);
  EXPECT_EQ(changed.error().message, "it does not open with this private key");

  std::vector<uint8_t> off_curve(65 + 16 + 16 + 1, 0);
  off_curve[0] = 4;
  auto point = EciesOpen(keys[0].key, off_curve);
  ASSERT_FALSE(point);
  EXPECT_EQ(point.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(point.error().message, "malformed encrypted value (its key is not a secp256k1 point)");
  auto truncated = EciesOpen(keys[0].key, std::span(message).first(96));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().message, "malformed encrypted value (too short)");
}

TEST(DotenvxTest, TheFileOpensWithoutItsPublicKeyAndWithItsQuotes) {
  // The right key after a wrong one: every key is tried.
  const auto keys = Keys("1111111111111111111111111111111111111111111111111111111111111111," +
                         std::string(kPrivate));
  auto opened = OpenEnvFile(File(), keys);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->plaintext, "# .env\nHELLO=World\n# comment\nPASS=\"p@ss word\"\n");
  EXPECT_EQ(opened->encrypted, (std::vector<std::string>{"HELLO", "PASS"}));
}

TEST(DotenvxTest, ValuesNoKeyOpensAreNamedWithTheKeysTried) {
  auto wrong = OpenEnvFile(File(), Keys(std::string(64, '1')));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kNoMatch);
  EXPECT_EQ(wrong.error().message,
            "8:7: HELLO: no private key opens it (tried the key): it was encrypted for another "
            "key, or changed");
  auto none = OpenEnvFile(File(), {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "8:7: HELLO: no private key to open it");
  auto not_base64 = OpenEnvFile("A=encrypted:!!\n", Keys(kPrivate));
  ASSERT_FALSE(not_base64);
  EXPECT_EQ(not_base64.error().message, "1:3: A: malformed encrypted value (not base64)");
  auto plain = OpenEnvFile("A=1\n", Keys(kPrivate));
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().message, "no dotenvx-encrypted value (encrypted:...) in it");
}

TEST(DotenvxTest, KeysFilesAreReadAsDotenvxWritesThem) {
  std::vector<PrivateKey> keys;
  const std::string file = "#/---/\n# .env\nDOTENV_PRIVATE_KEY=" + std::string(kPrivate) +
                           "\n\n# .env.ci\nDOTENV_PRIVATE_KEY_CI=\"" + std::string(64, '2') +
                           "\"\nOTHER=x\n";
  ASSERT_TRUE(AddKeysFile(file, ".env.keys", keys));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].where, "DOTENV_PRIVATE_KEY (.env.keys)");
  EXPECT_EQ(keys[1].where, "DOTENV_PRIVATE_KEY_CI (.env.keys)");
  auto bad = AddKeysFile("DOTENV_PRIVATE_KEY=zz\n", ".env.keys", keys);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "1:20: DOTENV_PRIVATE_KEY (.env.keys) is not a private key (64 hex digits)");
}

}  // namespace
}  // namespace tresor::dotenvx
