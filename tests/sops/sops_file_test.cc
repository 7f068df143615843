// sops files built here from the format's facts (the vectors in
// ../shared/testdata/sops are read by tests/cli/import_test.py): Shamir key
// groups, encrypted comments, metadata in unusual places, and damage.
#include "sops/sops_file.h"

// GCC 12 warns falsely on `"literal" + std::string` chains (GCC PR 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <gtest/gtest.h>

#include "age/encrypt.h"
#include "age/x25519.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/shamir.h"
#include "sops/enc_value.h"
#include "sops/metadata_region.h"

namespace tresor::sops {
namespace {

crypto::SecretBytes RandomKey() {
  crypto::SecretBytes key(kDataKeySize);
  crypto::FillRandom(key.Mutable());
  return key;
}

std::string Armored(const crypto::SecretBytes& plaintext, const age::X25519Identity& to) {
  const age::X25519Recipient r = to.ToRecipient();
  const age::Recipient* list[] = {&r};
  age::SpanSource in(plaintext.Reveal());
  age::VectorSink out;
  EXPECT_TRUE(age::Encrypt(list, in, out, {.armor = true}));
  return std::string(out.data().begin(), out.data().end());
}

// A YAML block scalar holding `text`, indented by `indent` spaces.
std::string Block(const std::string& text, int indent) {
  std::string out = "|\n";
  size_t at = 0;
  while (at < text.size()) {
    const size_t nl = text.find('\n', at);
    out += std::string(indent, ' ') + text.substr(at, nl - at) + "\n";
    at = nl + 1;
  }
  return out;
}

std::string Enc(std::string_view plain, std::string_view type, const crypto::SecretBytes& key,
                std::string_view aad) {
  auto v = SealEnc(plain, type, key, aad);
  EXPECT_TRUE(v);
  return FormatEnc(*v);
}

// The MAC metadata over `leaves` (the plaintexts in file order).
std::string MacLines(const std::vector<std::string>& leaves, const crypto::SecretBytes& key) {
  crypto::Sha512Hasher h;
  for (const std::string& l : leaves) h.Update(crypto::AsBytes(l));
  std::string hex = crypto::HexEncode(h.Finish());
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string when = "2026-12-07T00:00:00Z";
  return "    lastmodified: \"" + when + "\"\n    mac: " + Enc(hex, "str", key, when) + "\n";
}

Unwrap With(const std::vector<const age::X25519Identity*>& ids) {
  return [ids](const AgeKey& key, size_t size) -> Result<crypto::SecretBytes> {
    std::vector<const age::Identity*> view(ids.begin(), ids.end());
    age::SpanSource in(key.enc);
    age::FixedSecretSink out(size, "wrong size");
    TRESOR_RETURN_IF_ERROR(age::Decrypt(view, in, out));
    return out.Take();
  };
}

TEST(SopsFileTest, ShamirKeyGroupsNeedTheirThreshold) {
  const crypto::SecretBytes key = RandomKey();
  auto shares = crypto::SplitSecret(key, 3, 2);
  ASSERT_TRUE(shares);
  std::vector<age::X25519Identity> ids;
  std::string text = "db:\n    password: " + Enc("hunter2", "str", key, "db:password:") +
                     "\n    port: 5432\nsops:\n    key_groups:\n";
  for (int i = 0; i < 3; ++i) {
    ids.push_back(age::X25519Identity::Generate());
    text += "        - age:\n            - recipient: " + ids.back().ToRecipient().String() +
            "\n              enc: " + Block(Armored((*shares)[i], ids.back()), 18);
  }
  text += "    shamir_threshold: 2\n" + MacLines({"hunter2", "5432"}, key) + "    version: 3.9.0\n";

  auto opened = Open(InputType::kYaml, text, With({&ids[0], &ids[2]}));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->plaintext, "db:\n    password: hunter2\n    port: 5432\n");
  EXPECT_EQ(opened->encrypted, std::vector<std::string>{"db.password"});
  EXPECT_EQ(opened->metadata.shamir_threshold, 2);
  EXPECT_EQ(opened->recipients.size(), 3u);

  auto one = Open(InputType::kYaml, text, With({&ids[1]}));
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().code, ErrorCode::kNoMatch);
  EXPECT_TRUE(one.error().message.starts_with(
      "the file needs 2 of its 3 key groups and 1 opened: no identity opens the sops data key; "
      "the file is for " +
      ids[0].ToRecipient().String() + ", "))
      << one.error().message;
}

