#include "store/keyring.h"

#include "crypto/big_endian.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/value_aead.h"

namespace tresor::store {
namespace {

// The sealed keyring's plaintext: "tresor keyring 2\n", the active term,
// the number of keys, then each key's term, the time it became active (Unix
// seconds) and its 32 bytes. Integers are 4 bytes, big-endian. Version 1
// had no times.
constexpr std::string_view kMagic = "tresor keyring 2\n";
constexpr std::string_view kMagicV1 = "tresor keyring 1\n";
constexpr size_t kKeySize = 32;

}  // namespace

Keyring Keyring::Generate(int64_t now) {
  Keyring k;
  k.active_ = 1;
  k.keys_.emplace(1, Term{crypto::RandomSecret(kKeySize), now});
  return k;
}

Keyring Keyring::Rotated(int64_t now) const {
  Keyring k;
  for (const auto& [term, t] : keys_) {
    k.keys_.emplace(term, Term{crypto::SecretBytes::CopyOf(t.key.Reveal(), crypto::Lifetime::kLong),
                               t.installed});
  }
  k.active_ = keys_.rbegin()->first + 1;
  k.keys_.emplace(k.active_, Term{crypto::RandomSecret(kKeySize), now});
  return k;
}

int64_t Keyring::install_time(uint32_t term) const {
  auto it = keys_.find(term);
  return it == keys_.end() ? 0 : it->second.installed;
}

std::vector<uint8_t> Keyring::Seal(const crypto::SecretBytes& root_key) const {
  crypto::SecretBytes plain(kMagic.size() + 8 + keys_.size() * (8 + kKeySize));
  uint8_t* at = std::copy(kMagic.begin(), kMagic.end(), plain.Mutable().data());
  crypto::StoreU32(at, active_);
  crypto::StoreU32(at + 4, static_cast<uint32_t>(keys_.size()));
  at += 8;
  for (const auto& [term, t] : keys_) {
    crypto::StoreU32(at, term);
    crypto::StoreU32(at + 4, static_cast<uint32_t>(t.installed));
    at = std::copy(t.key.Reveal().begin(), t.key.Reveal().end(), at + 8);
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
  const auto starts = [&](std::string_view magic) {
    return in.size() >= magic.size() + 8 && std::equal(magic.begin(), magic.end(), in.begin());
  };
  const bool timed = starts(kMagic);
  if (!timed && !starts(kMagicV1)) return bad;
  in = in.subspan(kMagic.size());
  Keyring k;
  k.active_ = crypto::ReadU32(in);
  const uint32_t count = crypto::ReadU32(in.subspan(4));
  in = in.subspan(8);
  const size_t head = timed ? 8 : 4;
  if (in.size() != static_cast<size_t>(count) * (head + kKeySize)) return bad;
  for (uint32_t i = 0; i < count; ++i) {
    k.keys_.emplace(
        crypto::ReadU32(in),
        Term{crypto::SecretBytes::CopyOf(in.subspan(head, kKeySize), crypto::Lifetime::kLong),
             timed ? int64_t{crypto::ReadU32(in.subspan(4))} : 0});
    in = in.subspan(head + kKeySize);
  }
  if (k.Key(k.active_) == nullptr) return bad;
  return k;
}

const crypto::SecretBytes* Keyring::Key(uint32_t term) const {
  auto it = keys_.find(term);
  return it == keys_.end() ? nullptr : &it->second.key;
}

crypto::SecretBytes Keyring::DeriveKey(std::string_view purpose) const {
  return crypto::HkdfSha256(keys_.begin()->second.key.Reveal(), {}, purpose, kKeySize);
}

}  // namespace tresor::store
