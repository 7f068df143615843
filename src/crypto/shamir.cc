#include "crypto/shamir.h"

#include "crypto/random.h"

namespace tresor::crypto {
namespace {

// a * b in GF(2^8), branch-free.
uint8_t Multiply(uint8_t a, uint8_t b) {
  uint8_t product = 0;
  for (int i = 0; i < 8; ++i) {
    product ^= static_cast<uint8_t>(-(b & 1) & a);
    const uint8_t carry = static_cast<uint8_t>(-(a >> 7));
    a = static_cast<uint8_t>((a << 1) ^ (carry & 0x1b));
    b >>= 1;
  }
  return product;
}

// a^254 = a^-1 for a != 0 (and 0 for 0), by square-and-multiply.
uint8_t Inverse(uint8_t a) {
  uint8_t result = 1;
  uint8_t base = a;
  for (int e = 254; e > 0; e >>= 1) {
    if (e & 1) result = Multiply(result, base);
    base = Multiply(base, base);
  }
  return result;
}

}  // namespace

Result<std::vector<SecretBytes>> SplitSecret(const SecretBytes& secret, int shares, int threshold) {
  if (secret.empty() || threshold < 2 || shares < threshold || shares > 255) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "shares and threshold must satisfy 2 <= threshold <= shares <= 255");
  }
  const size_t n = secret.size();
  // coefficients[j * n + i]: the x^(j+1) coefficient of byte i's polynomial.
  SecretBytes coefficients(static_cast<size_t>(threshold - 1) * n);
  FillRandom(coefficients.Mutable());
  std::vector<SecretBytes> out;
  for (int s = 0; s < shares; ++s) {
    const auto x = static_cast<uint8_t>(s + 1);
    SecretBytes share(n + 1, Lifetime::kLong);
    auto y = share.Mutable();
    for (size_t i = 0; i < n; ++i) {
      // Horner: ((c_{t-1} x + c_{t-2}) x + ... + c_1) x + secret
      uint8_t acc = 0;
      for (int j = threshold - 2; j >= 0; --j) {
        acc = Multiply(acc, x) ^ coefficients.Reveal()[static_cast<size_t>(j) * n + i];
      }
      y[i] = Multiply(acc, x) ^ secret.Reveal()[i];
    }
    y[n] = x;
    out.push_back(std::move(share));
  }
  return out;
}

Result<SecretBytes> CombineShares(std::span<const SecretBytes> shares) {
  if (shares.size() < 2) {
    return MakeError(ErrorCode::kInvalidArgument, "at least 2 shares are needed");
  }
  const size_t length = shares[0].size();
  for (size_t a = 0; a < shares.size(); ++a) {
    if (shares[a].size() != length || length < 2) {
      return MakeError(ErrorCode::kInvalidArgument, "the shares have different lengths");
    }
    const uint8_t xa = shares[a].Reveal()[length - 1];
    if (xa == 0) return MakeError(ErrorCode::kInvalidArgument, "a share has x = 0");
    for (size_t b = 0; b < a; ++b) {
      if (shares[b].Reveal()[length - 1] == xa) {
        return MakeError(ErrorCode::kInvalidArgument, "the same share was given twice");
      }
    }
  }
  SecretBytes secret(length - 1, Lifetime::kLong);
  auto out = secret.Mutable();
  // Lagrange interpolation at x = 0: sum of y_a * prod_{b != a} x_b / (x_a - x_b);
  // subtraction is XOR in GF(2^8).
  for (size_t a = 0; a < shares.size(); ++a) {
    const uint8_t xa = shares[a].Reveal()[length - 1];
    uint8_t basis = 1;
    for (size_t b = 0; b < shares.size(); ++b) {
      if (b == a) continue;
      const uint8_t xb = shares[b].Reveal()[length - 1];
      basis = Multiply(basis, Multiply(xb, Inverse(static_cast<uint8_t>(xa ^ xb))));
    }
    for (size_t i = 0; i + 1 < length; ++i) out[i] ^= Multiply(shares[a].Reveal()[i], basis);
  }
  return secret;
}

}  // namespace tresor::crypto
