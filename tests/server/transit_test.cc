// The transit engine below HTTP: two engines over one store act as two
// nodes (neither loses the other's rotation), a key survives a reload from
// its record, and malformed ciphertexts and records get their messages.
#include "server/transit/transit.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "age/base64.h"
#include "server/records.h"
#include "store/memory_storage.h"

namespace tresor::server::transit {
namespace {

http::Request Post(const std::string& path) {
  http::Request r;
  r.method = "POST";
  r.target = "/v1/transit/" + path;
  return r;
}

Json Data(const http::Response& response) { return Json::parse(response.body).at("data"); }

std::string ErrorOf(const http::Response& response) {
  return Json::parse(response.body).at("errors").at(0).get<std::string>();
}

class TransitEngineTest : public ::testing::Test {
 protected:
  http::Response Call(Transit& t, const std::string& path, const Json& body = Json::object()) {
    return t.Handle(Post(path), path, body);
  }

  // The same keyring in two barriers: two nodes' views of one store.
  static store::Keyring SameKeyring(const store::Keyring& keyring) {
    const crypto::SecretBytes root = crypto::SecretBytes::CopyOf(std::vector<uint8_t>(32, 1));
    return store::Keyring::Open(keyring.Seal(root), root).value();
  }

  std::shared_ptr<store::MemoryStorage> storage_ = std::make_shared<store::MemoryStorage>();
  store::Keyring keyring_ = store::Keyring::Generate();
  store::Barrier barrier_{storage_, SameKeyring(keyring_)};
  store::Barrier other_barrier_{storage_, SameKeyring(keyring_)};
  int64_t now_ = 1700000000;
  Transit one_{barrier_, "transit/transit/", [this] { return now_; }};
  Transit two_{other_barrier_, "transit/transit/", [this] { return now_; }};
};

TEST_F(TransitEngineTest, TwoNodesRotatingFromStaleCachesKeepEveryVersion) {
  ASSERT_EQ(Call(one_, "keys/k").status, 200);
  const std::string v1 =
      Data(Call(two_, "encrypt/k", {{"plaintext", "aGk="}})).at("ciphertext");  // two_ caches v1
  ASSERT_EQ(Call(one_, "keys/k/rotate").status, 200);
  now_ += 10;
  // two_ still holds version 1 in memory; its rotation reads the record
  // first, so it makes version 3 rather than a second version 2.
  const Json rotated = Data(Call(two_, "keys/k/rotate"));
  EXPECT_EQ(rotated.at("latest_version"), 3);
  EXPECT_EQ(rotated.at("keys").size(), 3u);
  EXPECT_EQ(rotated.at("keys").at("3"), 1700000010);
  // one_ learns of it through the watch (here: by hand).
  const uint64_t revision = storage_->Revision().value();
  one_.Changed("k/k", revision);
  const Json seen = Data(Call(one_, "encrypt/k", {{"plaintext", "aGk="}}));
  EXPECT_EQ(seen.at("key_version"), 3);
  EXPECT_EQ(Data(Call(one_, "decrypt/k", {{"ciphertext", v1}})).at("plaintext"), "aGk=");
}

TEST_F(TransitEngineTest, AKeyReadsBackFromItsRecordAndAMalformedRecordIsAnError) {
  ASSERT_EQ(Call(one_, "keys/k", {{"type", "chacha20-poly1305"}}).status, 200);
  const std::string sealed =
      Data(Call(one_, "encrypt/k", {{"plaintext", "c2VjcmV0"}})).at("ciphertext");
  Transit fresh{barrier_, "transit/transit/"};
  EXPECT_EQ(Data(Call(fresh, "decrypt/k", {{"ciphertext", sealed}})).at("plaintext"), "c2VjcmV0");

  PutRecord(barrier_, "transit/transit/k/bad", Json{{"type", "aes256-gcm96"}});
  const http::Response broken = Call(fresh, "decrypt/bad", {{"ciphertext", sealed}});
  EXPECT_EQ(broken.status, 500);
  EXPECT_EQ(ErrorOf(broken), "internal error: transit key bad: malformed record");
}

TEST_F(TransitEngineTest, EveryMalformedCiphertextSaysWhatIsWrong) {
  ASSERT_EQ(Call(one_, "keys/k").status, 200);
  const std::string good = Data(Call(one_, "encrypt/k", {{"plaintext", "aGk="}})).at("ciphertext");
  const std::string body = good.substr(9);
  const std::pair<std::string, std::string> cases[] = {
      {"", "missing ciphertext to decrypt"},
      {"vault", "invalid ciphertext: no prefix"},
      {"vault:v", "invalid ciphertext: could not parse version"},
      {"vault:v1", "invalid ciphertext: could not parse version"},
      {"vault:v0:" + body, "invalid ciphertext: could not parse version"},
      {"vault:v-1:" + body, "invalid ciphertext: could not parse version"},
      {"vault:v99999999999:" + body, "invalid ciphertext: could not parse version"},
      {"vault:v2:" + body, "invalid ciphertext: version is too new"},
      {"vault:v1:" + body.substr(1), "invalid ciphertext: could not decode base64"},
      {"vault:v1:AAAA", "cipher: message authentication failed"},
      {"vault:v1:", "cipher: message authentication failed"},
  };
  for (const auto& [ciphertext, message] : cases) {
    const http::Response got = Call(one_, "decrypt/k", {{"ciphertext", ciphertext}});
    EXPECT_EQ(got.status, 400) << ciphertext;
    EXPECT_EQ(ErrorOf(got), message) << ciphertext;
  }
  // One flipped bit anywhere in the sealed bytes.
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(age::DecodeBase64Padded(body, bytes));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> changed = bytes;
    changed[i] ^= 0x80;
    const std::string tampered = "vault:v1:" + age::EncodeBase64Padded(changed);
    EXPECT_EQ(ErrorOf(Call(one_, "decrypt/k", {{"ciphertext", tampered}})),
              "cipher: message authentication failed");
  }
}

TEST_F(TransitEngineTest, NamesAndRoutesOutsideTheApiAreRefused) {
  EXPECT_EQ(ErrorOf(Call(one_, "keys/a b")), "invalid key name \"a b\"");
  EXPECT_EQ(ErrorOf(Call(one_, "encrypt/..", {{"plaintext", ""}})), "invalid key name \"..\"");
  EXPECT_EQ(Call(one_, "encrypt").status, 404);
  EXPECT_EQ(ErrorOf(Call(one_, "keys/k", {{"exportable", true}})),
            "tresor's transit keys cannot be exported or backed up in plaintext");
  EXPECT_EQ(ErrorOf(Call(one_, "keys/k", {{"auto_rotate_period", "24h"}})),
            "auto_rotate_period is not supported by tresor: rotate with keys/NAME/rotate");
  EXPECT_EQ(ErrorOf(Call(one_, "keys/k/rotate")), "encryption key not found");
  const http::Response batch = Call(one_, "encrypt/k", {{"batch_input", Json::array()}});
  EXPECT_EQ(ErrorOf(batch), "batch_input: expected a list of items");
}

}  // namespace
}  // namespace tresor::server::transit
