// ECDSA on P-256 (crypto/p256.h): a signature checks with the key that made
// it, against its digest only, and the public key is the scalar's.
#include "crypto/p256.h"

#include <gtest/gtest.h>

#include "crypto/kdf.h"
#include "crypto/signature.h"

namespace tresor::crypto {
namespace {

TEST(P256Test, SignsADigestThatItsPublicKeyChecks) {
  const SecretBytes scalar = P256NewScalar();
  ASSERT_EQ(scalar.size(), kP256ScalarSize);
  const auto message = AsBytes("release 1.2.3");
  const Digest digest = Sha256(message);
  auto signature = P256SignDigest(scalar, digest);
  ASSERT_TRUE(signature) << signature.error().message;
  EXPECT_EQ((*signature)[0], 0x30);  // a DER SEQUENCE
  EXPECT_TRUE(*P256VerifyDigest(scalar, digest, *signature));
  Digest other = digest;
  other[0] ^= 1;
  EXPECT_FALSE(*P256VerifyDigest(scalar, other, *signature));
  EXPECT_FALSE(*P256VerifyDigest(P256NewScalar(), digest, *signature));
  std::vector<uint8_t> cut(signature->begin(), signature->end() - 1);
  EXPECT_FALSE(*P256VerifyDigest(scalar, digest, cut));

  // The PEM public key checks the same signature as a JWT's ES256 key
  // would, once the DER is turned into r || s.
  auto pem = P256PublicKeyPem(scalar);
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_TRUE(pem->starts_with("-----BEGIN PUBLIC KEY-----\n"));
  EXPECT_TRUE(pem->ends_with("\n-----END PUBLIC KEY-----\n"));
  auto key = PublicKey::FromPem(*pem);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), SignatureAlgorithm::kEs256);
  const std::vector<uint8_t>& der = *signature;
  // SEQUENCE { INTEGER r, INTEGER s }, each left-padded to 32 bytes.
  std::vector<uint8_t> raw;
  size_t at = 2;
  for (int i = 0; i < 2; ++i) {
    const size_t length = der[at + 1];
    std::span<const uint8_t> value(der.data() + at + 2, length);
    if (value.size() > 32) value = value.subspan(value.size() - 32);
    raw.insert(raw.end(), 32 - value.size(), 0);
    raw.insert(raw.end(), value.begin(), value.end());
    at += 2 + length;
  }
  EXPECT_TRUE(key->Verify(message, raw));
}

TEST(P256Test, ScalarsAreFreshAndTheWrongSizeIsRefused) {
  const SecretBytes a = P256NewScalar(), b = P256NewScalar();
  EXPECT_FALSE(std::equal(a.Reveal().begin(), a.Reveal().end(), b.Reveal().begin()));
  auto refused = P256SignDigest(SecretBytes(31), Sha256(AsBytes("x")));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "a P-256 private key is 32 bytes");
}

}  // namespace
}  // namespace tresor::crypto
