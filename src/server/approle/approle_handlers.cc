// auth/approle/: roles, role IDs, secret IDs and login, in Vault's shapes
// (hvac's and node-vault's AppRole methods).
#include <algorithm>

#include "server/core.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {
namespace {

constexpr std::string_view kBase = "auth/approle/";

http::Response FromError(const tresor::Error& e) { return Error(StatusOf(e.code), e.message); }

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

std::string Text(const Json& body, const char* field) {
  return body.contains(field) && body[field].is_string() ? body[field].get<std::string>() : "";
}

}  // namespace

http::Response Core::AppRoleRoute(const http::Request& request, const std::string& path,
                                  const Json& body) {
  if (!approle_enabled_) return Error(400, "no handler for route \"" + path + "\"");
  const std::string rest = path.substr(kBase.size());
  if (rest == "role" || rest == "role/") {
    if (!IsList(request)) return Error(405, "unsupported operation");
    auto names = approle_->ListRoles();
    if (!names) return FromError(names.error());
    if (names->empty()) return Error(404, "");
    return Envelope(200, Json{{"keys", *names}});
  }
  if (!rest.starts_with("role/")) return Error(404, "unsupported path");
  std::string name = rest.substr(5);
  std::string action;
  if (const size_t slash = name.find('/'); slash != std::string::npos) {
    action = name.substr(slash + 1);
    name.resize(slash);
  }
  if (action.empty()) {
    if (IsWrite(request)) {
      auto written = approle_->WriteRole(name, body);
      return written ? NoContent() : FromError(written.error());
    }
    if (request.method == "DELETE") {
      auto deleted = approle_->DeleteRole(name);
      if (!deleted && deleted.error().code != ErrorCode::kNotFound) {
        return FromError(deleted.error());
      }
      return NoContent();
    }
    if (request.method != "GET") return Error(405, "unsupported operation");
    auto role = approle_->ReadRole(name);
    if (!role) return FromError(role.error());
    if (!*role) return Error(404, "");
    return Envelope(200, RoleData(**role));
  }
  if (action == "role-id") {
    if (IsWrite(request)) {
      auto set = approle_->SetRoleId(name, Text(body, "role_id"));
      return set ? NoContent() : FromError(set.error());
    }
    if (request.method != "GET") return Error(405, "unsupported operation");
    auto role = approle_->ReadRole(name);
    if (!role) return FromError(role.error());
    if (!*role) return Error(404, "");
    return Envelope(200, Json{{"role_id", (*role)->role_id}});
  }
  if (action == "secret-id" || action == "custom-secret-id") {
    if (action == "secret-id" && IsList(request)) {
      auto accessors = approle_->ListAccessors(name);
      if (!accessors) return FromError(accessors.error());
      if (accessors->empty()) return Error(404, "");
      return Envelope(200, Json{{"keys", *accessors}});
    }
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    const std::string custom = action == "custom-secret-id" ? Text(body, "secret_id") : "";
    if (action == "custom-secret-id" && custom.empty()) return Error(400, "missing secret_id");
    auto made = approle_->NewSecretId(name, body, custom);
    if (!made) return FromError(made.error());
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
    const std::string given = Text(body, by_accessor ? "secret_id_accessor" : "secret_id");
    if (given.empty()) {
      return Error(400, by_accessor ? "missing secret_id_accessor" : "missing secret_id");
    }
    if (verb == "lookup" && IsWrite(request)) {
      auto found = by_accessor ? approle_->LookupAccessor(name, given)
                               : approle_->LookupSecretId(name, given);
      if (!found) return FromError(found.error());
      if (!*found) return NoContent();  // Vault answers an unknown one with nothing
      return Envelope(200, SecretData(**found));
    }
    if (verb == "destroy" && (IsWrite(request) || request.method == "DELETE")) {
      auto destroyed = by_accessor ? approle_->DestroyAccessor(name, given)
                                   : approle_->DestroySecretId(name, given);
      if (!destroyed && destroyed.error().code != ErrorCode::kNotFound) {
        return FromError(destroyed.error());
      }
      return NoContent();
    }
    return Error(405, "unsupported operation");
  }
  return Error(404, "unsupported path");
}

http::Response Core::AppRoleLogin(const http::Request& request, const Json& body) {
  if (!approle_enabled_) return Error(400, "no handler for route \"auth/approle/login\"");
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  auto role = approle_->Login(Text(body, "role_id"), Text(body, "secret_id"), request.remote_addr);
  if (!role) return FromError(role.error());
  TokenRequest req;
  req.policies = role->policies;
  if (!role->token_no_default_policy) req.policies.push_back("default");
  std::sort(req.policies.begin(), req.policies.end());
  req.policies.erase(std::unique(req.policies.begin(), req.policies.end()), req.policies.end());
  req.ttl = role->token_ttl;
  req.explicit_max_ttl = role->token_max_ttl;
  req.num_uses = role->token_num_uses;
  req.orphan = true;  // a login starts a token tree of its own
  req.display_name = "approle";
  req.path = "auth/approle/login";
  req.meta = {{"role_name", role->name}};
  auto created = tokens_.Create(req, "");
  if (!created) return Error(500, created.error().message);
  return Envelope(200, nullptr, AuthBlock(created->first, created->second));
}

}  // namespace tresor::server
