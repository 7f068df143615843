// A JSON Web Token in its compact form (RFC 7519): header, claims and
// signature, split and decoded, nothing checked yet but the shape.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::server::jwt {

// Longer tokens are refused before anything is decoded (CI providers'
// tokens are one or two KiB).
inline constexpr size_t kMaxTokenBytes = 16 * 1024;

struct Token {
  nlohmann::json header;  // an object; "alg" a string
  nlohmann::json claims;  // an object
  std::string alg;
  std::string kid;            // "" if the header names none
  std::string signing_input;  // the first two parts, as signed
  std::vector<uint8_t> signature;
};

// kInvalidArgument saying what is wrong: not three base64url parts, a part
// that is not a JSON object, no "alg", a token longer than kMaxTokenBytes.
// The message never quotes the token.
Result<Token> ParseToken(std::string_view compact);

}  // namespace tresor::server::jwt
