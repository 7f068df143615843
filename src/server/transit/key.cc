#include "server/transit/key.h"

#include <charconv>

#include "age/base64.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::server::transit {
namespace {

constexpr std::string_view kPrefix = "vault:v";

tresor::Error Invalid(std::string message) {
  return tresor::Error{ErrorCode::kInvalidArgument, std::move(message)};
}

std::string Versioned(int version, std::span<const uint8_t> bytes) {
  return std::string(kPrefix) + std::to_string(version) + ":" + age::EncodeBase64Padded(bytes);
}

}  // namespace

const char* TypeName(crypto::AeadKind type) {
  return type == crypto::AeadKind::kAes256Gcm ? "aes256-gcm96" : "chacha20-poly1305";
}

Result<TransitKey> TransitKey::Create(std::string name, std::string_view type, bool derived,
                                      int64_t now) {
  TransitKey key;
  key.name = std::move(name);
  key.derived = derived;
  if (type.empty() || type == "aes256-gcm96") {
    key.type = crypto::AeadKind::kAes256Gcm;
  } else if (type == "chacha20-poly1305") {
    key.type = crypto::AeadKind::kChaCha20Poly1305;
  } else if (type == "aes128-gcm96" || type == "ed25519" || type == "ecdsa-p256" ||
             type == "ecdsa-p384" || type == "ecdsa-p521" || type.starts_with("rsa-") ||
             type == "hmac") {
    return Invalid("key type \"" + std::string(type) +
                   "\" is not supported by tresor (aes256-gcm96 and chacha20-poly1305 are)");
  } else {
    return Invalid("unknown key type \"" + std::string(type) + "\"");
  }
  key.Rotate(now);
  return key;
}

void TransitKey::Rotate(int64_t now) {
  ++latest;
  versions[latest] = KeyVersion{crypto::RandomSecret(crypto::kAeadKeySize), now};
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
              {"versions", std::move(keys)}};
}

Result<TransitKey> TransitKey::FromRecord(std::string name, const Json& record) {
  try {
    TransitKey key;
    key.name = name;
    const std::string type = record.at("type").get<std::string>();
    if (type != "aes256-gcm96" && type != "chacha20-poly1305") throw std::exception();
    key.type =
        type == "aes256-gcm96" ? crypto::AeadKind::kAes256Gcm : crypto::AeadKind::kChaCha20Poly1305;
    key.derived = record.at("derived").get<bool>();
    key.deletion_allowed = record.at("deletion_allowed").get<bool>();
    key.latest = record.at("latest").get<int>();
    key.min_decryption_version = record.at("min_decryption_version").get<int>();
    key.min_encryption_version = record.at("min_encryption_version").get<int>();
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
  for (const auto& [n, v] : versions) keys[std::to_string(n)] = v.created;
  return Json{{"name", name},
              {"type", TypeName(type)},
              {"keys", std::move(keys)},
              {"latest_version", latest},
              {"min_available_version", 0},
              {"min_decryption_version", min_decryption_version},
              {"min_encryption_version", min_encryption_version},
              {"deletion_allowed", deletion_allowed},
              {"derived", derived},
              {"convergent_encryption", false},
              {"exportable", false},
              {"allow_plaintext_backup", false},
              {"imported_key", false},
              {"auto_rotate_period", 0},
              {"supports_encryption", true},
              {"supports_decryption", true},
              {"supports_derivation", true},
              {"supports_signing", false}};
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
  TRESOR_ASSIGN_OR_RETURN(const auto sealed, crypto::AeadSeal(type, key.Reveal(), aad, plaintext));
  return Versioned(version, sealed);
}

Result<int> TransitKey::CiphertextVersion(std::string_view ciphertext) {
  if (!ciphertext.starts_with(kPrefix)) return Invalid("invalid ciphertext: no prefix");
  ciphertext.remove_prefix(kPrefix.size());
  const size_t colon = ciphertext.find(':');
  int version = 0;
  if (colon == std::string_view::npos || colon == 0 ||
      std::from_chars(ciphertext.data(), ciphertext.data() + colon, version).ptr !=
          ciphertext.data() + colon ||
      version < 1) {
    return Invalid("invalid ciphertext: could not parse version");
  }
  return version;
}

Result<crypto::SecretBytes> TransitKey::Decrypt(std::string_view ciphertext,
                                                std::span<const uint8_t> context,
                                                std::span<const uint8_t> aad) const {
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
  auto opened = crypto::AeadOpen(type, key.Reveal(), aad, sealed);
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

}  // namespace tresor::server::transit
