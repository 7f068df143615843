#include "crypto/aead_oneshot.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/aes_ctr.h"
#include "support/hex.h"

namespace tresor::crypto {
namespace {

using testutil::Unhex;

std::vector<uint8_t> Concat(const std::string& a, const std::string& b) {
  std::vector<uint8_t> out = Unhex(a);
  const std::vector<uint8_t> tail = Unhex(b);
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

std::string Text(const SecretBytes& s) {
  return std::string(reinterpret_cast<const char*>(s.Reveal().data()), s.size());
}

// RFC 8439 section 2.8.2, nonce first as the sealed form has it.
const std::string kRfcKey = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
const std::string kRfcNonce = "070000004041424344454647";
const std::string kRfcAad = "50515253c0c1c2c3c4c5c6c7";
const std::string kRfcSealed =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
    "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b"
    "4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
    "1ae10b594f09e26a7e902ecbd0600691";
const std::string kRfcPlaintext =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
    "future, sunscreen would be it.";

TEST(AeadOneshot, OpensTheChaChaVectorOfRfc8439) {
  auto opened = AeadOpen(AeadKind::kChaCha20Poly1305, Unhex(kRfcKey), Unhex(kRfcAad),
                         Concat(kRfcNonce, kRfcSealed));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(Text(*opened), kRfcPlaintext);
}

// NIST's GCM test case 14 (zero key, zero nonce, one zero block).
TEST(AeadOneshot, OpensTheAesGcmVectorOfNist) {
  auto opened =
      AeadOpen(AeadKind::kAes256Gcm, std::vector<uint8_t>(32), {},
               Concat("000000000000000000000000",
                      "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->Reveal().size(), 16u);
  EXPECT_EQ(std::vector<uint8_t>(opened->Reveal().begin(), opened->Reveal().end()),
            std::vector<uint8_t>(16));
}

TEST(AeadOneshot, RoundTripsAndRefusesAnyChange) {
  const std::vector<uint8_t> key(32, 7);
  const std::vector<uint8_t> aad = {1, 2, 3};
  const std::string message = "a payload of some length";
  const std::vector<uint8_t> plain(message.begin(), message.end());
  for (AeadKind kind : {AeadKind::kAes256Gcm, AeadKind::kChaCha20Poly1305}) {
    auto sealed = AeadSeal(kind, key, aad, plain);
    ASSERT_TRUE(sealed) << sealed.error().message;
    ASSERT_EQ(sealed->size(), kAeadNonceSize + plain.size() + kAeadTagSize);
    auto opened = AeadOpen(kind, key, aad, *sealed);
    ASSERT_TRUE(opened);
    EXPECT_EQ(Text(*opened), message);
    // Every byte matters: nonce, body and tag.
    for (size_t i = 0; i < sealed->size(); ++i) {
      std::vector<uint8_t> changed = *sealed;
      changed[i] ^= 0x01;
      auto refused = AeadOpen(kind, key, aad, changed);
      ASSERT_FALSE(refused) << "byte " << i;
      EXPECT_EQ(refused.error().code, ErrorCode::kIntegrity);
      EXPECT_EQ(refused.error().message, "message authentication failed");
    }
    EXPECT_FALSE(AeadOpen(kind, key, {}, *sealed));                           // other AAD
    EXPECT_FALSE(AeadOpen(kind, std::vector<uint8_t>(32, 8), aad, *sealed));  // other key
    EXPECT_FALSE(AeadOpen(kind, key, aad, std::span(*sealed).first(27)));     // too short
    // Two seals of one message differ (a fresh nonce each time).
    EXPECT_NE(*AeadSeal(kind, key, aad, plain), *sealed);
    // An empty message seals to nonce and tag alone.
    auto empty = AeadSeal(kind, key, {}, {});
    ASSERT_TRUE(empty);
    auto opened_empty = AeadOpen(kind, key, {}, *empty);
    ASSERT_TRUE(opened_empty);
    EXPECT_EQ(opened_empty->size(), 0u);
  }
  auto bad_key = AeadSeal(AeadKind::kAes256Gcm, std::vector<uint8_t>(16), {}, plain);
  ASSERT_FALSE(bad_key);
  EXPECT_EQ(bad_key.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
TEST(AesCtrTest, MatchesNistSp80038aF55) {
  // NIST SP 800-38A F.5.5, CTR-AES256.Encrypt, blocks 1 and 2.
  const auto key =
      testutil::Unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  const auto iv = testutil::Unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const auto plain =
      testutil::Unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
  auto out = Aes256Ctr(key, iv, plain);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(testutil::Hex(out->Reveal()),
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5");
  auto back = Aes256Ctr(key, iv, out->Reveal());
  ASSERT_TRUE(back);
  EXPECT_EQ(testutil::Hex(back->Reveal()), testutil::Hex(plain));
  EXPECT_EQ(Aes256Ctr(key, std::span(iv).first(12), plain).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace tresor::crypto
