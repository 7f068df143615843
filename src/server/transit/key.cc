#include "server/transit/key.h"

#include <charconv>

#include "age/base64.h"
#include "crypto/kdf.h"
#include "crypto/p256.h"
#include "crypto/random.h"
#include "crypto/signature.h"
#include "server/times.h"

namespace tresor::server::transit {
namespace {

constexpr std::string_view kPrefix = "vault:v";

tresor::Error Invalid(std::string message) {
  return tresor::Error{ErrorCode::kInvalidArgument, std::move(message)};
}

std::string Versioned(int version, std::span<const uint8_t> bytes) {
  return std::string(kPrefix) + std::to_string(version) + ":" + age::EncodeBase64Padded(bytes);
}

// The N of "vault:vN:..." (`what`: ciphertext or signature, for Vault's
// messages).
Result<int> PrefixedVersion(std::string_view text, std::string_view what) {
  const std::string invalid = "invalid " + std::string(what) + ": ";
  if (!text.starts_with(kPrefix)) return Invalid(invalid + "no prefix");
  text.remove_prefix(kPrefix.size());
  const size_t colon = text.find(':');
  int version = 0;
  if (colon == std::string_view::npos || colon == 0 ||
      std::from_chars(text.data(), text.data() + colon, version).ptr != text.data() + colon ||
      version < 1) {
    return Invalid(invalid + "could not parse version");
  }
  return version;
}

std::optional<KeyType> KnownType(std::string_view name) {
  if (name == "aes256-gcm96") return KeyType::kAes256Gcm96;
  if (name == "chacha20-poly1305") return KeyType::kChaCha20Poly1305;
  if (name == "ed25519") return KeyType::kEd25519;
  if (name == "ecdsa-p256") return KeyType::kEcdsaP256;
  return std::nullopt;
}

// The AEAD of an encrypting key.
crypto::AeadKind Aead(KeyType type) {
  return type == KeyType::kChaCha20Poly1305 ? crypto::AeadKind::kChaCha20Poly1305
                                            : crypto::AeadKind::kAes256Gcm;
}

}  // namespace

const char* TypeName(KeyType type) {
  switch (type) {
    case KeyType::kAes256Gcm96:
      return "aes256-gcm96";
    case KeyType::kChaCha20Poly1305:
      return "chacha20-poly1305";
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEd25519:
      break;
  }
  return "ed25519";
}

Result<TransitKey> TransitKey::Create(std::string name, std::string_view type, bool derived,
                                      int64_t now) {
  TransitKey key;
  key.name = std::move(name);
  key.derived = derived;
  if (auto known = KnownType(type.empty() ? "aes256-gcm96" : type)) {
    key.type = *known;
  } else if (type == "aes128-gcm96" || type == "ecdsa-p384" || type == "ecdsa-p521" ||
             type.starts_with("rsa-") || type == "hmac") {
    return Invalid("key type \"" + std::string(type) +
                   "\" is not supported by tresor (aes256-gcm96, chacha20-poly1305, ed25519 and "
                   "ecdsa-p256 are)");
  } else {
    return Invalid("unknown key type \"" + std::string(type) + "\"");
  }
  if (derived && key.signs()) {
    return Invalid("key derivation is not supported for " + std::string(TypeName(key.type)) +
                   " keys by tresor");
  }
  key.Rotate(now);
  return key;
}

void TransitKey::Rotate(int64_t now) {
  ++latest;
  versions[latest] =
      KeyVersion{type == KeyType::kEcdsaP256 ? crypto::P256NewScalar()
                                             : crypto::RandomSecret(crypto::kAeadKeySize),
                 now};
}

TransitKey TransitKey::Clone() const {
  TransitKey out;
  out.name = name;
  out.type = type;
  out.derived = derived;
  out.deletion_allowed = deletion_allowed;
  out.latest = latest;
  out.min_decryption_version = min_decryption_version;
  out.min_encryption_version = min_encryption_version;
  out.min_available_version = min_available_version;
  for (const auto& [n, v] : versions) {
    out.versions[n] = KeyVersion{crypto::SecretBytes::CopyOf(v.key.Reveal()), v.created};
  }
  return out;
}

Json TransitKey::ToRecord() const {
  Json keys = Json::object();
  for (const auto& [n, v] : versions) {
    keys[std::to_string(n)] =
        Json{{"key", age::EncodeBase64Padded(v.key.Reveal())}, {"created", v.created}};
  }
  return Json{{"type", TypeName(type)},
              {"derived", derived},
              {"deletion_allowed", deletion_allowed},
              {"latest", latest},
              {"min_decryption_version", min_decryption_version},
              {"min_encryption_version", min_encryption_version},
              {"min_available_version", min_available_version},
              {"versions", std::move(keys)}};
}

Result<TransitKey> TransitKey::FromRecord(std::string name, const Json& record) {
  try {
    TransitKey key;
    key.name = name;
    const auto type = KnownType(record.at("type").get<std::string>());
    if (!type) throw std::exception();
    key.type = *type;
    key.derived = record.at("derived").get<bool>();
    key.deletion_allowed = record.at("deletion_allowed").get<bool>();
    key.latest = record.at("latest").get<int>();
    key.min_decryption_version = record.at("min_decryption_version").get<int>();
    key.min_encryption_version = record.at("min_encryption_version").get<int>();
    key.min_available_version = record.value("min_available_version", 0);
    for (const auto& [n, v] : record.at("versions").items()) {
      std::vector<uint8_t> bytes;
      if (!age::DecodeBase64Padded(v.at("key").get<std::string>(), bytes) ||
          bytes.size() != crypto::kAeadKeySize) {
        throw std::exception();
      }
      key.versions[std::stoi(n)] =
          KeyVersion{crypto::SecretBytes::CopyOf(bytes), v.at("created").get<int64_t>()};
      crypto::Wipe(bytes);
    }
    if (!key.versions.contains(key.latest)) throw std::exception();
    return key;
  } catch (const std::exception&) {
    return MakeError(ErrorCode::kIntegrity, "transit key " + name + ": malformed record");
  }
}

Json TransitKey::Describe() const {
  Json keys = Json::object();
  for (const auto& [n, v] : versions) {
    if (!signs()) {
      keys[std::to_string(n)] = v.created;
      continue;
    }
    std::string public_key;
    if (type == KeyType::kEcdsaP256) {  // PEM, as Vault shows it
      auto pem = crypto::P256PublicKeyPem(v.key);
      if (pem) public_key = std::move(*pem);
    } else {
      public_key = age::EncodeBase64Padded(crypto::Ed25519PublicKeyOf(v.key));
    }
    keys[std::to_string(n)] =
        Json{{"name", type == KeyType::kEcdsaP256 ? "P-256" : "ed25519"},
             {"public_key", public_key},
             {"creation_time",
              Rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(v.created)))},
             {"certificate_chain", ""}};
  }
  return Json{{"name", name},
              {"type", TypeName(type)},
              {"keys", std::move(keys)},
              {"latest_version", latest},
              {"min_available_version", min_available_version},
              {"min_decryption_version", min_decryption_version},
              {"min_encryption_version", min_encryption_version},
              {"deletion_allowed", deletion_allowed},
              {"derived", derived},
              {"convergent_encryption", false},
              {"exportable", false},
              {"allow_plaintext_backup", false},
              {"imported_key", false},
              {"auto_rotate_period", 0},
              {"supports_encryption", !signs()},
              {"supports_decryption", !signs()},
              {"supports_derivation", !signs()},
              {"supports_signing", signs()}};
}

