#include "crypto/kdf.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "crypto/big_endian.h"

namespace tresor::crypto {
namespace {

// libsodium takes a null pointer for empty input only sometimes; a valid
// address is always accepted.
const uint8_t* DataOrEmpty(std::span<const uint8_t> bytes) {
  static const uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

// Incremental HMAC-SHA-256 whose state (which holds the key) is wiped.
class Hmac {
 public:
  explicit Hmac(std::span<const uint8_t> key) {
    EnsureInitialized();
    TRESOR_CHECK(crypto_auth_hmacsha256_init(&state_, DataOrEmpty(key), key.size()) == 0,
                 "hmac-sha-256 init failed");
  }
  // Continues from a state that has taken its key (HmacSha256Key's).
  explicit Hmac(const crypto_auth_hmacsha256_state& keyed) : state_(keyed) {}
  ~Hmac() { sodium_memzero(&state_, sizeof state_); }
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  void Update(std::span<const uint8_t> data) {
    TRESOR_CHECK(crypto_auth_hmacsha256_update(&state_, DataOrEmpty(data), data.size()) == 0,
                 "hmac-sha-256 update failed");
  }
  void Finish(std::span<uint8_t, 32> out) {
    TRESOR_CHECK(crypto_auth_hmacsha256_final(&state_, out.data()) == 0,
                 "hmac-sha-256 final failed");
  }

 private:
  crypto_auth_hmacsha256_state state_;
};

}  // namespace

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

bool HexDecode(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != 2 * out.size()) return false;
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(hex[2 * i]);
    const int lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::array<uint8_t, 64> Sha512(std::span<const uint8_t> data) {
  EnsureInitialized();
  std::array<uint8_t, 64> out{};
  crypto_hash_sha512(out.data(), DataOrEmpty(data), data.size());
  return out;
}

Digest Sha256(std::span<const uint8_t> data) {
  Sha256Hasher hasher;
  hasher.Update(data);
  return hasher.Finish();
}

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<crypto_hash_sha256_state>()) {
  EnsureInitialized();
  TRESOR_CHECK(crypto_hash_sha256_init(state_.get()) == 0, "sha-256 init failed");
}

Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::span<const uint8_t> data) {
  TRESOR_CHECK(crypto_hash_sha256_update(state_.get(), DataOrEmpty(data), data.size()) == 0,
               "sha-256 update failed");
}

Digest Sha256Hasher::Finish() {
  Digest out{};
  TRESOR_CHECK(crypto_hash_sha256_final(state_.get(), out.data()) == 0, "sha-256 final failed");
  return out;
}

Sha512Hasher::Sha512Hasher() : state_(std::make_unique<crypto_hash_sha512_state>()) {
  EnsureInitialized();
  TRESOR_CHECK(crypto_hash_sha512_init(state_.get()) == 0, "sha-512 init failed");
}

Sha512Hasher::~Sha512Hasher() { sodium_memzero(state_.get(), sizeof *state_); }

void Sha512Hasher::Update(std::span<const uint8_t> data) {
  TRESOR_CHECK(crypto_hash_sha512_update(state_.get(), DataOrEmpty(data), data.size()) == 0,
               "sha-512 update failed");
}

std::array<uint8_t, 64> Sha512Hasher::Finish() {
  std::array<uint8_t, 64> out{};
  TRESOR_CHECK(crypto_hash_sha512_final(state_.get(), out.data()) == 0, "sha-512 final failed");
  return out;
}

Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data) {
  Digest out{};
  Hmac hmac(key);
  hmac.Update(data);
  hmac.Finish(out);
  return out;
}

std::array<uint8_t, 64> HmacSha512(std::span<const uint8_t> key, std::span<const uint8_t> data) {
  EnsureInitialized();
  crypto_auth_hmacsha512_state state;
  std::array<uint8_t, 64> out{};
  bool ok = crypto_auth_hmacsha512_init(&state, DataOrEmpty(key), key.size()) == 0;
  ok = ok && crypto_auth_hmacsha512_update(&state, DataOrEmpty(data), data.size()) == 0;
  ok = ok && crypto_auth_hmacsha512_final(&state, out.data()) == 0;
  sodium_memzero(&state, sizeof state);
  TRESOR_CHECK(ok, "hmac-sha-512 failed");
  return out;
}

HmacSha256Key::HmacSha256Key(std::span<const uint8_t> key)
    : keyed_(std::make_unique<crypto_auth_hmacsha256_state>()) {
  EnsureInitialized();
  TRESOR_CHECK(crypto_auth_hmacsha256_init(keyed_.get(), DataOrEmpty(key), key.size()) == 0,
               "hmac-sha-256 init failed");
}

