// ansible-vault's format (the real ansible-vault's files are read by
// tests/cli/import_test.py): round trips, labels and damage.
#include "ansible/vault.h"

#include <gtest/gtest.h>

#include "ansible/vaulted_file.h"
#include "crypto/kdf.h"

namespace tresor::ansible {
namespace {

using crypto::AsBytes;

std::string Text(const crypto::SecretBytes& b) {
  return std::string(reinterpret_cast<const char*>(b.Reveal().data()), b.size());
}

TEST(VaultTest, RoundTripsEveryPaddingLength) {
  for (size_t n : {0, 1, 15, 16, 17, 100}) {
    const std::string plain(n, 'p');
    auto sealed = SealVault(AsBytes(plain), AsBytes("pw"));
    ASSERT_TRUE(sealed) << sealed.error().message;
    ASSERT_TRUE(sealed->starts_with("$ANSIBLE_VAULT;1.1;AES256\n"));
    auto parsed = ParseVault(*sealed);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->version, "1.1");
    EXPECT_EQ(parsed->salt.size(), 32u);
    auto opened = OpenVault(*parsed, AsBytes("pw"));
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(Text(*opened), plain);
    EXPECT_EQ(OpenVault(*parsed, AsBytes("px")).error().code, ErrorCode::kNoMatch);
  }
}

TEST(VaultTest, LabelsMakeVersion12AndLinesAre80Wide) {
  auto sealed = SealVault(AsBytes("x"), AsBytes("pw"), "prod");
  ASSERT_TRUE(sealed);
  auto parsed = ParseVault(*sealed);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->version, "1.2");
  EXPECT_EQ(parsed->label, "prod");
  const std::string body = sealed->substr(sealed->find('\n') + 1);
  EXPECT_EQ(body.find('\n'), 80u);
  EXPECT_TRUE(body.ends_with('\n'));
}

TEST(VaultTest, MalformedVaultsSayWhat) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string salt = crypto::HexEncode(AsBytes("s"));
  const std::string mac(64, 'a');
  auto body = [](const std::string& inner) { return crypto::HexEncode(AsBytes(inner)); };
  const Case cases[] = {
      {"$ANSIBLE_VAULT;1.1;AES\n00\n", "ansible vault: cipher AES is not AES256"},
      {"$ANSIBLE_VAULT;2.0;AES256\n00\n", "ansible vault: format 2.0 is not 1.1 or 1.2"},
      {"$ANSIBLE_VAULT;1.1;AES256\nzz\n", "ansible vault: the body is not hexadecimal"},
      {"$ANSIBLE_VAULT;1.1;AES256\n" + body("ab\ncd") + "\n",
       "ansible vault: the body lacks salt, HMAC and ciphertext"},
      {"$ANSIBLE_VAULT;1.1;AES256\n" + body(salt + "\nab\n00") + "\n",
       "ansible vault: a malformed HMAC"},
      {"$ANSIBLE_VAULT;1.1;AES256\n" + body(salt + "\n" + mac + "\n0011") + "\n",
       "ansible vault: a malformed ciphertext (not whole 16-byte blocks)"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseVault(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_EQ(parsed.error().message, c.message);
  }
}

TEST(VaultTest, InlineVaultsInYamlArePlacedWhenTheyDoNotOpen) {
  auto sealed = SealVault(AsBytes("s3cret"), AsBytes("pw"));
  ASSERT_TRUE(sealed);
  std::string block;
  for (size_t at = 0; at < sealed->size();) {
    const size_t nl = sealed->find('\n', at);
    block += "    " + sealed->substr(at, nl - at) + "\n";
    at = nl + 1;
  }
  const std::string yaml = "a: 1\nkey: !vault |\n" + block + "b: 2\n";
  auto opened = OpenVaultedFile(&formats::Yaml(), yaml, AsBytes("pw"));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->plaintext, "a: 1\nkey: \"s3cret\"\nb: 2\n");
  EXPECT_EQ(opened->vaulted, std::vector<std::string>{"key"});
  EXPECT_FALSE(opened->whole);
  auto wrong = OpenVaultedFile(&formats::Yaml(), yaml, AsBytes("px"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message,
            "2:6: key: the vault password does not open it (HMAC mismatch: a wrong password, or "
            "the file was changed)");
}

}  // namespace
}  // namespace tresor::ansible
