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
  std::vector<uint8_t> sealed;                            // nonce || ciphertext || tag
};

bool LooksLikeToken(std::string_view s);
std::string EncodeToken(const Token& token);
// kIntegrity if `s` starts like a token but is malformed.
Result<Token> DecodeToken(std::string_view s);

struct HeaderGroup {
  std::string name;
  std::vector<uint8_t> age_file;  // the data key, as an age file to the group's recipients
};

struct Header {
  std::string flags;  // "n": the file had no final newline
  std::vector<HeaderGroup> groups;
  crypto::Digest mac{};
};

// The header string, and its part the MAC covers (everything but the MAC).
std::string EncodeHeader(const Header& header);
std::string HeaderMacInput(const Header& header);
// kIntegrity on a malformed header string.
Result<Header> DecodeHeader(std::string_view s);

// The keys a group's data key derives (docs/format.md, "Keys").
crypto::SecretBytes ValueKey(const crypto::SecretBytes& data_key);
crypto::SecretBytes MacKey(const crypto::SecretBytes& data_key);

// The associated data of a value: "tresor v1" 0 GROUP 0 PATH 0 TYPE.
std::vector<uint8_t> ValueAad(std::string_view group, std::string_view path, std::string_view type);

}  // namespace tresor::sealed
