// What a JWT's claims must say for a role to accept it: times within their
// leeways, the audience, the subject, bound claims (exact or glob), and the
// claim that names the user. Vault's JWT auth method's rules.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::server::jwt {

struct Leeways {
  int64_t clock_skew = 60;
  int64_t expiration = 150;
  int64_t not_before = 150;
};

// "exp" (required), "nbf" and "iat" against `now` (unix seconds).
// kRefused saying which failed.
Result<void> CheckTimes(const nlohmann::json& claims, int64_t now, const Leeways& leeways);

// "aud" against the role's audiences: one of them if any are bound; none
// at all if none are.
Result<void> CheckAudience(const nlohmann::json& claims, const std::vector<std::string>& bound);

// Each bound claim (a name, or a JSON pointer when it starts with '/') has
// one of its expected values (a string or a list of them; '*' matches any
// run of characters when `glob`). kRefused naming the claim.
Result<void> CheckBoundClaims(const nlohmann::json& claims, const nlohmann::json& bound, bool glob);

// The claim at `name` (or JSON pointer) as text: a string, a number or a
// boolean; nothing if absent or of another type.
std::optional<std::string> ClaimText(const nlohmann::json& claims, const std::string& name);

// '*' in `pattern` matches any run of characters. Linear in the text's
// length times the pattern's, whatever they hold.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace tresor::server::jwt
