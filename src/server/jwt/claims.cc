#include "server/jwt/claims.h"

#include <algorithm>

namespace tresor::server::jwt {
namespace {

using Json = nlohmann::json;

Error Refused(const std::string& what) { return MakeError(ErrorCode::kRefused, what); }

// A NumericDate claim; nothing if absent, kRefused if not a number.
Result<std::optional<int64_t>> Date(const Json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::optional<int64_t>();
  if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (d > -9e15 && d < 9e15) return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  return Refused(std::string("the ") + name + " claim is not a number");
}

const Json* Find(const Json& claims, const std::string& name) {
  if (!name.starts_with('/')) {
    const auto it = claims.find(name);
    return it == claims.end() ? nullptr : &*it;
  }
  try {
    const Json::json_pointer pointer(name);
    return claims.contains(pointer) ? &claims.at(pointer) : nullptr;
  } catch (const Json::exception&) {
    return nullptr;  // not a valid pointer: it names nothing
  }
}

std::optional<std::string> Text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean() || v.is_number()) return v.dump();
  return std::nullopt;
}

bool Matches(const Json& expected, const Json& value, bool glob) {
  const auto text = Text(value);
  if (!text) return false;
  auto one = [&](const Json& e) {
    if (!e.is_string()) return false;
    const std::string& want = e.get_ref<const std::string&>();
    return glob ? GlobMatch(want, *text) : want == *text;
  };
  if (expected.is_array()) {
    for (const Json& e : expected) {
      if (one(e)) return true;
    }
    return false;
  }
  return one(expected);
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Greedy with one backtrack point: the last '*' seen.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<void> CheckTimes(const Json& claims, int64_t now, const Leeways& leeways) {
  TRESOR_ASSIGN_OR_RETURN(auto exp, Date(claims, "exp"));
  TRESOR_ASSIGN_OR_RETURN(auto nbf, Date(claims, "nbf"));
  TRESOR_ASSIGN_OR_RETURN(auto iat, Date(claims, "iat"));
  if (!exp) return Refused("the token has no exp claim (tokens that never expire are refused)");
  if (now > *exp + leeways.expiration + leeways.clock_skew) return Refused("the token has expired");
  if (nbf && now < *nbf - leeways.not_before - leeways.clock_skew) {
    return Refused("the token is not valid yet (nbf)");
  }
  if (iat && now < *iat - leeways.clock_skew) return Refused("the token was issued in the future");
  return {};
}

Result<void> CheckAudience(const Json& claims, const std::vector<std::string>& bound) {
  const auto aud = claims.find("aud");
  if (bound.empty()) {
    if (aud != claims.end()) {
      return Refused("audience claim found in JWT but no audiences bound to the role");
    }
    return {};
  }
  if (aud == claims.end()) return Refused("the token has no aud claim");
  auto bound_has = [&](const Json& a) {
    return a.is_string() &&
           std::find(bound.begin(), bound.end(), a.get_ref<const std::string&>()) != bound.end();
  };
  bool found = bound_has(*aud);
  if (aud->is_array()) {
    for (const Json& a : *aud) found = found || bound_has(a);
  }
  if (!found) return Refused("aud claim does not match any bound audience");
  return {};
}

Result<void> CheckBoundClaims(const Json& claims, const Json& bound, bool glob) {
  if (!bound.is_object()) return {};
  for (const auto& [name, expected] : bound.items()) {
    const Json* value = Find(claims, name);
    if (value == nullptr) return Refused("claim \"" + name + "\" is missing");
    bool ok = Matches(expected, *value, glob);
    if (value->is_array()) {
      for (const Json& v : *value) ok = ok || Matches(expected, v, glob);
    }
    if (!ok)
      return Refused("claim \"" + name + "\" does not match any associated bound claim values");
  }
  return {};
}

std::optional<std::string> ClaimText(const Json& claims, const std::string& name) {
  const Json* value = Find(claims, name);
  return value == nullptr ? std::nullopt : Text(*value);
}

}  // namespace tresor::server::jwt
