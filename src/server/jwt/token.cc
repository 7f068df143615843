#include "server/jwt/token.h"

#include "age/base64.h"
#include "formats/bounded_json.h"

namespace tresor::server::jwt {
namespace {

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, "malformed JWT: " + what);
}

// A claims set is small and flat; these limits keep a hostile one cheap.
formats::JsonLimits TokenLimits() {
  formats::JsonLimits limits;
  limits.max_depth = 16;
  limits.max_string_bytes = kMaxTokenBytes;
  limits.max_object_entries = 256;
  limits.max_array_elements = 256;
  limits.max_values = 2048;
  return limits;
}

Result<nlohmann::json> DecodeObject(std::string_view part, const char* name) {
  std::vector<uint8_t> bytes;
  if (!age::DecodeBase64Unpadded(part, bytes, age::Base64Alphabet::kUrl)) {
    return Malformed(std::string(name) + " is not base64url");
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto json = formats::ParseBoundedJson(text, TokenLimits());
  if (!json) return Malformed(std::string(name) + ": " + json.error().message);
  if (!json->is_object()) return Malformed(std::string(name) + " is not a JSON object");
  return std::move(*json);
}

}  // namespace

Result<Token> ParseToken(std::string_view compact) {
  if (compact.empty()) return Malformed("empty");
  if (compact.size() > kMaxTokenBytes) return Malformed("longer than 16 KiB");
  const size_t first = compact.find('.');
  const size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
    return Malformed("not three parts separated by '.'");
  }
  Token token;
  TRESOR_ASSIGN_OR_RETURN(token.header, DecodeObject(compact.substr(0, first), "header"));
  TRESOR_ASSIGN_OR_RETURN(token.claims,
                          DecodeObject(compact.substr(first + 1, second - first - 1), "claims"));
  if (!age::DecodeBase64Unpadded(compact.substr(second + 1), token.signature,
                                 age::Base64Alphabet::kUrl)) {
    return Malformed("signature is not base64url");
  }
  const auto alg = token.header.find("alg");
  if (alg == token.header.end() || !alg->is_string()) return Malformed("no \"alg\" in the header");
  token.alg = alg->get<std::string>();
  if (const auto kid = token.header.find("kid"); kid != token.header.end()) {
    if (!kid->is_string()) return Malformed("\"kid\" is not a string");
    token.kid = kid->get<std::string>();
  }
  if (token.header.contains("crit"))
    return Malformed("critical header parameters are not supported");
  token.signing_input = std::string(compact.substr(0, second));
  return token;
}

}  // namespace tresor::server::jwt
