// auth/PATH/ for a JWT mount: config, roles and login, in Vault's shapes
// (hvac's auth.jwt methods, node-vault's jwtLogin).
#include "server/auth/method.h"
#include "server/auth/role_routes.h"
#include "server/core.h"
#include "server/jwt/jwt_auth.h"
#include "server/jwt/jwt_records.h"
#include "server/request_body.h"
#include "server/responses.h"

namespace tresor::server {
namespace {

class JwtMethod : public auth::Method {
 public:
  JwtMethod(const auth::Services& services, const std::string& prefix)
      : jwt_(services.barrier, prefix, services.now, services.https_get) {}

  bool IsLogin(std::string_view rest) const override { return rest == "login"; }
  // Not throttled: a signature has no secret to guess, and Vault does not
  // lock JWT roles (anyone could lock a CI pipeline's role out).
  std::string ThrottleName(std::string_view, const Json&) const override { return ""; }
  Result<TokenRequest> LogIn(const http::Request& request, std::string_view, const Json& body,
                             bool may_block, bool* blocks) override;
  // A config write fetches the JWKS document.
  bool Blocks(const http::Request& request, std::string_view rest) const override {
    return rest == "config" && IsWrite(request);
  }
  http::Response Handle(const http::Request& request, const std::string& rest,
                        const Json& body) override;

 private:
  jwt::JwtAuth jwt_;
};

http::Response JwtMethod::Handle(const http::Request& request, const std::string& rest,
                                 const Json& body) {
  if (rest == "config") {
    if (IsWrite(request)) {
      auto written = jwt_.WriteConfig(body);
      return written ? NoContent() : ErrorOf(written.error());
    }
    if (request.method != "GET") return Error(405, "unsupported operation");
    auto config = jwt_.ReadConfig();
    if (!config) return ErrorOf(config.error());
    if (!*config) return Error(404, "");
    return Envelope(200, jwt::ConfigApi(**config));
  }
  if (rest == "role" || rest == "role/") return auth::ListRoles(request, jwt_);
  if (!rest.starts_with("role/")) return Error(404, "unsupported path");
  return auth::RoleRoute(request, jwt_, rest.substr(5), body, jwt::RoleApi);
}

Result<TokenRequest> JwtMethod::LogIn(const http::Request&, std::string_view, const Json& body,
                                      bool may_block, bool* blocks) {
  TRESOR_ASSIGN_OR_RETURN(
      jwt::Login login,
      jwt_.LogIn(TextSetting(body, "role"), TextSetting(body, "jwt"), may_block, blocks));
  const TokenSettings& settings = login.role.token;
  TokenRequest req;
  req.policies = settings.LoginPolicies();
  req.ttl = settings.ttl;
  req.explicit_max_ttl = settings.max_ttl;
  req.num_uses = settings.num_uses;
  req.display_name = login.user.substr(0, 200);
  req.meta = login.metadata;
  return req;
}

}  // namespace

std::unique_ptr<auth::Method> auth::MakeJwt(const Services& services, const std::string& prefix) {
  return std::make_unique<JwtMethod>(services, prefix);
}

}  // namespace tresor::server
