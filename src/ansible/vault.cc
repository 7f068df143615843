#include "ansible/vault.h"

#include <sodium.h>

#include "crypto/aes_ctr.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::ansible {
namespace {

constexpr uint32_t kIterations = 10000;
constexpr size_t kKeySize = 32;
constexpr size_t kBlock = 16;
constexpr size_t kLine = 80;

Error Bad(const std::string& what) {
  return MakeError(ErrorCode::kIntegrity, "ansible vault: " + what);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Unhex(std::string_view hex, std::vector<uint8_t>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

// The AES key, HMAC key and IV of a password and salt.
struct Keys {
  crypto::SecretBytes derived;
  std::span<const uint8_t> cipher() const { return derived.Reveal().first(kKeySize); }
  std::span<const uint8_t> mac() const { return derived.Reveal().subspan(kKeySize, kKeySize); }
  std::span<const uint8_t> iv() const { return derived.Reveal().subspan(2 * kKeySize, kBlock); }
};

Keys Derive(std::span<const uint8_t> password, std::span<const uint8_t> salt) {
  return {crypto::Pbkdf2Sha256(password, salt, kIterations, 2 * kKeySize + kBlock)};
}

}  // namespace

bool LooksVaulted(std::string_view text) { return text.starts_with("$ANSIBLE_VAULT;"); }

Result<VaultText> ParseVault(std::string_view text) {
  const size_t eol = text.find('\n');
  std::string_view header = text.substr(0, eol);
  if (header.ends_with('\r')) header.remove_suffix(1);
  if (!LooksVaulted(header)) return Bad("no $ANSIBLE_VAULT header");
  std::vector<std::string_view> fields;
  for (size_t at = 0; at <= header.size();) {
    const size_t semi = std::min(header.find(';', at), header.size());
    fields.push_back(header.substr(at, semi - at));
    at = semi + 1;
  }
  VaultText v;
  if (fields.size() < 3 || (fields[1] != "1.1" && fields[1] != "1.2")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "ansible vault: format " + std::string(fields.size() > 1 ? fields[1] : "") +
                         " is not 1.1 or 1.2");
  }
  if (fields[2] != "AES256") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "ansible vault: cipher " + std::string(fields[2]) + " is not AES256");
  }
  v.version = std::string(fields[1]);
  if (v.version == "1.2" && fields.size() > 3) v.label = std::string(fields[3]);
  // The body: hex lines (whitespace around them ignored, as ansible does).
  std::string hex;
  for (const char c : text.substr(eol == std::string_view::npos ? text.size() : eol + 1)) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') hex += c;
  }
  std::vector<uint8_t> body;
  if (hex.empty() || !Unhex(hex, body)) return Bad("the body is not hexadecimal");
  const std::string_view inner(reinterpret_cast<const char*>(body.data()), body.size());
  const size_t first = inner.find('\n');
  const size_t second = first == std::string_view::npos ? first : inner.find('\n', first + 1);
  if (second == std::string_view::npos) return Bad("the body lacks salt, HMAC and ciphertext");
  if (!Unhex(inner.substr(0, first), v.salt) || v.salt.empty()) return Bad("a malformed salt");
  if (!Unhex(inner.substr(first + 1, second - first - 1), v.hmac) || v.hmac.size() != 32) {
    return Bad("a malformed HMAC");
  }
  if (!Unhex(inner.substr(second + 1), v.ciphertext) || v.ciphertext.empty() ||
      v.ciphertext.size() % kBlock != 0) {
    return Bad("a malformed ciphertext (not whole 16-byte blocks)");
  }
  return v;
}

Result<crypto::SecretBytes> OpenVault(const VaultText& vault, std::span<const uint8_t> password) {
  const Keys keys = Derive(password, vault.salt);
  const crypto::Digest mac = crypto::HmacSha256(keys.mac(), vault.ciphertext);
  if (vault.hmac.size() != mac.size() ||
      sodium_memcmp(mac.data(), vault.hmac.data(), mac.size()) != 0) {
    return MakeError(ErrorCode::kNoMatch,
                     "the vault password does not open it (HMAC mismatch: a wrong password, or "
                     "the file was changed)");
  }
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes padded,
                          crypto::Aes256Ctr(keys.cipher(), keys.iv(), vault.ciphertext));
  const std::span<const uint8_t> p = padded.Reveal();
  const size_t pad = p.back();
  bool valid = pad >= 1 && pad <= kBlock && pad <= p.size();
  for (size_t i = 0; valid && i < pad; ++i) valid = p[p.size() - 1 - i] == pad;
  if (!valid) return Bad("bad padding after an authentic ciphertext");
  return crypto::SecretBytes::CopyOf(p.first(p.size() - pad));
}

Result<std::string> SealVault(std::span<const uint8_t> plaintext, std::span<const uint8_t> password,
                              std::string_view label) {
  std::vector<uint8_t> salt(32);
  crypto::FillRandom(salt);
  const Keys keys = Derive(password, salt);
  const size_t pad = kBlock - plaintext.size() % kBlock;
  crypto::SecretBytes padded(plaintext.size() + pad);
  std::copy(plaintext.begin(), plaintext.end(), padded.Mutable().begin());
  std::fill(padded.Mutable().begin() + static_cast<std::ptrdiff_t>(plaintext.size()),
            padded.Mutable().end(), static_cast<uint8_t>(pad));
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes ct,
                          crypto::Aes256Ctr(keys.cipher(), keys.iv(), padded.Reveal()));
  const crypto::Digest mac = crypto::HmacSha256(keys.mac(), ct.Reveal());
  const std::string inner = crypto::HexEncode(salt) + "\n" + crypto::HexEncode(mac) + "\n" +
                            crypto::HexEncode(ct.Reveal());
  const std::string body = crypto::HexEncode(crypto::AsBytes(inner));
  std::string out = label.empty() ? "$ANSIBLE_VAULT;1.1;AES256\n"
                                  : "$ANSIBLE_VAULT;1.2;AES256;" + std::string(label) + "\n";
  for (size_t at = 0; at < body.size(); at += kLine) out.append(body.substr(at, kLine)) += '\n';
  return out;
}

}  // namespace tresor::ansible
