// auth/jwt/: config, roles and login, in Vault's shapes (hvac's
// auth.jwt methods, node-vault's jwtLogin).
#include "server/core.h"
#include "server/jwt/jwt_records.h"
#include "server/responses.h"

namespace tresor::server {
namespace {

constexpr std::string_view kBase = "auth/jwt/";

http::Response FromError(const tresor::Error& e) {
  // A token that is not accepted is a bad request in Vault's answer.
  return Error(e.code == ErrorCode::kRefused ? 400 : StatusOf(e.code), e.message);
}

std::string Text(const Json& body, const char* field) {
  return body.is_object() && body.contains(field) && body[field].is_string()
             ? body[field].get<std::string>()
             : "";
}

}  // namespace

http::Response Core::JwtRoute(const http::Request& request, const std::string& path,
                              const Json& body) {
  if (!jwt_enabled_) return Error(400, "no handler for route \"" + path + "\"");
  const std::string rest = path.substr(kBase.size());
  if (rest == "config") {
    if (IsWrite(request)) {
      auto written = jwt_->WriteConfig(body);
      return written ? NoContent() : FromError(written.error());
    }
    if (request.method != "GET") return Error(405, "unsupported operation");
    auto config = jwt_->ReadConfig();
    if (!config) return FromError(config.error());
    if (!*config) return Error(404, "");
    return Envelope(200, jwt::ConfigApi(**config));
  }
  if (rest == "role" || rest == "role/") {
    if (!IsList(request)) return Error(405, "unsupported operation");
    auto names = jwt_->ListRoles();
    if (!names) return FromError(names.error());
    if (names->empty()) return Error(404, "");
    return Envelope(200, Json{{"keys", *names}});
  }
  if (!rest.starts_with("role/")) return Error(404, "unsupported path");
  const std::string name = rest.substr(5);
  if (IsWrite(request)) {
    auto written = jwt_->WriteRole(name, body);
    return written ? NoContent() : FromError(written.error());
  }
  if (request.method == "DELETE") {
    auto deleted = jwt_->DeleteRole(name);
    if (!deleted && deleted.error().code != ErrorCode::kNotFound) {
      return FromError(deleted.error());
    }
    return NoContent();
  }
  if (request.method != "GET") return Error(405, "unsupported operation");
  auto role = jwt_->ReadRole(name);
  if (!role) return FromError(role.error());
  if (!*role) return Error(404, "");
  return Envelope(200, jwt::RoleApi(**role));
}

http::Response Core::JwtLogin(const http::Request& request, const Json& body, bool may_fetch,
                              bool* fetch_needed) {
  if (!jwt_enabled_) return Error(400, "no handler for route \"auth/jwt/login\"");
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  auto login = jwt_->LogIn(Text(body, "role"), Text(body, "jwt"), may_fetch, fetch_needed);
  if (!login) return FromError(login.error());
  const TokenSettings& settings = login->role.token;
  TokenRequest req;
  req.policies = settings.LoginPolicies();
  req.ttl = settings.ttl;
  req.explicit_max_ttl = settings.max_ttl;
  req.num_uses = settings.num_uses;
  req.orphan = true;  // a login starts a token tree of its own
  req.display_name = "jwt-" + login->user.substr(0, 200);
  req.path = "auth/jwt/login";
  req.meta = login->metadata;
  auto created = tokens_.Create(req, "");
  if (!created) return Error(500, created.error().message);
  return Envelope(200, nullptr, AuthBlock(created->first, created->second));
}

}  // namespace tresor::server
