// JWT auth's config and roles: as stored, and as Vault's reads show them.
#include "server/jwt/jwt_records.h"

namespace tresor::server::jwt {

using Json = nlohmann::json;

Json ConfigRecord(const Config& c) {
  return Json{{"jwt_validation_pubkeys", c.pubkeys}, {"jwks_url", c.jwks_url},
              {"bound_issuer", c.bound_issuer},      {"jwt_supported_algs", c.supported_algs},
              {"default_role", c.default_role},      {"jwks", c.jwks},
              {"jwks_fetched", c.jwks_fetched},      {"jwks_ca_pem", c.jwks_ca_pem}};
}

Config ConfigFrom(const Json& j) {
  Config c;
  c.pubkeys = j.at("jwt_validation_pubkeys").get<std::vector<std::string>>();
  c.jwks_url = j.at("jwks_url").get<std::string>();
  c.jwks_ca_pem = j.value("jwks_ca_pem", "");
  c.bound_issuer = j.at("bound_issuer").get<std::string>();
  c.supported_algs = j.at("jwt_supported_algs").get<std::vector<std::string>>();
  c.default_role = j.at("default_role").get<std::string>();
  c.jwks = j.at("jwks").get<std::string>();
  c.jwks_fetched = j.at("jwks_fetched").get<int64_t>();
  return c;
}

Json RoleRecord(const Role& r) {
  Json j = r.token.ToRecord();
  j.update(Json{{"bound_audiences", r.bound_audiences},
                {"user_claim", r.user_claim},
                {"bound_subject", r.bound_subject},
                {"bound_claims", r.bound_claims},
                {"glob_claims", r.glob_claims},
                {"claim_mappings", r.claim_mappings},
                {"clock_skew_leeway", r.leeways.clock_skew},
                {"expiration_leeway", r.leeways.expiration},
                {"not_before_leeway", r.leeways.not_before}});
  return j;
}

Role RoleFrom(const std::string& name, const Json& j) {
  Role r;
  r.name = name;
  r.token = TokenSettings::FromRecord(j);
  r.bound_audiences = j.at("bound_audiences").get<std::vector<std::string>>();
  r.user_claim = j.at("user_claim").get<std::string>();
  r.bound_subject = j.at("bound_subject").get<std::string>();
  r.bound_claims = j.at("bound_claims");
  r.glob_claims = j.at("glob_claims").get<bool>();
  r.claim_mappings = j.at("claim_mappings");
  r.leeways = {j.at("clock_skew_leeway").get<int64_t>(), j.at("expiration_leeway").get<int64_t>(),
               j.at("not_before_leeway").get<int64_t>()};
  return r;
}

Json RoleApi(const Role& r) {
  Json j = r.token.ToApi();
  j.update(Json{{"role_type", "jwt"},
                {"bound_audiences", r.bound_audiences},
                {"user_claim", r.user_claim},
                {"user_claim_json_pointer", false},
                {"bound_subject", r.bound_subject},
                {"bound_claims", r.bound_claims.empty() ? Json(nullptr) : r.bound_claims},
                {"bound_claims_type", r.glob_claims ? "glob" : "string"},
                {"claim_mappings", r.claim_mappings.empty() ? Json(nullptr) : r.claim_mappings},
                {"groups_claim", ""},
                {"clock_skew_leeway", r.leeways.clock_skew},
                {"expiration_leeway", r.leeways.expiration},
                {"not_before_leeway", r.leeways.not_before},
                {"allowed_redirect_uris", Json::array()},
                {"oidc_scopes", Json::array()},
                {"verbose_oidc_logging", false}});
  return j;
}

Json ConfigApi(const Config& c) {
  return Json{{"jwt_validation_pubkeys", c.pubkeys},
              {"jwks_url", c.jwks_url},
              {"jwks_ca_pem", c.jwks_ca_pem},
              {"bound_issuer", c.bound_issuer},
              {"jwt_supported_algs", c.supported_algs},
              {"default_role", c.default_role},
              {"oidc_discovery_url", ""},
              {"oidc_discovery_ca_pem", ""},
              {"oidc_client_id", ""},
              {"oidc_response_mode", ""},
              {"oidc_response_types", Json::array()},
              {"provider_config", Json::object()},
              {"namespace_in_state", false}};
}

}  // namespace tresor::server::jwt