// A single-group YAML file around `body` (already encrypted), with `leaves`
// for its MAC.
std::string YamlFile(const std::string& body, const std::vector<std::string>& leaves,
                     const crypto::SecretBytes& key, const age::X25519Identity& id) {
  return body + "sops:\n    age:\n        - recipient: " + id.ToRecipient().String() +
         "\n          enc: " + Block(Armored(key, id), 12) + MacLines(leaves, key) +
         "    version: 3.9.0\n";
}

TEST(SopsFileTest, EncryptedCommentsOpenWithThePathOfWhereTheySit) {
  const crypto::SecretBytes key = RandomKey();
  const auto id = age::X25519Identity::Generate();
  const std::string body = "#" + Enc(" top of the file", "comment", key, ":") +
                           "\nservice:\n    #" + Enc(" the real one", "comment", key, "service:") +
                           "\n    token: " + Enc("abc", "str", key, "service:token:") + "\n";
  auto opened = Open(InputType::kYaml, YamlFile(body, {"abc"}, key, id), With({&id}));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->plaintext, "# top of the file\nservice:\n    # the real one\n    token: abc\n");

  // A comment sealed for another place does not open anywhere here.
  const std::string moved = "#" + Enc("x", "comment", key, "elsewhere:") + "\na: 1\n";
  auto refused = Open(InputType::kYaml, YamlFile(moved, {"1"}, key, id), With({&id}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "1:1: an encrypted comment does not open with the file's data key");
}

TEST(SopsFileTest, TypedValuesComeBackAsTheirLiterals) {
  const crypto::SecretBytes key = RandomKey();
  const auto id = age::X25519Identity::Generate();
  const std::string body = "n: " + Enc("42", "int", key, "n:") +
                           "\nf: " + Enc("1.5", "float", key, "f:") +
                           "\nb: " + Enc("False", "bool", key, "b:") +
                           "\nt: " + Enc("2024-01-02T03:04:05Z", "time", key, "t:") +
                           "\ns: " + Enc("yes", "str", key, "s:") +
                           "\nq: " + Enc("a: b", "str", key, "q:") + "\nplain: true\n";
  auto opened =
      Open(InputType::kYaml,
           YamlFile(body, {"42", "1.5", "False", "2024-01-02T03:04:05Z", "yes", "a: b", "True"},
                    key, id),
           With({&id}));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->plaintext,
            "n: 42\nf: 1.5\nb: false\nt: 2024-01-02T03:04:05Z\ns: \"yes\"\nq: \"a: b\"\n"
            "plain: true\n");
}

