// auth/PATH/ for an AppRole mount: roles, role IDs, secret IDs and login,
// in Vault's shapes (hvac's and node-vault's AppRole methods).
#include <algorithm>

#include "server/approle/approle.h"
#include "server/auth/method.h"
#include "server/auth/role_routes.h"
#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {
namespace {

std::string TimeText(int64_t unix_seconds) {
  if (unix_seconds == 0) return "0001-01-01T00:00:00Z";  // Go's zero time, as Vault shows it
  return Rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds)));
}

Json RoleData(const approle::Role& r) {
  return Json{{"bind_secret_id", r.bind_secret_id},
              {"secret_id_bound_cidrs", r.secret_id_bound_cidrs},
              {"secret_id_num_uses", r.secret_id_num_uses},
              {"secret_id_ttl", r.secret_id_ttl},
              {"token_policies", r.policies},
              {"policies", r.policies},
              {"token_ttl", r.token_ttl},
              {"token_max_ttl", r.token_max_ttl},
              {"token_num_uses", r.token_num_uses},
              {"token_no_default_policy", r.token_no_default_policy},
              {"token_bound_cidrs", Json::array()},
              {"token_explicit_max_ttl", 0},
              {"token_period", 0},
              {"token_type", "default"},
              {"local_secret_ids", false}};
}

Json SecretData(const approle::SecretId& s) {
  return Json{{"secret_id_accessor", s.accessor},
              {"creation_time", TimeText(s.creation_time)},
              {"last_updated_time", TimeText(s.creation_time)},
              {"expiration_time", TimeText(s.expiration_time)},
              {"secret_id_ttl", s.expiration_time == 0 ? 0 : s.expiration_time - s.creation_time},
              {"secret_id_num_uses", s.num_uses},
              {"cidr_list", s.cidr_list},
              {"token_bound_cidrs", Json::array()},
              {"metadata", s.metadata}};
}

class AppRoleMethod : public auth::Method {
 public:
  AppRoleMethod(const auth::Services& services, const std::string& prefix)
      : roles_(services.barrier, prefix, services.now) {}

  bool IsLogin(std::string_view rest) const override { return rest == "login"; }
  std::string ThrottleName(std::string_view, const Json& body) const override {
    // Bounded, whatever a client sends.
    return TextSetting(body, "role_id").substr(0, 128);
  }
  const char* throttle_word() const override { return "role"; }
  Result<TokenRequest> LogIn(const http::Request& request, std::string_view, const Json& body, bool,
                             bool*) override;
  http::Response Handle(const http::Request& request, const std::string& rest,
                        const Json& body) override;

 private:
  approle::AppRole roles_;
};

http::Response AppRoleMethod::Handle(const http::Request& request, const std::string& rest,
                                     const Json& body) {
  if (rest == "role" || rest == "role/") return auth::ListRoles(request, roles_);
  if (!rest.starts_with("role/")) return Error(404, "unsupported path");
  std::string name = rest.substr(5);
  std::string action;
  if (const size_t slash = name.find('/'); slash != std::string::npos) {
    action = name.substr(slash + 1);
    name.resize(slash);
  }
  if (action.empty()) return auth::RoleRoute(request, roles_, name, body, RoleData);
  if (action == "role-id") {
    if (IsWrite(request)) {
      auto set = roles_.SetRoleId(name, TextSetting(body, "role_id"));
      return set ? NoContent() : ErrorOf(set.error());
    }
    if (request.method != "GET") return Error(405, "unsupported operation");
    auto role = roles_.ReadRole(name);
    if (!role) return ErrorOf(role.error());
    if (!*role) return Error(404, "");
    return Envelope(200, Json{{"role_id", (*role)->role_id}});
  }
  if (action == "secret-id" || action == "custom-secret-id") {
    if (action == "secret-id" && IsList(request)) {
      auto accessors = roles_.ListAccessors(name);
      if (!accessors) return ErrorOf(accessors.error());
      if (accessors->empty()) return Error(404, "");
      return Envelope(200, Json{{"keys", *accessors}});
    }
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    const std::string custom = action == "custom-secret-id" ? TextSetting(body, "secret_id") : "";
    if (action == "custom-secret-id" && custom.empty()) return Error(400, "missing secret_id");
    auto made = roles_.NewSecretId(name, body, custom);
    if (!made) return ErrorOf(made.error());
    const approle::SecretId& s = made->second;
    return Envelope(200, Json{{"secret_id", made->first},
                              {"secret_id_accessor", s.accessor},
                              {"secret_id_ttl",
                               s.expiration_time == 0 ? 0 : s.expiration_time - s.creation_time},
                              {"secret_id_num_uses", s.num_uses}});
  }
  const bool by_accessor = action.starts_with("secret-id-accessor/");
  if (by_accessor || action.starts_with("secret-id/")) {
    const std::string verb = action.substr(action.rfind('/') + 1);
    const std::string given = TextSetting(body, by_accessor ? "secret_id_accessor" : "secret_id");
    if (given.empty()) {
      return Error(400, by_accessor ? "missing secret_id_accessor" : "missing secret_id");
    }
    if (verb == "lookup" && IsWrite(request)) {
      auto found =
          by_accessor ? roles_.LookupAccessor(name, given) : roles_.LookupSecretId(name, given);
      if (!found) return ErrorOf(found.error());
      if (!*found) return NoContent();  // Vault answers an unknown one with nothing
      return Envelope(200, SecretData(**found));
    }
    if (verb == "destroy" && (IsWrite(request) || request.method == "DELETE")) {
      auto destroyed =
          by_accessor ? roles_.DestroyAccessor(name, given) : roles_.DestroySecretId(name, given);
      if (!destroyed && destroyed.error().code != ErrorCode::kNotFound) {
        return ErrorOf(destroyed.error());
      }
      return NoContent();
    }
    return Error(405, "unsupported operation");
  }
  return Error(404, "unsupported path");
}

Result<TokenRequest> AppRoleMethod::LogIn(const http::Request& request, std::string_view,
                                          const Json& body, bool, bool*) {
  TRESOR_ASSIGN_OR_RETURN(approle::Role role,
                          roles_.Login(TextSetting(body, "role_id"), TextSetting(body, "secret_id"),
                                       request.remote_addr));
  TokenRequest req;
  req.policies = role.policies;
  if (!role.token_no_default_policy) req.policies.push_back("default");
  req.ttl = role.token_ttl;
  req.explicit_max_ttl = role.token_max_ttl;
  req.num_uses = role.token_num_uses;
  req.display_name = "";
  req.meta = {{"role_name", role.name}};
  return req;
}

}  // namespace

std::unique_ptr<auth::Method> auth::MakeAppRole(const Services& services,
                                                const std::string& prefix) {
  return std::make_unique<AppRoleMethod>(services, prefix);
}

}  // namespace tresor::server