Result<crypto::SecretBytes> TransitKey::OperationKey(int version,
                                                     std::span<const uint8_t> context) const {
  auto it = versions.find(version);
  if (it == versions.end()) return Invalid("invalid key version");
  if (!derived) return crypto::SecretBytes::CopyOf(it->second.key.Reveal());
  if (context.empty()) {
    return Invalid(
        "missing 'context' for key derivation; the key was created using a derived key, which "
        "means additional, per-request information must be included in order to perform "
        "operations with the key");
  }
  std::string info = "tresor transit derived key";
  info.push_back('\0');
  info.append(reinterpret_cast<const char*>(context.data()), context.size());
  return crypto::HkdfSha256(it->second.key.Reveal(), {}, info, crypto::kAeadKeySize);
}

Result<std::string> TransitKey::Encrypt(std::span<const uint8_t> plaintext,
                                        std::span<const uint8_t> context,
                                        std::span<const uint8_t> aad, int version) const {
  if (signs()) {
    return Invalid("key type " + std::string(TypeName(type)) + " does not support encryption");
  }
  if (version == 0) version = latest;
  if (version > latest)
    return Invalid("requested version for encryption is higher than the latest key version");
  if (version < min_encryption_version) {
    return Invalid(
        "requested version for encryption is less than the minimum encryption key version");
  }
  if (version < min_decryption_version) {
    return Invalid(
        "requested version for encryption is less than the minimum decryption key version");
  }
  TRESOR_ASSIGN_OR_RETURN(const crypto::SecretBytes key, OperationKey(version, context));
  TRESOR_ASSIGN_OR_RETURN(const auto sealed,
                          crypto::AeadSeal(Aead(type), key.Reveal(), aad, plaintext));
  return Versioned(version, sealed);
}

Result<int> TransitKey::CiphertextVersion(std::string_view ciphertext) {
  return PrefixedVersion(ciphertext, "ciphertext");
}

