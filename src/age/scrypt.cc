#include "age/scrypt.h"

#include "age/base64.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::age {
namespace {

constexpr std::string_view kStanzaType = "scrypt";
constexpr std::string_view kSaltLabel = "age-encryption.org/v1/scrypt";
constexpr size_t kSaltSize = 16;
// Each derived key wraps exactly one file key, so a zero nonce is safe.
constexpr std::array<uint8_t, 12> kZeroNonce{};

Result<crypto::SecretBytes> DeriveKey(const crypto::SecretBytes& passphrase,
                                      std::span<const uint8_t> salt, int log_n) {
  std::vector<uint8_t> full_salt(kSaltLabel.begin(), kSaltLabel.end());
  full_salt.insert(full_salt.end(), salt.begin(), salt.end());
  return crypto::Scrypt(passphrase.Reveal(), full_salt, log_n, 32);
}

// Decimal, no sign, no leading zero: "18". Returns -1 if malformed.
int ParseWorkFactor(std::string_view text) {
  if (text.empty() || text.size() > 2 || text[0] == '0') return -1;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Result<std::vector<Stanza>> ScryptRecipient::Wrap(const crypto::SecretBytes& file_key) const {
  std::array<uint8_t, kSaltSize> salt{};
  crypto::FillRandom(salt);
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes key, DeriveKey(passphrase_, salt, log_n_));
  TRESOR_ASSIGN_OR_RETURN(auto aead, crypto::ChaCha20Poly1305::Create(key.Reveal()));
  Stanza stanza{std::string(kStanzaType), {EncodeBase64Unpadded(salt), std::to_string(log_n_)}, {}};
  stanza.body.resize(file_key.size() + crypto::ChaCha20Poly1305::kTagSize);
  aead.Seal(kZeroNonce, file_key.Reveal(), stanza.body);
  return std::vector<Stanza>{std::move(stanza)};
}

Result<std::optional<crypto::SecretBytes>> ScryptIdentity::Unwrap(
    std::span<const Stanza> stanzas) const {
  for (const Stanza& stanza : stanzas) {
    if (stanza.type != kStanzaType) continue;
    auto bad = [](const std::string& what) {
      return MakeError(ErrorCode::kHeader, "scrypt stanza: " + what);
    };
    if (stanzas.size() != 1) return bad("an scrypt stanza must be the only one in the file");
    if (stanza.args.size() != 2) return bad("expected a salt and a work factor");
    std::vector<uint8_t> salt;
    if (!DecodeBase64Unpadded(stanza.args[0], salt) || salt.size() != kSaltSize) {
      return bad("salt is not 16 bytes of canonical base64");
    }
    const int log_n = ParseWorkFactor(stanza.args[1]);
    if (log_n <= 0) return bad("malformed work factor");
    if (log_n > max_log_n_) {
      return bad("work factor " + std::to_string(log_n) + " exceeds the limit of " +
                 std::to_string(max_log_n_));
    }
    if (stanza.body.size() != kFileKeySize + crypto::ChaCha20Poly1305::kTagSize) {
      return bad("body is not a wrapped 16-byte file key");
    }
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes key, DeriveKey(passphrase_, salt, log_n));
    TRESOR_ASSIGN_OR_RETURN(auto aead, crypto::ChaCha20Poly1305::Create(key.Reveal()));
    crypto::SecretBytes file_key(kFileKeySize);
    if (aead.Open(kZeroNonce, stanza.body, file_key.Mutable())) {
      return std::optional<crypto::SecretBytes>(std::move(file_key));
    }
  }
  return std::optional<crypto::SecretBytes>();
}

}  // namespace tresor::age