TEST(SopsFileTest, JsonMetadataIsCutWithItsComma) {
  const crypto::SecretBytes key = RandomKey();
  const auto id = age::X25519Identity::Generate();
  crypto::Sha512Hasher h;
  h.Update(crypto::AsBytes("v"));
  std::string hex = crypto::HexEncode(h.Finish());
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string armored = Armored(key, id);
  std::string escaped;
  for (char c : armored) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  const std::string sops = "\"sops\": {\"age\": [{\"recipient\": \"" + id.ToRecipient().String() +
                           "\", \"enc\": \"" + escaped +
                           "\"}], \"lastmodified\": \"2026-12-07T00:00:00Z\", \"mac\": \"" +
                           Enc(hex, "str", key, "2026-12-07T00:00:00Z") + "\"}";
  const std::string value = "\"a\": \"" + Enc("v", "str", key, "a:") + "\"";
  auto first = Open(InputType::kJson, "{" + sops + ", " + value + "}\n", With({&id}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->plaintext, "{\"a\": \"v\"}\n");
  auto last = Open(InputType::kJson, "{\n  " + value + ",\n  " + sops + "\n}\n", With({&id}));
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(last->plaintext, "{\n  \"a\": \"v\"\n}\n");
}

TEST(SopsFileTest, DamageIsRefusedWhereItIs) {
  const crypto::SecretBytes key = RandomKey();
  const auto id = age::X25519Identity::Generate();
  const std::string good = Enc("secret", "str", key, "a:");
  // The ciphertext one byte short: the tag no longer authenticates it.
  auto enc = ParseEnc(good);
  ASSERT_TRUE(enc);
  enc->data.pop_back();
  auto truncated =
      Open(InputType::kYaml, YamlFile("a: " + FormatEnc(*enc) + "\n", {}, key, id), With({&id}));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(truncated.error().message,
            "1:4: a does not open with the file's data key (moved or changed)");

  auto other_cipher =
      Open(InputType::kYaml, YamlFile("a: ENC[AES256_CBC,data:AA==]\n", {}, key, id), With({&id}));
  ASSERT_FALSE(other_cipher);
  EXPECT_EQ(other_cipher.error().message,
            "1:4: malformed sops value: only AES256_GCM is known (the value names another "
            "cipher)");

  // A data key of the wrong length.
  auto short_key = Open(InputType::kYaml, YamlFile("a: " + good + "\n", {"secret"}, key, id),
                        [](const AgeKey&, size_t) -> Result<crypto::SecretBytes> {
                          return MakeError(ErrorCode::kIntegrity, "wrong size");
                        });
  ASSERT_FALSE(short_key);
  EXPECT_EQ(short_key.error().message, "wrong size");
}

// A YAML key that merely starts with "sops:" is not the metadata block,
// and a block that holds other values is refused where they are (found by
// sops_fuzz: a value read from the block, at an offset into the file, made
// a substr throw).
TEST(SopsFileTest, YamlMetadataBlockHoldsOnlySops) {
  EXPECT_FALSE(YamlMetadataRegion("a: 1\nsops:#x: 1\n"));
  auto region = YamlMetadataRegion("a: 1\nsops: # note\n  mac: m\n");
  ASSERT_TRUE(region);
  EXPECT_EQ(region->front().begin, 5u);
  const crypto::SecretBytes key = RandomKey();
  const auto id = age::X25519Identity::Generate();
  std::string file = YamlFile("a: " + Enc("v", "str", key, "a:") + "\n", {"v"}, key, id);
  const size_t sops = file.find("\nsops:\n");
  ASSERT_NE(sops, std::string::npos);
  // The real block renamed so that the region finder passes it by, and a
  // block of other values after it: long enough that its offsets are past
  // the end of the rest of the file.
  file.replace(sops + 1, 5, "\"sops\":");
  file += "sops:#x:\n";
  for (int i = 0; i < 100; ++i) file += "  k" + std::to_string(i) + ": 1\n";
  auto opened = Open(InputType::kYaml, file, With({&id}));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(opened.error().message, "not a sops file: no top-level sops: key holds sops metadata");
}

TEST(SopsFileTest, MetadataIsParsedFromFlattenedKeys) {
  EXPECT_EQ(UnflattenKey("age__list_0__map_enc"), (std::vector<std::string>{"age", "[0]", "enc"}));
  EXPECT_EQ(UnflattenKey("key_groups__list_1__map_age__list_0__map_recipient"),
            (std::vector<std::string>{"key_groups", "[1]", "age", "[0]", "recipient"}));
  auto bad = ParseMetadata({{{"age", "[0]", "recipient"}, "age1x"}, {{"mac"}, "m"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "sops metadata: age key 0 lacks its recipient or enc");
  auto threshold = ParseMetadata({{{"key_groups", "[0]", "pgp", "[0]", "fp"}, "x"},
                                  {{"key_groups", "[1]", "pgp", "[0]", "fp"}, "y"},
                                  {{"shamir_threshold"}, "3"},
                                  {{"mac"}, "m"},
                                  {{"lastmodified"}, "t"}});
  ASSERT_FALSE(threshold);
  EXPECT_EQ(threshold.error().message,
            "sops metadata: shamir_threshold \"3\" is not 2 to the number of key groups");
}

// The [sops] section ends where the INI parser sees the next header: a '['
// on a value's continuation line is part of the value (found by sops_fuzz,
// which cut the section short and left its last keys in the plaintext).
TEST(SopsFileTest, IniMetadataRunsToTheNextHeaderTheParserSees) {
  const std::string text = "[s]\nk = v\n\n[sops]\nmac =\n [x]\nk = y\n";
  auto whole = IniMetadataRegion(text);
  ASSERT_TRUE(whole);
  EXPECT_EQ(text.substr(whole->front().begin, whole->front().end - whole->front().begin),
            "\n[sops]\nmac =\n [x]\nk = y\n");
  const std::string before = "[sops]\na = 1\n  # note\n[t]\nb = 2\n";
  auto cut = IniMetadataRegion(before);
  ASSERT_TRUE(cut);
  EXPECT_EQ(before.substr(cut->front().begin, cut->front().end - cut->front().begin),
            "[sops]\na = 1\n  # note\n");
  auto continued = IniMetadataRegion("[s]\nk = v\n  [sops]\n");
  ASSERT_FALSE(continued);
  EXPECT_EQ(continued.error().message, "not a sops file: no [sops] section holds sops metadata");
}

}  // namespace
}  // namespace tresor::sops
