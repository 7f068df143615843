// Round trips and edge cases of the age codec in-process.
#include <gtest/gtest.h>

#include "age/armor.h"
#include "age/base64.h"
#include "age/bech32.h"
#include "age/encrypt.h"
#include "age/scrypt.h"
#include "age/x25519.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::age {
namespace {

TEST(Base64Test, UnpaddedRejectsNonCanonicalAndPadding) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(DecodeBase64Unpadded("AA", out));
  EXPECT_EQ(out, std::vector<uint8_t>{0});
  out.clear();
  EXPECT_FALSE(DecodeBase64Unpadded("AB", out));  // unused bits set
  EXPECT_FALSE(DecodeBase64Unpadded("AA==", out));
  EXPECT_FALSE(DecodeBase64Unpadded("A", out));
  EXPECT_TRUE(out.empty());
}

TEST(Bech32Test, RoundTripsAndRejectsMixedCase) {
  const std::vector<uint8_t> data(32, 0xab);
  const std::string text = Bech32Encode("age", data);
  auto decoded = Bech32Decode(text);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->hrp, "age");
  EXPECT_EQ(decoded->data, data);
  std::string mixed = text;
  mixed[0] = 'A';  // "Age1..."
  EXPECT_EQ(Bech32Decode(mixed).error().message, "mixed case in bech32 string");
  std::string broken = text;
  broken.back() = broken.back() == 'q' ? 'p' : 'q';
  EXPECT_EQ(Bech32Decode(broken).error().message, "bech32 checksum does not match");
}

std::vector<uint8_t> EncryptBytes(const std::vector<uint8_t>& plain, const Recipient& r,
                                  bool armor) {
  const Recipient* rs[] = {&r};
  SpanSource in(plain);
  VectorSink out;
  EXPECT_TRUE(Encrypt(rs, in, out, {.armor = armor}));
  return out.data();
}

Result<std::vector<uint8_t>> DecryptBytes(const std::vector<uint8_t>& enc, const Identity& id) {
  const Identity* ids[] = {&id};
  SpanSource in(enc);
  VectorSink out;
  TRESOR_RETURN_IF_ERROR(Decrypt(ids, in, out));
  return out.data();
}

TEST(EncryptTest, RoundTripsAtChunkBoundaries) {
  const X25519Identity id = X25519Identity::Generate();
  const X25519Recipient r = id.ToRecipient();
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537},
                      size_t{131072}, size_t{200000}}) {
    std::vector<uint8_t> plain(size);
    crypto::FillRandom(plain);
    for (bool armor : {false, true}) {
      auto got = DecryptBytes(EncryptBytes(plain, r, armor), id);
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_EQ(*got, plain) << "size " << size << " armor " << armor;
    }
  }
}

TEST(EncryptTest, ScryptRoundTripAndWrongPassphrase) {
  auto pass = [](std::string_view s) { return crypto::SecretBytes::CopyOf(crypto::AsBytes(s)); };
  ScryptRecipient r(pass("pw"), 10);
  const std::vector<uint8_t> plain = {'h', 'i'};
  const auto enc = EncryptBytes(plain, r, false);
  auto ok = DecryptBytes(enc, ScryptIdentity(pass("pw")));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, plain);
  auto bad = DecryptBytes(enc, ScryptIdentity(pass("nope")));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kNoMatch);
}

TEST(EncryptTest, ScryptCannotBeCombined) {
  ScryptRecipient s(crypto::SecretBytes::CopyOf(crypto::AsBytes("pw")), 10);
  const X25519Recipient x = X25519Identity::Generate().ToRecipient();
  const Recipient* rs[] = {&s, &x};
  SpanSource in(std::string_view("x"));
  VectorSink out;
  auto r = Encrypt(rs, in, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "a passphrase cannot be combined with other recipients");
}

TEST(X25519IdentityTest, EncodeParseRoundTrip) {
  const X25519Identity id = X25519Identity::Generate();
  crypto::SecretBytes text = id.Encode();
  std::string_view view(reinterpret_cast<const char*>(text.Reveal().data()), text.size());
  EXPECT_TRUE(view.starts_with("AGE-SECRET-KEY-1"));
  auto parsed = X25519Identity::Parse(view);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->ToRecipient().String(), id.ToRecipient().String());
  EXPECT_EQ(X25519Identity::Parse("AGE-SECRET-KEY-1QQQ").error().message,
            "invalid identity (expected AGE-SECRET-KEY-1...)");
}

}  // namespace
}  // namespace tresor::age