HmacSha256Key::~HmacSha256Key() { sodium_memzero(keyed_.get(), sizeof *keyed_); }

Digest HmacSha256Key::Mac(std::span<const uint8_t> data) const {
  Digest out{};
  Hmac hmac(*keyed_);
  hmac.Update(data);
  hmac.Finish(out);
  return out;
}

SecretBytes Pbkdf2Sha256(std::span<const uint8_t> password, std::span<const uint8_t> salt,
                         uint32_t iterations, size_t length) {
  const HmacSha256Key prf(password);
  SecretBytes out(length);
  std::vector<uint8_t> first(salt.begin(), salt.end());
  first.resize(salt.size() + 4);
  for (uint32_t block = 1, at = 0; at < length; ++block) {
    StoreU32(first.data() + salt.size(), block);
    Digest u = prf.Mac(first);
    Digest t = u;
    for (uint32_t i = 1; i < iterations; ++i) {
      u = prf.Mac(u);
      for (size_t j = 0; j < t.size(); ++j) t[j] ^= u[j];
    }
    const size_t n = std::min(t.size(), length - at);
    std::copy_n(t.begin(), n, out.Mutable().begin() + at);
    at += static_cast<uint32_t>(n);
    sodium_memzero(u.data(), u.size());
    sodium_memzero(t.data(), t.size());
  }
  return out;
}

Blake2bMac::Blake2bMac(std::span<const uint8_t> key)
    : state_(std::make_unique<crypto_generichash_blake2b_state>()) {
  TRESOR_CHECK(key.size() >= crypto_generichash_KEYBYTES_MIN &&
                   key.size() <= crypto_generichash_KEYBYTES_MAX,
               "blake2b: bad key size");
  EnsureInitialized();
  TRESOR_CHECK(crypto_generichash_blake2b_init(state_.get(), key.data(), key.size(), 32) == 0,
               "blake2b init failed");
}

Blake2bMac::~Blake2bMac() { sodium_memzero(state_.get(), sizeof *state_); }

void Blake2bMac::Update(std::span<const uint8_t> data) {
  TRESOR_CHECK(crypto_generichash_blake2b_update(state_.get(), DataOrEmpty(data), data.size()) == 0,
               "blake2b update failed");
}

Digest Blake2bMac::Finish() {
  Digest out{};
  TRESOR_CHECK(crypto_generichash_blake2b_final(state_.get(), out.data(), out.size()) == 0,
               "blake2b final failed");
  return out;
}

SecretBytes HkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                       std::string_view info, size_t length) {
  TRESOR_CHECK(length > 0 && length <= 255 * 32, "hkdf: bad output length");
  // Extract: PRK = HMAC(salt, IKM); an absent salt is 32 zero bytes, which
  // HMAC treats exactly like an empty key.
  SecretBytes prk(32);
  {
    Hmac extract(salt);
    extract.Update(ikm);
    extract.Finish(prk.Mutable().first<32>());
  }
  // Expand: T(i) = HMAC(PRK, T(i-1) | info | i), concatenated and cut to length.
  SecretBytes out(length);
  SecretBytes block(32);
  for (size_t done = 0, i = 1; done < length; ++i) {
    Hmac expand(prk.Reveal());
    if (i > 1) expand.Update(block.Reveal());
    expand.Update(AsBytes(info));
    const uint8_t counter = static_cast<uint8_t>(i);
    expand.Update({&counter, 1});
    expand.Finish(block.Mutable().first<32>());
    const size_t n = std::min<size_t>(32, length - done);
    std::copy_n(block.Reveal().begin(), n, out.Mutable().begin() + static_cast<ptrdiff_t>(done));
    done += n;
  }
  return out;
}

Result<SecretBytes> Scrypt(std::span<const uint8_t> passphrase, std::span<const uint8_t> salt,
                           int log_n, size_t length) {
  TRESOR_CHECK(log_n > 0 && log_n < 64, "scrypt: bad work factor");
  EnsureInitialized();
  SecretBytes out(length);
  static const uint8_t kEmpty = 0;
  const int rc = crypto_pwhash_scryptsalsa208sha256_ll(
      passphrase.empty() ? &kEmpty : passphrase.data(), passphrase.size(),
      salt.empty() ? &kEmpty : salt.data(), salt.size(), uint64_t{1} << log_n, 8, 1,
      out.Mutable().data(), length);
  if (rc != 0) {
    return MakeError(ErrorCode::kInternal, "scrypt with work factor " + std::to_string(log_n) +
                                               " failed (not enough memory?)");
  }
  return out;
}

}  // namespace tresor::crypto
