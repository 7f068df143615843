// The barrier's keys: numbered terms of 32-byte keys, one of them active
// (new records), all of them readable (old records), each with the time it
// became active. The keyring is stored encrypted under the root key; the
// root key is what unsealing recovers. A rotation adds a term; none is
// ever removed (records are not rewritten).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::store {

class Keyring {
 public:
  // A keyring with one fresh random key, term 1, active from `now` (Unix
  // seconds).
  static Keyring Generate(int64_t now = 0);
  // A keyring as Seal left it, opened with `root_key`. kIntegrity when the
  // root key is not the one that sealed it (or the bytes were changed).
  static Result<Keyring> Open(std::span<const uint8_t> sealed, const crypto::SecretBytes& root_key);
  // The keyring encrypted under `root_key`.
  std::vector<uint8_t> Seal(const crypto::SecretBytes& root_key) const;

  // A copy with one more fresh key, its term above the others', active
  // from `now`.
  Keyring Rotated(int64_t now) const;

  uint32_t active_term() const { return active_; }
  size_t size() const { return keys_.size(); }
  // When `term` became active (Unix seconds; 0 if the keyring was sealed
  // before times were kept).
  int64_t install_time(uint32_t term) const;
  // The key of `term`, or null.
  const crypto::SecretBytes* Key(uint32_t term) const;
  // A key for another purpose (token and audit HMACs), derived from the
  // first term's key, so it lasts as long as the data does.
  crypto::SecretBytes DeriveKey(std::string_view purpose) const;

 private:
  struct Term {
    crypto::SecretBytes key;
    int64_t installed = 0;
  };
  uint32_t active_ = 0;
  std::map<uint32_t, Term> keys_;
};

// Where the sealed keyring is stored (outside the barrier).
inline constexpr char kKeyringPath[] = "core/keyring";

}  // namespace tresor::store
