// The sealed-file codec: tokens of both kinds, the header with its groups,
// and the group keys (docs/format.md).
#include "sealed/codec.h"

#include <gtest/gtest.h>

#include "crypto/x25519.h"
#include "sealed/group_key.h"

namespace tresor::sealed {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Token, BothKindsRoundTrip) {
  Token plain{"backend_b", formats::ValueType::kNumber, false, {1, 2, 3}};
  EXPECT_EQ(EncodeToken(plain), "tresor:v1:backend_b:n:AQID");
  Token pub{"default", formats::ValueType::kString, true, {0xff}};
  EXPECT_EQ(EncodeToken(pub), "tresor:v1:default:s:pub:_w");
  auto decoded = DecodeToken("tresor:v1:default:s:pub:_w");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->is_public);
  EXPECT_EQ(decoded->sealed, std::vector<uint8_t>{0xff});
  EXPECT_EQ(DecodeToken("tresor:v1:default:s:pib:_w").error().message,
            "malformed token (bad base64url)");
  EXPECT_EQ(DecodeToken("tresor:v1:Default:s:AQID").error().message, "malformed token (bad group)");
}

Header TwoGroups() {
  Header h;
  h.flags.push_back('n');  // not `= "n"`: GCC 12 -Wrestrict false positive
  h.groups.push_back({"default", {"age1abc", "scrypt"}, {}, Bytes("agefile"), {}});
  h.groups.push_back({"b", {"age1xyz"}, {}, Bytes("x"), {}});
  h.groups[1].public_key[0] = 1;
  h.groups[1].mac[31] = 2;
  return h;
}

TEST(Header, RoundTripsWithGroups) {
  const Header h = TwoGroups();
  const std::string text = EncodeHeader(h);
  EXPECT_EQ(
      text,
      "tresor-header:v1:n:default=age1abc+scrypt=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
      "YWdlZmlsZQ=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,b=age1xyz="
      "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=eA=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAI");
  auto back = DecodeHeader(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(EncodeHeader(*back), text);
  EXPECT_EQ(back->groups[0].recipients, (std::vector<std::string>{"age1abc", "scrypt"}));
}

TEST(Header, MalformedHeadersAreRejected) {
  const std::string good = EncodeHeader(TwoGroups());
  auto error = [](const std::string& s) { return DecodeHeader(s).error().message; };
  EXPECT_EQ(error("tresor-header:v2::x"),
            "the tresor header does not start with tresor-header:v1:");
  std::string flags = "tresor-header:v1:q:";
  flags.append(good, 19);
  EXPECT_EQ(error(flags), "unknown flags in the tresor header: q");
  EXPECT_EQ(error("tresor-header:v1::default=age1=AA=AA"), "malformed group in the tresor header");
  EXPECT_EQ(error("tresor-header:v1::default==AA=AA=AA"),
            "group default in the tresor header: malformed recipient");
  EXPECT_EQ(error("tresor-header:v1::default=AGE1=AA=AA=AA"),
            "group default in the tresor header: malformed recipient");
  EXPECT_EQ(error("tresor-header:v1::default=age1=AA=AA=AA"),
            "group default in the tresor header: malformed public key");
  const size_t comma = good.find(',');
  std::string dup(good, 0, comma + 1);
  dup.append(good, 19, comma - 19);
  EXPECT_EQ(error(dup), "group default appears twice");
  std::string trailing = good;
  trailing.push_back(',');
  EXPECT_EQ(error(trailing), "malformed group in the tresor header");
}

TEST(Header, AGroupsVersionRoundTripsAndIsCoveredByItsMacOnlyWhenSet) {
  Header h = TwoGroups();
  h.groups[1].version = 42;
  const std::string text = EncodeHeader(h);
  EXPECT_TRUE(text.ends_with("=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAI=42"));
  auto back = DecodeHeader(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->groups[1].version, 42u);
  EXPECT_EQ(back->groups[0].version, 0u);
  EXPECT_EQ(EncodeHeader(*back), text);
  // Files from before the counter keep the fields (and so the MACs) they had.
  EXPECT_EQ(GroupMacFields(h, h.groups[0]).size(), 6u);
  const auto counted = GroupMacFields(h, h.groups[1]);
  ASSERT_EQ(counted.size(), 7u);
  EXPECT_EQ(counted.back(), "version=42");
  auto error = [](const std::string& s) { return DecodeHeader(s).error().message; };
  const std::string base = text.substr(0, text.size() - 2);
  for (const char* bad : {"0", "007", "x1", "-1", "1234567890123456789", ""}) {
    EXPECT_EQ(error(base + bad), "group b in the tresor header: malformed version") << bad;
  }
  EXPECT_EQ(error(text + "=1"), "malformed group in the tresor header");
}

TEST(GroupKey, PublicSealingOpensOnlyWithTheDataKey) {
  const GroupKey key = GroupKey::Generate();
  const auto aad = ValueAad("default", "A", "string");
  auto sealed = SealToPublicKey(key.public_key(), aad, Bytes("v"));
  ASSERT_TRUE(sealed.has_value());
  Token token{"default", formats::ValueType::kString, true, *sealed};
  auto opened = key.Open(token, aad);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->Reveal()[0], 'v');
  EXPECT_FALSE(key.Open(token, ValueAad("default", "B", "string")).has_value());
  EXPECT_FALSE(GroupKey::Generate().Open(token, aad).has_value());
  token.is_public = false;  // the same bytes as a key-sealed token
  EXPECT_FALSE(key.Open(token, aad).has_value());
  // The public key is derived: the same data key, the same public key.
  EXPECT_EQ(key.Clone().public_key(), key.public_key());
}

TEST(GroupKey, LowOrderPublicKeyIsRefused) {
  crypto::X25519Point zero{};
  auto sealed = SealToPublicKey(zero, ValueAad("g", "p", "string"), Bytes("v"));
  ASSERT_FALSE(sealed.has_value());
  EXPECT_EQ(sealed.error().code, ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace tresor::sealed
