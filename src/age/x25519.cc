#include "age/x25519.h"

#include <algorithm>

#include "age/base64.h"
#include "age/bech32.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::age {
namespace {

constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "age-secret-key-";
constexpr std::string_view kStanzaType = "X25519";
constexpr std::string_view kWrapInfo = "age-encryption.org/v1/X25519";
// The wrap key is used exactly once, so a zero nonce is safe.
constexpr std::array<uint8_t, 12> kZeroNonce{};

crypto::SecretBytes WrapKey(const crypto::SecretBytes& shared, std::span<const uint8_t> share,
                            std::span<const uint8_t> recipient) {
  std::vector<uint8_t> salt(share.begin(), share.end());
  salt.insert(salt.end(), recipient.begin(), recipient.end());
  return crypto::HkdfSha256(shared.Reveal(), salt, kWrapInfo, 32);
}

}  // namespace

Result<X25519Recipient> X25519Recipient::Parse(std::string_view text) {
  auto decoded = Bech32Decode(text);
  if (!decoded || decoded->hrp != kRecipientHrp || decoded->data.size() != crypto::kX25519Size) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid recipient \"" + std::string(text) + "\" (expected age1...)");
  }
  crypto::X25519Point point{};
  std::copy(decoded->data.begin(), decoded->data.end(), point.begin());
  return X25519Recipient(point);
}

std::string X25519Recipient::String() const { return Bech32Encode(kRecipientHrp, point_); }

Result<std::vector<Stanza>> X25519Recipient::Wrap(const crypto::SecretBytes& file_key) const {
  crypto::SecretBytes ephemeral = crypto::RandomSecret(crypto::kX25519Size);
  auto scalar = ephemeral.Reveal().first<crypto::kX25519Size>();
  const crypto::X25519Point share = crypto::X25519Base(scalar);
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes shared, crypto::X25519(scalar, point_));
  crypto::SecretBytes key = WrapKey(shared, share, point_);
  TRESOR_ASSIGN_OR_RETURN(auto aead, crypto::ChaCha20Poly1305::Create(key.Reveal()));
  Stanza stanza{std::string(kStanzaType), {EncodeBase64Unpadded(share)}, {}};
  stanza.body.resize(file_key.size() + crypto::ChaCha20Poly1305::kTagSize);
  aead.Seal(kZeroNonce, file_key.Reveal(), stanza.body);
  return std::vector<Stanza>{std::move(stanza)};
}

X25519Identity X25519Identity::Generate() {
  X25519Identity id(crypto::RandomSecret(crypto::kX25519Size));
  id.point_ = crypto::X25519Base(id.Scalar());
  return id;
}

Result<X25519Identity> X25519Identity::Parse(std::string_view text) {
  auto decoded = Bech32Decode(text);
  if (!decoded || decoded->hrp != kIdentityHrp || decoded->data.size() != crypto::kX25519Size) {
    if (decoded) crypto::Wipe(decoded->data);
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid identity (expected AGE-SECRET-KEY-1...)");
  }
  // An identity may be held for a long time (by the agent): guarded memory.
  X25519Identity id(crypto::SecretBytes::CopyOf(decoded->data, crypto::Lifetime::kLong));
  crypto::Wipe(decoded->data);
  id.point_ = crypto::X25519Base(id.Scalar());
  return id;
}

crypto::SecretBytes X25519Identity::Encode() const {
  std::string text = Bech32Encode(kIdentityHrp, scalar_.Reveal());
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; });
  crypto::SecretBytes out = crypto::SecretBytes::CopyOf(crypto::AsBytes(text));
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
  return out;
}

X25519Recipient X25519Identity::ToRecipient() const { return X25519Recipient(point_); }

Result<std::optional<crypto::SecretBytes>> X25519Identity::Unwrap(
    std::span<const Stanza> stanzas) const {
  for (const Stanza& stanza : stanzas) {
    if (stanza.type != kStanzaType) continue;
    auto bad = [](const std::string& what) {
      return MakeError(ErrorCode::kHeader, "X25519 stanza: " + what);
    };
    if (stanza.args.size() != 1) return bad("expected exactly one argument");
    std::vector<uint8_t> share;
    if (!DecodeBase64Unpadded(stanza.args[0], share) || share.size() != crypto::kX25519Size) {
      return bad("share is not 32 bytes of canonical base64");
    }
    if (stanza.body.size() != kFileKeySize + crypto::ChaCha20Poly1305::kTagSize) {
      return bad("body is not a wrapped 16-byte file key");
    }
    auto share_point = std::span<const uint8_t, crypto::kX25519Size>(share.data(), share.size());
    auto shared = crypto::X25519(Scalar(), share_point);
    if (!shared) return bad("share is a low-order point");
    crypto::SecretBytes key = WrapKey(*shared, share, point_);
    TRESOR_ASSIGN_OR_RETURN(auto aead, crypto::ChaCha20Poly1305::Create(key.Reveal()));
    crypto::SecretBytes file_key(kFileKeySize);
    if (aead.Open(kZeroNonce, stanza.body, file_key.Mutable())) {
      return std::optional<crypto::SecretBytes>(std::move(file_key));
    }
  }
  return std::optional<crypto::SecretBytes>();
}

}  // namespace tresor::age
