// The textual pieces of a sealed file (docs/format.md): value tokens, the
// header string, base64url, and the keys derived from a group's data key.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "crypto/x25519.h"
#include "formats/document.h"

namespace tresor::sealed {

inline constexpr std::string_view kTokenPrefix = "tresor:v1:";
inline constexpr std::string_view kHeaderPrefix = "tresor-header:v1:";
inline constexpr size_t kDataKeySize = 32;

std::string EncodeBase64Url(std::span<const uint8_t> data);
// Strict: no padding, only the url alphabet, canonical trailing bits.
std::optional<std::vector<uint8_t>> DecodeBase64Url(std::string_view text);

// True for a valid group name, [a-z0-9_-]{1,32}.
bool IsGroupName(std::string_view name);

struct Token {
  std::string group;
  formats::ValueType type = formats::ValueType::kString;  // one letter in the text
  // Sealed with the group's public key (`set --public`): the text has "pub:"
  // before the bytes, which are EPK || nonce || ciphertext || tag.
  bool is_public = false;
  std::vector<uint8_t> sealed;  // nonce || ciphertext || tag
};

bool LooksLikeToken(std::string_view s);
// A token's group and kind from its text alone (no decoding, no checks
// beyond the shape of its first fields); nullopt if it is not token-shaped.
struct TokenPeek {
  std::string_view group;
  bool is_public = false;
};
std::optional<TokenPeek> PeekToken(std::string_view s);
std::string EncodeToken(const Token& token);
// kIntegrity if `s` starts like a token but is malformed.
Result<Token> DecodeToken(std::string_view s);

struct HeaderGroup {
  std::string name;
  std::vector<std::string> recipients;  // "age1...", or "scrypt" for a passphrase
  crypto::X25519Point public_key{};     // for `set --public`
  std::vector<uint8_t> age_file;        // the data key, as an age file to the recipients
  crypto::Digest mac{};                 // over this group's fields and tokens
  // Writes of this group by a key holder, counted from 1 (0: a file from
  // before the counter, which its MAC then does not cover). An older copy
  // of the file shows a lower number.
  uint64_t version = 0;
};

struct Header {
  std::string flags;  // "n": the file had no final newline
  std::vector<HeaderGroup> groups;
};

// True for a recipient as the header lists it: [a-z0-9]+.
bool IsRecipientName(std::string_view name);

std::string EncodeHeader(const Header& header);
// kIntegrity on a malformed header string.
Result<Header> DecodeHeader(std::string_view s);
// The header fields a group's MAC covers, in order (docs/format.md).
std::vector<std::string> GroupMacFields(const Header& header, const HeaderGroup& group);

// The associated data of a value: "tresor v1" 0 GROUP 0 PATH 0 TYPE.
std::vector<uint8_t> ValueAad(std::string_view group, std::string_view path, std::string_view type);

}  // namespace tresor::sealed
