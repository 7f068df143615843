#include "store/keyring.h"

#include "crypto/big_endian.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/value_aead.h"

namespace tresor::store {
namespace {

// The sealed keyring's plaintext: "tresor keyring 1\n", the active term,
// the number of keys, then each key's term and 32 bytes. Integers are
// 4 bytes, big-endian.
constexpr std::string_view kMagic = "tresor keyring 1\n";
constexpr size_t kKeySize = 32;

}  // namespace

Keyring Keyring::Generate() {
  Keyring k;
  k.active_ = 1;
  k.keys_.emplace(1, crypto::RandomSecret(kKeySize));
  return k;
}

std::vector<uint8_t> Keyring::Seal(const crypto::SecretBytes& root_key) const {
  crypto::SecretBytes plain(kMagic.size() + 8 + keys_.size() * (4 + kKeySize));
  uint8_t* at = std::copy(kMagic.begin(), kMagic.end(), plain.Mutable().data());
  crypto::StoreU32(at, active_);
  crypto::StoreU32(at + 4, static_cast<uint32_t>(keys_.size()));
  at += 8;
  for (const auto& [term, key] : keys_) {
    crypto::StoreU32(at, term);
    at = std::copy(key.Reveal().begin(), key.Reveal().end(), at + 4);
  }
  return crypto::SealValue(root_key.Reveal(), crypto::AsBytes(kKeyringPath), plain.Reveal());
}

Result<Keyring> Keyring::Open(std::span<const uint8_t> sealed,
                              const crypto::SecretBytes& root_key) {
  auto plain = crypto::OpenValue(root_key.Reveal(), crypto::AsBytes(kKeyringPath), sealed);
  if (!plain) {
    return MakeError(ErrorCode::kIntegrity, "the root key does not open the keyring");
  }
  auto in = plain->Reveal();
  const auto bad = MakeError(ErrorCode::kIntegrity, "the keyring is malformed");
  if (in.size() < kMagic.size() + 8 || !std::equal(kMagic.begin(), kMagic.end(), in.begin())) {
    return bad;
  }
  in = in.subspan(kMagic.size());
  Keyring k;
  k.active_ = crypto::ReadU32(in);
  const uint32_t count = crypto::ReadU32(in.subspan(4));
  in = in.subspan(8);
  if (in.size() != static_cast<size_t>(count) * (4 + kKeySize)) return bad;
  for (uint32_t i = 0; i < count; ++i) {
    k.keys_.emplace(crypto::ReadU32(in),
                    crypto::SecretBytes::CopyOf(in.subspan(4, kKeySize), crypto::Lifetime::kLong));
    in = in.subspan(4 + kKeySize);
  }
  if (k.Key(k.active_) == nullptr) return bad;
  return k;
}

const crypto::SecretBytes* Keyring::Key(uint32_t term) const {
  auto it = keys_.find(term);
  return it == keys_.end() ? nullptr : &it->second;
}

crypto::SecretBytes Keyring::DeriveKey(std::string_view purpose) const {
  return crypto::HkdfSha256(keys_.begin()->second.Reveal(), {}, purpose, kKeySize);
}

}  // namespace tresor::store
