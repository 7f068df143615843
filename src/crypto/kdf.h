// Hashes and key derivation: SHA-256, HMAC-SHA-256, HKDF-SHA-256 (RFC 5869)
// and scrypt (RFC 7914), all from libsodium. Debian's libsodium 1.0.18 has no
// HKDF, so it is composed here from libsodium's HMAC-SHA-256 (RFC 5869 is two
// loops of HMAC); OpenSSL's EVP_KDF would do it too, but its first use costs
// about half a millisecond of provider set-up, a quarter of the budget of a
// whole `tresor decrypt` of a small file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

struct crypto_hash_sha256_state;
struct crypto_hash_sha512_state;
struct crypto_auth_hmacsha256_state;
struct crypto_generichash_blake2b_state;

namespace tresor::crypto {

using Digest = std::array<uint8_t, 32>;

std::span<const uint8_t> AsBytes(std::string_view s);

// Lowercase hex of `bytes` (digests, HMACs, random names).
std::string HexEncode(std::span<const uint8_t> bytes);
// Fills `out` from exactly 2 * out.size() hex digits (either case); false
// (and `out` unspecified) for anything else.
bool HexDecode(std::string_view hex, std::span<uint8_t> out);

Digest Sha256(std::span<const uint8_t> data);
std::array<uint8_t, 64> Sha512(std::span<const uint8_t> data);

// Incremental SHA-256, for hashing streams.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  void Update(std::span<const uint8_t> data);
  Digest Finish();

 private:
  std::unique_ptr<crypto_hash_sha256_state> state_;
};

// Incremental SHA-512 (sops's MAC over a file's values).
class Sha512Hasher {
 public:
  Sha512Hasher();
  ~Sha512Hasher();  // wipes the state: it may have hashed plaintext
  Sha512Hasher(const Sha512Hasher&) = delete;
  Sha512Hasher& operator=(const Sha512Hasher&) = delete;
  void Update(std::span<const uint8_t> data);
  std::array<uint8_t, 64> Finish();

 private:
  std::unique_ptr<crypto_hash_sha512_state> state_;
};

Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data);
std::array<uint8_t, 64> HmacSha512(std::span<const uint8_t> key, std::span<const uint8_t> data);

// HMAC-SHA-256 under one key, many times: the keyed state is computed once,
// so a MAC of a short input costs two SHA-256 blocks instead of four. The
// state, which holds the key, is wiped on destruction. Thread-safe.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::span<const uint8_t> key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;
  Digest Mac(std::span<const uint8_t> data) const;

 private:
  std::unique_ptr<crypto_auth_hmacsha256_state> keyed_;
};

// Keyed BLAKE2b with a 32-byte output (RFC 7693), for MACs over large inputs:
// about three times the speed of HMAC-SHA-256 in libsodium. Incremental;
// the state, which holds the key, is wiped on destruction.
class Blake2bMac {
 public:
  explicit Blake2bMac(std::span<const uint8_t> key);
  ~Blake2bMac();
  Blake2bMac(const Blake2bMac&) = delete;
  Blake2bMac& operator=(const Blake2bMac&) = delete;
  void Update(std::span<const uint8_t> data);
  Digest Finish();

 private:
  std::unique_ptr<crypto_generichash_blake2b_state> state_;
};

// PBKDF2-HMAC-SHA-256 (RFC 8018) to `length` bytes: what ansible-vault
// derives its keys with. `iterations` at least 1.
SecretBytes Pbkdf2Sha256(std::span<const uint8_t> password, std::span<const uint8_t> salt,
                         uint32_t iterations, size_t length);

// HKDF-SHA-256 extract-and-expand to `length` bytes (at most 255 * 32).
SecretBytes HkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                       std::string_view info, size_t length);

// scrypt with N = 2^log_n, r = 8, p = 1, as age uses it. Needs 2^log_n KiB
// of memory; fails with kInternal if that cannot be had.
Result<SecretBytes> Scrypt(std::span<const uint8_t> passphrase, std::span<const uint8_t> salt,
                           int log_n, size_t length);

}  // namespace tresor::crypto
