#include "crypto/kdf.h"

#include <gtest/gtest.h>

#include <string>

#include "support/hex.h"

namespace tresor::crypto {
namespace {

using testutil::Hex;
using testutil::Unhex;

TEST(KdfTest, HkdfMatchesRfc5869TestCase1) {
  const auto ikm = std::vector<uint8_t>(22, 0x0b);
  const auto salt = Unhex("000102030405060708090a0b0c");
  const auto info = Unhex("f0f1f2f3f4f5f6f7f8f9");
  SecretBytes okm = HkdfSha256(ikm, salt, std::string(info.begin(), info.end()), 42);
  EXPECT_EQ(Hex(okm.Reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(KdfTest, Sha256OfAbc) {
  EXPECT_EQ(Hex(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(KdfTest, HmacMatchesRfc4231TestCase2) {
  EXPECT_EQ(Hex(HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(KdfTest, KeyedHmacMatchesRfc4231AndCanBeReused) {
  const HmacSha256Key jefe(AsBytes("Jefe"));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Hex(jefe.Mac(AsBytes("what do ya want for nothing?"))),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  // RFC 4231 test case 6: a key longer than a block is hashed first.
  const std::string long_key(131, '\xaa');
  EXPECT_EQ(Hex(HmacSha256Key(AsBytes(long_key))
                    .Mac(AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(Hex(jefe.Mac({})), Hex(HmacSha256(AsBytes("Jefe"), {})));
}

}  // namespace
TEST(KdfTest, Pbkdf2MatchesRfc7914) {
  // RFC 7914 section 11: PBKDF2-HMAC-SHA256 ("passwd", "salt", c = 1, 64 bytes).
  EXPECT_EQ(Hex(Pbkdf2Sha256(AsBytes("passwd"), AsBytes("salt"), 1, 64).Reveal()),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  // ("Password", "NaCl", c = 80000, 64 bytes).
  EXPECT_EQ(Hex(Pbkdf2Sha256(AsBytes("Password"), AsBytes("NaCl"), 80000, 64).Reveal()),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
  // A length that is not whole blocks takes the first bytes.
  EXPECT_EQ(Hex(Pbkdf2Sha256(AsBytes("passwd"), AsBytes("salt"), 1, 5).Reveal()), "55ac046e56");
}

}  // namespace tresor::crypto
