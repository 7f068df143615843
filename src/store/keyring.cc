#include "store/keyring.h"

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

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t GetU32(std::span<const uint8_t> in) {
  return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Keyring Keyring::Generate() {
  Keyring k;
  k.active_ = 1;
  k.keys_.emplace(1, crypto::RandomSecret(kKeySize));
  return k;
}

std::vector<uint8_t> Keyring::Seal(const crypto::SecretBytes& root_key) const {
  crypto::SecretBytes plain(kMagic.size() + 8 + keys_.size() * (4 + kKeySize));
  std::vector<uint8_t> head(kMagic.begin(), kMagic.end());
  PutU32(head, active_);
  PutU32(head, static_cast<uint32_t>(keys_.size()));
  auto out = plain.Mutable();
  std::copy(head.begin(), head.end(), out.begin());
  size_t at = head.size();
  for (const auto& [term, key] : keys_) {
    std::vector<uint8_t> t;
    PutU32(t, term);
    std::copy(t.begin(), t.end(), out.begin() + static_cast<ptrdiff_t>(at));
    std::copy(key.Reveal().begin(), key.Reveal().end(),
              out.begin() + static_cast<ptrdiff_t>(at + 4));
    at += 4 + kKeySize;
  }
  return crypto::SealValue(root_key.Reveal(), AsBytes(kKeyringPath), plain.Reveal());
}

Result<Keyring> Keyring::Open(std::span<const uint8_t> sealed,
                              const crypto::SecretBytes& root_key) {
  auto plain = crypto::OpenValue(root_key.Reveal(), AsBytes(kKeyringPath), sealed);
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
  k.active_ = GetU32(in);
  const uint32_t count = GetU32(in.subspan(4));
  in = in.subspan(8);
  if (in.size() != static_cast<size_t>(count) * (4 + kKeySize)) return bad;
  for (uint32_t i = 0; i < count; ++i) {
    k.keys_.emplace(GetU32(in),
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
