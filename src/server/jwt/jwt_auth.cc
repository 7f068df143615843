#include "server/jwt/jwt_auth.h"

#include <algorithm>

#include "crypto/kdf.h"
#include "server/jwt/jwt_records.h"
#include "server/jwt/keys.h"
#include "server/jwt/token.h"
#include "server/records.h"

namespace tresor::server::jwt {
namespace {

using Json = nlohmann::json;

// Under the mount's prefix ("auth/jwt/").
constexpr std::string_view kConfigKey = "config";
constexpr std::string_view kRoles = "role/";
constexpr int kWriteAttempts = 16;
constexpr std::string_view kAlgorithms[] = {"RS256", "ES256", "EdDSA"};

Error Invalid(const std::string& what) { return MakeError(ErrorCode::kInvalidArgument, what); }

std::string Text(const Json& body, const char* field) {
  const auto it = body.find(field);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Given(const Json& body, const char* field) {
  const auto it = body.find(field);
  return it != body.end() && !it->is_null() && *it != "" && *it != Json::array() &&
         *it != Json::object() && *it != false;
}

// Fields of Vault's config and roles for OIDC, identity groups and custom
// CAs: tresor does not do these, and says so rather than ignore them.
std::string UnsupportedField(const Json& body, std::initializer_list<const char*> fields) {
  for (const char* field : fields) {
    if (Given(body, field)) return field;
  }
  return "";
}

// A leeway as Vault takes it: 0 means the default, a negative number none.
Result<void> UpdateLeeway(const Json& body, const char* field, int64_t fallback, int64_t& out) {
  if (!body.contains(field) || body[field].is_null()) return {};
  const Json& v = body[field];
  int64_t n = 0;
  if (v.is_number_integer()) {
    n = v.get<int64_t>();
  } else {
    auto seconds = OptionalSeconds(body, field);
    if (!seconds) return std::move(seconds).error();
    n = **seconds;
  }
  out = n == 0 ? fallback : std::max<int64_t>(n, 0);
  return {};
}

// bound_claims: an object whose values are strings or lists of them.
Result<Json> BoundClaims(const Json& v) {
  if (v.is_string()) {  // as a JSON text, the way some CLIs send maps
    auto parsed = Json::parse(v.get<std::string>(), nullptr, false);
    if (parsed.is_discarded()) return Invalid("bound_claims: not a JSON object");
    return BoundClaims(parsed);
  }
  if (!v.is_object()) return Invalid("bound_claims: expected an object");
  for (const auto& [name, expected] : v.items()) {
    bool ok = expected.is_string();
    if (expected.is_array()) {
      ok = std::all_of(expected.begin(), expected.end(),
                       [](const Json& e) { return e.is_string(); });
    }
    if (!ok) return Invalid("bound_claims: \"" + name + "\" must be a string or a list of strings");
  }
  return v;
}

Result<Json> ClaimMappings(const Json& v) {
  if (!v.is_object()) return Invalid("claim_mappings: expected an object");
  for (const auto& [claim, key] : v.items()) {
    if (!key.is_string() || key.get<std::string>().empty()) {
      return Invalid("claim_mappings: \"" + claim + "\" must map to a metadata key");
    }
    if (key == "role") return Invalid("claim_mappings: \"role\" is a reserved metadata key");
  }
  return v;
}

Error NotAccepted(const std::string& what) { return MakeError(ErrorCode::kRefused, what); }

}  // namespace

JwtAuth::JwtAuth(store::Barrier* barrier, std::string prefix, std::function<int64_t()> now,
                 FetchJwks fetch)
    : barrier_(barrier),
      prefix_(std::move(prefix)),
      now_(std::move(now)),
      fetch_(std::move(fetch)) {}

Result<void> JwtAuth::WriteConfig(const Json& body) {
  if (!body.is_object()) return Invalid("expected a JSON object");
  const std::string unsupported =
      UnsupportedField(body, {"oidc_discovery_url", "oidc_discovery_ca_pem", "oidc_client_id",
                              "oidc_client_secret", "oidc_response_mode", "oidc_response_types",
                              "jwks_pairs", "provider_config", "namespace_in_state"});
  if (!unsupported.empty()) {
    return Invalid(unsupported +
                   " is not supported (tresor's JWT auth checks JWTs, with keys "
                   "from jwt_validation_pubkeys or a jwks_url)");
  }
  Config c;
  if (auto keys = StringList(body, "jwt_validation_pubkeys")) c.pubkeys = std::move(*keys);
  c.jwks_url = Text(body, "jwks_url");
  c.jwks_ca_pem = Text(body, "jwks_ca_pem");
  if (!c.jwks_ca_pem.empty() && c.jwks_url.empty()) {
    return Invalid("jwks_ca_pem is for a jwks_url");
  }
  c.bound_issuer = Text(body, "bound_issuer");
  c.default_role = Text(body, "default_role");
  if (auto algs = StringList(body, "jwt_supported_algs")) c.supported_algs = std::move(*algs);
  for (const std::string& alg : c.supported_algs) {
    if (std::find(std::begin(kAlgorithms), std::end(kAlgorithms), alg) == std::end(kAlgorithms)) {
      return Invalid("jwt_supported_algs: \"" + alg.substr(0, 32) +
                     "\" is not supported (RS256, ES256, EdDSA)");
    }
  }
  if (c.pubkeys.empty() == c.jwks_url.empty()) {
    return Invalid(
        "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' "
        "must be set");
  }
  if (!c.pubkeys.empty()) {
    TRESOR_RETURN_IF_ERROR(KeysFromPem(c.pubkeys));
  } else {
    if (!c.jwks_url.starts_with("https://") && !c.jwks_url.starts_with("http://")) {
      return Invalid("jwks_url: expected an http:// or https:// URL");
    }
    return FetchAndStore(c);
  }
  return Store(c);
}

Result<void> JwtAuth::Store(const Config& config) {
  TRESOR_RETURN_IF_ERROR(barrier_->Put(prefix_ + std::string(kConfigKey),
                                       crypto::AsBytes(ConfigRecord(config).dump())));
  return {};
}

Result<void> JwtAuth::FetchAndStore(Config& config) {
  auto document = fetch_(config.jwks_url, config.jwks_ca_pem);
  if (!document) return Invalid("fetching jwks_url: " + document.error().message);
  TRESOR_RETURN_IF_ERROR(KeysFromJwks(*document));
  config.jwks = std::move(*document);
  config.jwks_fetched = now_();
  return Store(config);
}

Result<std::optional<Config>> JwtAuth::ReadConfig() {
  TRESOR_ASSIGN_OR_RETURN(auto record, GetRecord(*barrier_, prefix_ + std::string(kConfigKey)));
  if (!record) return std::optional<Config>();
  TRESOR_ASSIGN_OR_RETURN(
      Config c, ParseRecord<Config>(prefix_ + std::string(kConfigKey), *record, ConfigFrom));
  return std::optional<Config>(std::move(c));
}

Result<void> JwtAuth::WriteRole(const std::string& name, const Json& body) {
  if (!ValidRoleName(name)) {
    return Invalid("role name \"" + name.substr(0, 64) +
                   "\": letters, digits, '-', '_' and '.' only, at most 128");
  }
  if (!body.is_object()) return Invalid("expected a JSON object");
  if (const std::string t = Text(body, "role_type"); !t.empty() && t != "jwt") {
    return Invalid("role_type \"" + t.substr(0, 32) +
                   "\" is not supported: only \"jwt\" (OIDC logins through a browser are not)");
  }
  if (std::string field = UnsupportedTokenSetting(body); !field.empty()) {
    return Invalid(field + " is not supported");
  }
  if (std::string field = UnsupportedField(body, {"groups_claim", "user_claim_json_pointer"});
      !field.empty()) {
    return Invalid(field + " is not supported (tresor has no identity groups or aliases)");
  }
  if (Text(body, "bound_claims_type") != "" && Text(body, "bound_claims_type") != "string" &&
      Text(body, "bound_claims_type") != "glob") {
    return Invalid("bound_claims_type: expected \"string\" or \"glob\"");
  }
  const std::string key = prefix_ + std::string(kRoles) + name;
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    TRESOR_ASSIGN_OR_RETURN(RecordAt stored, GetRecordAt(*barrier_, key));
    Role role;
    role.name = name;
    if (stored.record) {
      TRESOR_ASSIGN_OR_RETURN(role, ParseRecord<Role>(key, *stored.record, [&](const Json& j) {
                                return RoleFrom(name, j);
                              }));
    }
    TRESOR_RETURN_IF_ERROR(role.token.Update(body));
    if (auto audiences = StringList(body, "bound_audiences")) role.bound_audiences = *audiences;
    if (body.contains("user_claim")) role.user_claim = Text(body, "user_claim");
    if (body.contains("bound_subject")) role.bound_subject = Text(body, "bound_subject");
    if (body.contains("bound_claims_type")) role.glob_claims = body["bound_claims_type"] == "glob";
    if (body.contains("bound_claims") && !body["bound_claims"].is_null()) {
      TRESOR_ASSIGN_OR_RETURN(role.bound_claims, BoundClaims(body["bound_claims"]));
    }
    if (body.contains("claim_mappings") && !body["claim_mappings"].is_null()) {
      TRESOR_ASSIGN_OR_RETURN(role.claim_mappings, ClaimMappings(body["claim_mappings"]));
    }
    const Leeways defaults;
    TRESOR_RETURN_IF_ERROR(
        UpdateLeeway(body, "clock_skew_leeway", defaults.clock_skew, role.leeways.clock_skew));
    TRESOR_RETURN_IF_ERROR(
        UpdateLeeway(body, "expiration_leeway", defaults.expiration, role.leeways.expiration));
    TRESOR_RETURN_IF_ERROR(
        UpdateLeeway(body, "not_before_leeway", defaults.not_before, role.leeways.not_before));
    if (role.user_claim.empty()) return Invalid("a user claim must be defined on the role");
    if (role.bound_audiences.empty() && role.bound_subject.empty() && role.bound_claims.empty()) {
      return Invalid(
          "must have at least one bound constraint when creating/updating a role "
          "(bound_audiences, bound_subject or bound_claims)");
    }
    TRESOR_ASSIGN_OR_RETURN(auto applied,
                            barrier_->ApplyIf({{key, stored.revision}},
                                              {SealRecord(*barrier_, key, RoleRecord(role))}));
    if (applied.applied) return {};
  }
  return MakeError(ErrorCode::kUnavailable, "role " + name + " kept changing; try again");
}

Result<std::optional<Role>> JwtAuth::ReadRole(const std::string& name) {
  if (!ValidRoleName(name)) return std::optional<Role>();
  const std::string key = prefix_ + std::string(kRoles) + name;
  TRESOR_ASSIGN_OR_RETURN(auto record, GetRecord(*barrier_, key));
  if (!record) return std::optional<Role>();
  TRESOR_ASSIGN_OR_RETURN(
      Role role, ParseRecord<Role>(key, *record, [&](const Json& j) { return RoleFrom(name, j); }));
  return std::optional<Role>(std::move(role));
}

Result<void> JwtAuth::DeleteRole(const std::string& name) {
  TRESOR_ASSIGN_OR_RETURN(auto role, ReadRole(name));
  if (!role) return MakeError(ErrorCode::kNotFound, "role " + name + " does not exist");
  TRESOR_RETURN_IF_ERROR(barrier_->Delete(prefix_ + std::string(kRoles) + name));
  return {};
}

Result<std::vector<std::string>> JwtAuth::ListRoles() {
  return NamesUnder(*barrier_, prefix_ + std::string(kRoles));
}

Result<std::shared_ptr<const std::vector<VerifyingKey>>> JwtAuth::KeysOf(const Config& config) {
  std::string source = config.jwks;
  if (config.jwks_url.empty()) {
    source.clear();
    for (const std::string& pem : config.pubkeys) source.append(pem).push_back('\0');
  }
  const std::lock_guard lock(keys_mutex_);
  if (keys_ != nullptr && source == keys_source_) return keys_;
  auto keys = config.jwks_url.empty() ? KeysFromPem(config.pubkeys) : KeysFromJwks(config.jwks);
  if (!keys) return MakeError(ErrorCode::kIntegrity, keys.error().message);
  keys_ = std::make_shared<const std::vector<VerifyingKey>>(std::move(*keys));
  keys_source_ = std::move(source);
  return keys_;
}

Result<void> JwtAuth::RefetchJwks(Config& config) {
  const std::lock_guard lock(fetch_mutex_);
  // Another login may have fetched it while this one waited.
  TRESOR_ASSIGN_OR_RETURN(auto latest, ReadConfig());
  if (latest && latest->jwks_fetched > config.jwks_fetched) {
    config = *latest;
    return {};
  }
  if (last_refetch_ != 0 && now_() - last_refetch_ < kRefetchSeconds) return {};
  last_refetch_ = now_();
  return FetchAndStore(config);
}

Result<Login> JwtAuth::LogIn(const std::string& role_name, const std::string& compact,
                             bool may_fetch, bool* fetch_needed) {
  TRESOR_ASSIGN_OR_RETURN(auto config, ReadConfig());
  if (!config) return Invalid("could not load configuration");
  const std::string name = role_name.empty() ? config->default_role : role_name;
  if (name.empty()) return Invalid("missing role");
  if (compact.empty()) return Invalid("missing token");
  TRESOR_ASSIGN_OR_RETURN(auto role, ReadRole(name));
  if (!role) return Invalid("role \"" + name.substr(0, 128) + "\" could not be found");
  TRESOR_ASSIGN_OR_RETURN(const Token token, ParseToken(compact));

  const auto& algs = config->supported_algs;
  const bool alg_known =
      std::find(std::begin(kAlgorithms), std::end(kAlgorithms), token.alg) != std::end(kAlgorithms);
  if (!alg_known ||
      (!algs.empty() && std::find(algs.begin(), algs.end(), token.alg) == algs.end())) {
    return NotAccepted("error validating token: the signing algorithm is not supported");
  }
  const std::span<const uint8_t> message = crypto::AsBytes(token.signing_input);
  bool verified = false;
  for (int pass = 0; pass < 2 && !verified; ++pass) {
    TRESOR_ASSIGN_OR_RETURN(const auto keys, KeysOf(*config));
    bool kid_known = token.kid.empty();
    for (const VerifyingKey& k : *keys) {
      if (!token.kid.empty() && !k.kid.empty() && k.kid != token.kid) continue;
      kid_known = kid_known || k.kid == token.kid;
      if (AlgorithmName(k.key.algorithm()) != token.alg) continue;
      if (k.key.Verify(message, token.signature)) verified = true;
    }
    // A key rotated in at the provider: its JWKS, once more.
    if (verified || kid_known || config->jwks_url.empty() || pass == 1) break;
    if (!may_fetch) {
      if (fetch_needed != nullptr) *fetch_needed = true;
      return MakeError(ErrorCode::kUnavailable, "the JWKS document is to be fetched again");
    }
    TRESOR_RETURN_IF_ERROR(RefetchJwks(*config));
  }
  if (!verified) {
    return NotAccepted(
        "error validating token: the signature does not verify with any "
        "configured key");
  }

  const Json& claims = token.claims;
  auto claim_error = [](const Error& e) {
    return NotAccepted("error validating claims: " + e.message);
  };
  if (!config->bound_issuer.empty() &&
      (!claims.contains("iss") || claims["iss"] != config->bound_issuer)) {
    return NotAccepted("error validating claims: iss claim does not match the bound issuer");
  }
  if (auto ok = CheckTimes(claims, now_(), role->leeways); !ok) return claim_error(ok.error());
  if (auto ok = CheckAudience(claims, role->bound_audiences); !ok) return claim_error(ok.error());
  if (!role->bound_subject.empty() &&
      (!claims.contains("sub") || claims["sub"] != role->bound_subject)) {
    return NotAccepted("error validating claims: sub claim does not match bound subject");
  }
  if (auto ok = CheckBoundClaims(claims, role->bound_claims, role->glob_claims); !ok) {
    return NotAccepted(ok.error().message);
  }
  Login login;
  auto user = ClaimText(claims, role->user_claim);
  if (!user || user->empty()) {
    return NotAccepted("claim \"" + role->user_claim + "\" not found in token");
  }
  login.user = std::move(*user);
  for (const auto& [claim, meta_key] : role->claim_mappings.items()) {
    if (auto value = ClaimText(claims, claim)) login.metadata[meta_key.get<std::string>()] = *value;
  }
  login.metadata["role"] = name;
  login.role = std::move(*role);
  return login;
}

}  // namespace tresor::server::jwt