Result<crypto::SecretBytes> TransitKey::Decrypt(std::string_view ciphertext,
                                                std::span<const uint8_t> context,
                                                std::span<const uint8_t> aad) const {
  if (signs()) {
    return Invalid("key type " + std::string(TypeName(type)) + " does not support decryption");
  }
  TRESOR_ASSIGN_OR_RETURN(const int version, CiphertextVersion(ciphertext));
  if (version < min_decryption_version) {
    return Invalid("invalid ciphertext: version is disallowed by policy (too old)");
  }
  if (version > latest) return Invalid("invalid ciphertext: version is too new");
  std::vector<uint8_t> sealed;
  const std::string_view body = ciphertext.substr(ciphertext.find(':', kPrefix.size()) + 1);
  if (!age::DecodeBase64Padded(body, sealed)) {
    return Invalid("invalid ciphertext: could not decode base64");
  }
  TRESOR_ASSIGN_OR_RETURN(const crypto::SecretBytes key, OperationKey(version, context));
  auto opened = crypto::AeadOpen(Aead(type), key.Reveal(), aad, sealed);
  if (!opened && opened.error().code == ErrorCode::kIntegrity) {
    return Invalid("cipher: message authentication failed");
  }
  return opened;
}

Result<std::string> TransitKey::Hmac(std::span<const uint8_t> input, std::string_view algorithm,
                                     int version) const {
  if (version == 0) version = latest;
  auto it = versions.find(version);
  if (it == versions.end()) return Invalid("invalid key version");
  const crypto::SecretBytes key =
      crypto::HkdfSha256(it->second.key.Reveal(), {}, "tresor transit hmac key", 32);
  if (algorithm.empty() || algorithm == "sha2-256") {
    return Versioned(version, crypto::HmacSha256(key.Reveal(), input));
  }
  if (algorithm == "sha2-512") return Versioned(version, crypto::HmacSha512(key.Reveal(), input));
  return Invalid("unsupported algorithm \"" + std::string(algorithm) +
                 "\" (sha2-256 and sha2-512 are)");
}

Result<std::vector<uint8_t>> TransitKey::Signed(std::span<const uint8_t> input,
                                                const SignOptions& options) {
  if (options.prehashed) return std::vector<uint8_t>(input.begin(), input.end());
  if (options.hash == "sha2-256") {
    const auto digest = crypto::Sha256(input);
    return std::vector<uint8_t>(digest.begin(), digest.end());
  }
  if (options.hash == "sha2-512") {
    const auto digest = crypto::Sha512(input);
    return std::vector<uint8_t>(digest.begin(), digest.end());
  }
  return Invalid("unsupported hash algorithm \"" + std::string(options.hash) +
                 "\" (sha2-256 and sha2-512 are)");
}

Result<std::string> TransitKey::Sign(std::span<const uint8_t> input, int version,
                                     const SignOptions& options) const {
  if (!signs())
    return Invalid("key type " + std::string(TypeName(type)) + " does not support signing");
  if (version == 0) version = latest;
  if (version > latest) return Invalid("requested version for signing is higher than the latest");
  if (version < min_encryption_version) {
    return Invalid("requested version for signing is less than the minimum encryption key version");
  }
  auto it = versions.find(version);
  if (it == versions.end()) return Invalid("invalid key version");
  if (type == KeyType::kEd25519)
    return Versioned(version, crypto::Ed25519Sign(it->second.key, input));
  TRESOR_ASSIGN_OR_RETURN(const std::vector<uint8_t> digest, Signed(input, options));
  TRESOR_ASSIGN_OR_RETURN(const std::vector<uint8_t> signature,
                          crypto::P256SignDigest(it->second.key, digest));
  return Versioned(version, signature);
}

Result<bool> TransitKey::Verify(std::span<const uint8_t> input, std::string_view signature,
                                const SignOptions& options) const {
  if (!signs())
    return Invalid("key type " + std::string(TypeName(type)) + " does not support verification");
  TRESOR_ASSIGN_OR_RETURN(const int version, PrefixedVersion(signature, "signature"));
  if (version < min_decryption_version) {
    return Invalid("invalid signature: version is disallowed by policy (too old)");
  }
  auto it = versions.find(version);
  if (version > latest || it == versions.end())
    return Invalid("invalid signature: version is too new");
  std::vector<uint8_t> bytes;
  if (!age::DecodeBase64Padded(signature.substr(signature.find(':', kPrefix.size()) + 1), bytes)) {
    return Invalid("invalid signature: could not decode base64");
  }
  if (type == KeyType::kEd25519) {
    return crypto::Ed25519Verify(crypto::Ed25519PublicKeyOf(it->second.key), input, bytes);
  }
  TRESOR_ASSIGN_OR_RETURN(const std::vector<uint8_t> digest, Signed(input, options));
  return crypto::P256VerifyDigest(it->second.key, digest, bytes);
}

}  // namespace tresor::server::transit
