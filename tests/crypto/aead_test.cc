#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>
#include <vector>

#include "crypto/random.h"
#include "support/hex.h"

namespace tresor::crypto {
namespace {

using testutil::Hex;
using testutil::Unhex;
using Use = ChaCha20Poly1305::Use;

constexpr std::string_view kKey =
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
constexpr std::string_view kPlaintext =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
    "future, sunscreen would be it.";
// RFC 8439 section 2.8.2 without its AAD: the ciphertext is the RFC's; the tag
// (AAD changes only the tag) was computed with pyca/cryptography, which gives
// the RFC's tag when the AAD is supplied.
constexpr std::string_view kCiphertext =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
    "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b"
    "4831d7bc3ff4def08e4b7a9de576d26586cec64b6116";
constexpr std::string_view kTag = "6a23a4681fd59456aea1d29f82477216";
constexpr std::array<uint8_t, 12> kNonce{7,    0,    0,    0,    0x40, 0x41,
                                         0x42, 0x43, 0x44, 0x45, 0x46, 0x47};

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> Seal(Use use, std::span<const uint8_t> key, std::span<const uint8_t> msg) {
  auto aead = ChaCha20Poly1305::Create(key, use);
  std::vector<uint8_t> sealed(msg.size() + ChaCha20Poly1305::kTagSize);
  aead->Seal(kNonce, msg, sealed);
  return sealed;
}

class AeadBackendTest : public ::testing::TestWithParam<Use> {};

TEST_P(AeadBackendTest, SealsTheRfc8439Vector) {
  EXPECT_EQ(Hex(Seal(GetParam(), Unhex(kKey), Bytes(kPlaintext))),
            std::string(kCiphertext) + std::string(kTag));
}

TEST_P(AeadBackendTest, OpensTheRfc8439Vector) {
  auto aead = ChaCha20Poly1305::Create(Unhex(kKey), GetParam());
  const auto sealed = Unhex(std::string(kCiphertext) + std::string(kTag));
  std::vector<uint8_t> opened(kPlaintext.size());
  ASSERT_TRUE(aead->Open(kNonce, sealed, opened));
  EXPECT_EQ(opened, Bytes(kPlaintext));
}

TEST_P(AeadBackendTest, EmptyMessageIsJustATag) {
  EXPECT_EQ(Hex(Seal(GetParam(), Unhex(kKey), {})), "a0784d7a4716f3feb4f64e7f4b39bf04");
}

TEST_P(AeadBackendTest, TamperedTagOrBodyFailsAndWipesOutput) {
  auto aead = ChaCha20Poly1305::Create(Unhex(kKey), GetParam());
  for (size_t flip : {size_t{0}, kPlaintext.size() - 1, kPlaintext.size() + 15}) {
    auto sealed = Unhex(std::string(kCiphertext) + std::string(kTag));
    sealed[flip] ^= 0x80;
    std::vector<uint8_t> opened(kPlaintext.size(), 0xaa);
    EXPECT_FALSE(aead->Open(kNonce, sealed, opened)) << "flipped byte " << flip;
    EXPECT_EQ(opened, std::vector<uint8_t>(kPlaintext.size(), 0)) << "flipped byte " << flip;
  }
}

TEST_P(AeadBackendTest, ShorterThanATagFails) {
  auto aead = ChaCha20Poly1305::Create(Unhex(kKey), GetParam());
  std::vector<uint8_t> sealed(15), opened;
  EXPECT_FALSE(aead->Open(kNonce, sealed, opened));
}

TEST_P(AeadBackendTest, WorksInPlace) {
  auto aead = ChaCha20Poly1305::Create(Unhex(kKey), GetParam());
  auto buf = Bytes(kPlaintext);
  buf.resize(kPlaintext.size() + 16);
  aead->Seal(kNonce, std::span(buf).first(kPlaintext.size()), buf);
  EXPECT_EQ(Hex(buf), std::string(kCiphertext) + std::string(kTag));
  ASSERT_TRUE(aead->Open(kNonce, buf, std::span(buf).first(kPlaintext.size())));
  EXPECT_EQ(std::vector(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(kPlaintext.size())),
            Bytes(kPlaintext));
}

INSTANTIATE_TEST_SUITE_P(Backends, AeadBackendTest, ::testing::Values(Use::kMixed, Use::kBulk),
                         [](const auto& param_info) {
                           return param_info.param == Use::kMixed ? std::string("libsodium")
                                                                  : std::string("openssl");
                         });

// The two libraries agree at every size around block and chunk boundaries.
TEST(AeadTest, BackendsAgreeAtEverySize) {
  const SecretBytes key = RandomSecret(32);
  for (size_t size : {1, 15, 16, 17, 63, 64, 65, 1000, 65535, 65536, 65537}) {
    std::vector<uint8_t> msg(size);
    FillRandom(msg);
    EXPECT_EQ(Seal(Use::kMixed, key.Reveal(), msg), Seal(Use::kBulk, key.Reveal(), msg))
        << size << " bytes";
  }
}

// A mixed object switches library after kBulkThreshold bytes without the
// output changing, for sealing and for opening.
TEST(AeadTest, SwitchingLibraryMidStreamChangesNothing) {
  const SecretBytes key = RandomSecret(32);
  auto mixed = ChaCha20Poly1305::Create(key.Reveal(), Use::kMixed);
  auto bulk = ChaCha20Poly1305::Create(key.Reveal(), Use::kBulk);
  std::vector<uint8_t> msg(64 * 1024), a(msg.size() + 16), b(msg.size() + 16), opened(msg.size());
  const size_t messages = 2 * ChaCha20Poly1305::kBulkThreshold / msg.size();
  for (size_t i = 0; i < messages; ++i) {
    FillRandom(msg);
    std::array<uint8_t, 12> nonce{};
    nonce[0] = static_cast<uint8_t>(i);
    mixed->Seal(nonce, msg, a);
    bulk->Seal(nonce, msg, b);
    ASSERT_EQ(a, b) << "message " << i;
    ASSERT_TRUE(mixed->Open(nonce, b, opened)) << "message " << i;
    ASSERT_EQ(opened, msg) << "message " << i;
  }
}

TEST(AeadTest, RejectsWrongKeySize) {
  auto aead = ChaCha20Poly1305::Create(std::vector<uint8_t>(31));
  ASSERT_FALSE(aead);
  EXPECT_EQ(aead.error().message, "chacha20-poly1305 key must be 32 bytes");
}

}  // namespace
}  // namespace tresor::crypto
