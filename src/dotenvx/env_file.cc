#include "dotenvx/env_file.h"

#include <algorithm>

#include "age/base64.h"
#include "crypto/kdf.h"
#include "dotenvx/ecies.h"
#include "formats/format.h"
#include "formats/text_scan.h"

namespace tresor::dotenvx {
namespace {

constexpr std::string_view kEncryptedPrefix = "encrypted:";

using PublicKey = std::array<uint8_t, crypto::kSecp256k1CompressedSize>;

// A public key entry's lines: dotenvx's banner of "#/.../" comment lines
// right above it, the entry, and one blank line after it.
formats::Span PublicKeyLines(std::string_view text, formats::Span entry) {
  while (entry.begin > 0) {
    // The line before, [start, entry.begin).
    const size_t newline =
        entry.begin >= 2 ? text.rfind('\n', entry.begin - 2) : std::string_view::npos;
    const size_t start = newline == std::string_view::npos ? 0 : newline + 1;
    if (!text.substr(start, entry.begin - start).starts_with("#/")) break;
    entry.begin = start;
  }
  const size_t after = formats::SkipBlanks(text, entry.end);
  if (entry.end < text.size() && after == formats::ContentEnd(text, after)) {
    entry.end = formats::NextLine(text, after);
  }
  return entry;
}

// `value` as a literal in the quotes `quote` it had where the value can be
// written so, else as the dotenv format writes it.
std::string LiteralLike(char quote, std::string_view value) {
  const std::string encoded = formats::Dotenv().Encode(value);
  if (quote == '\'' && value.find_first_of("'\n") == std::string_view::npos) {
    return std::string(1, quote).append(value).append(1, quote);
  }
  if (quote == '"' && encoded.front() != '"') return std::string(1, quote).append(encoded) += quote;
  return encoded;
}

Result<std::vector<uint8_t>> Base64(std::string_view text) {
  std::vector<uint8_t> out;
  const bool ok = text.ends_with('=') ? age::DecodeBase64Padded(text, out)
                                      : age::DecodeBase64Unpadded(text, out);
  if (!ok) return MakeError(ErrorCode::kIntegrity, "malformed encrypted value (not base64)");
  return out;
}

// The value opened with the first of `order` that opens it.
Result<crypto::SecretBytes> Open(std::string_view base64,
                                 const std::vector<const PrivateKey*>& order) {
  TRESOR_ASSIGN_OR_RETURN(const std::vector<uint8_t> message, Base64(base64));
  if (order.empty()) {
    return MakeError(ErrorCode::kNoMatch, "no private key to open it");
  }
  std::string tried;
  for (const PrivateKey* k : order) {
    auto plain = EciesOpen(k->key, message);
    if (plain || plain.error().code != ErrorCode::kNoMatch) return plain;
    if (!tried.empty()) tried += ", ";
    tried += k->where;
  }
  return MakeError(ErrorCode::kNoMatch, "no private key opens it (tried " + tried +
                                            "): it was encrypted for another "
                                            "key, or changed");
}

}  // namespace

Result<void> AddPrivateKeys(std::string_view value, const std::string& where,
                            std::vector<PrivateKey>& keys) {
  while (true) {
    const size_t comma = value.find(',');
    std::string_view one = value.substr(0, comma);
    while (!one.empty() && formats::IsBlank(one.front())) one.remove_prefix(1);
    while (!one.empty() && formats::IsBlank(one.back())) one.remove_suffix(1);
    PrivateKey k{where, crypto::SecretBytes(crypto::kSecp256k1ScalarSize), {}};
    if (!crypto::HexDecode(one, k.key.Mutable())) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where + " is not a private key (64 hex digits)");
    }
    auto pub = crypto::Secp256k1PublicKey(k.key);
    if (!pub) return MakeError(pub.error().code, where + ": " + pub.error().message);
    k.public_key = *pub;
    keys.push_back(std::move(k));
    if (comma == std::string_view::npos) return {};
    value.remove_prefix(comma + 1);
  }
}

Result<void> AddKeysFile(std::string_view text, const std::string& file_name,
                         std::vector<PrivateKey>& keys) {
  const formats::Format& dotenv = formats::Dotenv();
  TRESOR_ASSIGN_OR_RETURN(const formats::Document doc, dotenv.Parse(text));
  for (const formats::Value& v : doc.values) {
    if (!v.path.starts_with(kPrivateKeyPrefix)) continue;
    const std::string value =
        dotenv.Decode(text.substr(v.literal.begin, v.literal.end - v.literal.begin), v.type);
    auto added = AddPrivateKeys(value, v.path + " (" + file_name + ")", keys);
    if (!added) {
      return MakeError(added.error().code,
                       formats::Position(text, v.literal.begin) + ": " + added.error().message);
    }
  }
  return {};
}

Result<OpenedFile> OpenEnvFile(std::string_view text, const std::vector<PrivateKey>& keys) {
  const formats::Format& dotenv = formats::Dotenv();
  TRESOR_ASSIGN_OR_RETURN(const formats::Document doc, dotenv.Parse(text));
  std::vector<PublicKey> listed;
  for (const formats::Value& v : doc.values) {
    PublicKey pub{};
    if (v.path.starts_with(kPublicKeyPrefix) &&
        crypto::HexDecode(
            dotenv.Decode(text.substr(v.literal.begin, v.literal.end - v.literal.begin), v.type),
            pub)) {
      listed.push_back(pub);
    }
  }
  std::vector<const PrivateKey*> order;
  for (const PrivateKey& k : keys) order.push_back(&k);
  std::stable_partition(order.begin(), order.end(), [&](const PrivateKey* k) {
    return std::find(listed.begin(), listed.end(), k->public_key) != listed.end();
  });

  OpenedFile out;
  size_t at = 0;
  for (const formats::Value& v : doc.values) {
    const std::string_view literal = text.substr(v.literal.begin, v.literal.end - v.literal.begin);
    if (v.path.starts_with(kPublicKeyPrefix)) {
      const formats::Span lines = PublicKeyLines(text, v.entry);
      if (lines.begin >= at) {
        out.plaintext.append(text.substr(at, lines.begin - at));
        at = lines.end;
      }
      continue;
    }
    const std::string decoded = dotenv.Decode(literal, v.type);
    if (!decoded.starts_with(kEncryptedPrefix)) continue;
    auto plain = Open(std::string_view(decoded).substr(kEncryptedPrefix.size()), order);
    if (!plain) return formats::ValueError(plain.error().code, text, v, plain.error().message);
    const std::string_view value(reinterpret_cast<const char*>(plain->Reveal().data()),
                                 plain->size());
    out.plaintext.append(text.substr(at, v.literal.begin - at))
        .append(LiteralLike(literal.empty() ? '\0' : literal.front(), value));
    at = v.literal.end;
    out.encrypted.push_back(v.path);
  }
  if (out.encrypted.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no dotenvx-encrypted value (encrypted:...) in it");
  }
  out.plaintext.append(text.substr(at));
  return out;
}

}  // namespace tresor::dotenvx
