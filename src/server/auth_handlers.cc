// sys/auth (enabling auth methods) and auth/userpass/: users, passwords,
// login.
#include <algorithm>

#include "server/auth_settings.h"
#include "server/core.h"
#include "server/records.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {
namespace {

// The name of a token setting in `body` that userpass logins do not take;
// "" if none.
std::string UnsupportedUserSetting(const Json& body) {
  if (SettingGiven(body, "token_num_uses")) return "token_num_uses";
  return UnsupportedTokenSetting(body);
}

// The auth methods that can be enabled, and their descriptions.
constexpr std::pair<const char*, const char*> kMethods[] = {
    {"userpass", "users with passwords"},
    {"approle", "machines with a role ID and a secret ID"},
    {"jwt", "workloads and CI jobs with a JWT their identity provider signed"}};

}  // namespace

std::atomic<bool>& Core::AuthEnabled(std::string_view method) {
  if (method == "userpass") return userpass_enabled_;
  if (method == "approle") return approle_enabled_;
  return jwt_enabled_;
}

void Core::SetAuthMethods(const std::optional<Json>& record) {
  for (const auto& [method, description] : kMethods) {
    AuthEnabled(method) = record && record->value(method, false);
  }
}

namespace {

// The record of the auth methods: each one's name with whether it is
// enabled, and "descriptions" by name.
Json AuthRecord(store::Barrier& barrier) {
  auto record = GetRecord(barrier, kAuthMethodsPath);
  return record && *record && (*record)->is_object() ? **record : Json::object();
}

std::string DescriptionOf(const Json& record, std::string_view method) {
  const auto all = record.find("descriptions");
  if (all == record.end() || !all->is_object()) return "";
  const auto it = all->find(std::string(method));
  return it != all->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

http::Response Core::AuthMounts(const http::Request& request, const std::string& path,
                                const Json& body) {
  auto enabled = [&](std::string_view method) { return AuthEnabled(method).load(); };
  if (path == "sys/auth") {
    if (request.method != "GET") return Error(405, "unsupported operation");
    const Json record = AuthRecord(*barrier_);
    Json out{{"token/",
              {{"type", "token"}, {"description", "token based credentials"}, {"local", false}}}};
    for (const auto& [method, what] : kMethods) {
      if (!enabled(method)) continue;
      out[std::string(method) + "/"] =
          Json{{"type", method}, {"description", DescriptionOf(record, method)}, {"local", false}};
    }
    return EnvelopeAndTop(out);
  }
  std::string mount = path.substr(std::string_view("sys/auth/").size());
  if (mount.ends_with('/')) mount.pop_back();
  const bool tune = mount.ends_with("/tune");
  if (tune) mount.resize(mount.size() - std::string_view("/tune").size());
  if (mount != "userpass" && mount != "approle" && mount != "jwt") {
    if (tune) return Error(400, "no auth method is enabled at " + mount + "/");
    return Error(400,
                 "only the userpass, approle and jwt auth methods can be enabled, at their "
                 "own names (userpass/, approle/, jwt/)");
  }
  if (tune) return AuthTune(request, mount, body);
  // The record with `mount` turned on or off (its description with it).
  const auto record = [&](bool on, const std::string& description) {
    Json methods = AuthRecord(*barrier_);
    for (const auto& [method, what] : kMethods) methods[method] = enabled(method);
    methods[mount] = on;
    if (!methods.contains("descriptions") || !methods["descriptions"].is_object()) {
      methods["descriptions"] = Json::object();
    }
    methods["descriptions"].erase(mount);
    if (on && !description.empty()) methods["descriptions"][mount] = description;
    return methods;
  };
  if (IsWrite(request)) {
    const std::string type =
        body.contains("type") && body["type"].is_string() ? body["type"].get<std::string>() : "";
    if (type != mount) return Error(400, "unknown auth method type \"" + type + "\"");
    if (body.contains("description") && !body["description"].is_string()) {
      return Error(400, "description must be a string");
    }
    const std::lock_guard lock(auth_mutex_);
    if (enabled(mount)) return Error(400, "path is already in use at " + mount + "/");
    PutRecord(*barrier_, kAuthMethodsPath, record(true, body.value("description", "")));
    AuthEnabled(mount) = true;
    return NoContent();
  }
  if (request.method == "DELETE") {
    const std::lock_guard lock(auth_mutex_);
    PutRecord(*barrier_, kAuthMethodsPath, record(false, ""));
    if (mount == "userpass") {
      userpass_enabled_ = false;
      for (const std::string& name : userpass_.List()) userpass_.Delete(name);
    } else if (mount == "approle") {
      approle_enabled_ = false;
      if (auto roles = approle_->ListRoles()) {
        for (const std::string& name : *roles) (void)approle_->DeleteRole(name);
      }
    } else {
      jwt_enabled_ = false;
      (void)jwt_->Clear();
    }
    return NoContent();
  }
  return Error(405, "unsupported operation");
}

http::Response Core::AuthTune(const http::Request& request, const std::string& mount,
                              const Json& body) {
  if (!AuthEnabled(mount)) return Error(400, "no auth method is enabled at " + mount + "/");
  if (request.method == "GET") {
    constexpr int64_t kSystemTtl = TokenStore::kMaxTtl;  // Vault's system default, 768 h
    return EnvelopeAndTop(Json{{"default_lease_ttl", kSystemTtl},
                               {"max_lease_ttl", kSystemTtl},
                               {"force_no_cache", false},
                               {"token_type", "default-service"},
                               {"description", DescriptionOf(AuthRecord(*barrier_), mount)}});
  }
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  for (const auto& [name, value] : body.items()) {
    if (name == "description") {
      if (!value.is_string()) return Error(400, "description must be a string");
    } else if (SettingGiven(body, name.c_str())) {
      return Error(400, name + " is not supported for an auth method");
    }
  }
  if (!body.contains("description")) return NoContent();
  const std::lock_guard lock(auth_mutex_);
  Json record = AuthRecord(*barrier_);
  if (!record.contains("descriptions") || !record["descriptions"].is_object()) {
    record["descriptions"] = Json::object();
  }
  record["descriptions"][mount] = body["description"];
  PutRecord(*barrier_, kAuthMethodsPath, record);
  return NoContent();
}

http::Response Core::UserpassLogin(const http::Request& request, const std::string& path,
                                   const Json& body) {
  if (!userpass_enabled_) return Error(400, "no handler for route \"" + path + "\"");
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  const std::string name = path.substr(std::string_view("auth/userpass/login/").size());
  const std::string password = body.contains("password") && body["password"].is_string()
                                   ? body["password"].get<std::string>()
                                   : "";
  auto user = userpass_.Login(name, password);
  if (!user) return Error(400, "invalid username or password");
  TokenRequest req;
  req.policies = user->policies;
  req.policies.push_back("default");
  std::sort(req.policies.begin(), req.policies.end());
  req.policies.erase(std::unique(req.policies.begin(), req.policies.end()), req.policies.end());
  req.ttl = user->token_ttl;
  req.explicit_max_ttl = user->token_max_ttl;
  req.orphan = true;  // a login starts a token tree of its own
  req.display_name = "userpass-" + name;
  req.path = path;
  req.meta = {{"username", name}};
  auto created = tokens_.Create(req, "");
  if (!created) return Error(500, created.error().message);
  return Envelope(200, nullptr, AuthBlock(created->first, created->second));
}

http::Response Core::UserpassUsers(const http::Request& request, const std::string& path,
                                   const Json& body) {
  if (!userpass_enabled_) return Error(400, "no handler for route \"" + path + "\"");
  const std::string base = "auth/userpass/users";
  if (path == base || path == base + "/") {
    if (!IsList(request)) return Error(405, "unsupported operation");
    const auto names = userpass_.List();
    if (names.empty()) return Error(404, "");
    return Envelope(200, Json{{"keys", names}});
  }
  std::string name = path.substr(base.size() + 1);
  const bool password_only = name.ends_with("/password");
  if (password_only) name.resize(name.size() - std::string_view("/password").size());
  const std::string password = body.contains("password") && body["password"].is_string()
                                   ? body["password"].get<std::string>()
                                   : "";
  if (IsWrite(request)) {
    if (password_only && password.empty()) return Error(400, "missing password");
    std::optional<int64_t> ttl, max_ttl;
    if (!password_only) {
      const std::string unsupported = UnsupportedUserSetting(body);
      if (!unsupported.empty()) return Error(400, unsupported + " is not supported");
      auto given_ttl = OptionalSeconds(body, "token_ttl");
      if (!given_ttl) return Error(400, given_ttl.error().message);
      auto given_max_ttl = OptionalSeconds(body, "token_max_ttl");
      if (!given_max_ttl) return Error(400, given_max_ttl.error().message);
      ttl = *given_ttl;
      max_ttl = *given_max_ttl;
    }
    auto written = password_only
                       ? userpass_.Write(name, password, std::nullopt, std::nullopt, std::nullopt)
                       : userpass_.Write(name, password, PolicyList(body), ttl, max_ttl);
    if (!written) return Error(400, written.error().message);
    return NoContent();
  }
  if (request.method == "GET" && !password_only) {
    auto user = userpass_.Read(name);
    if (!user) return Error(404, "");
    return Envelope(200, Json{{"policies", user->policies},
                              {"token_policies", user->policies},
                              {"token_ttl", user->token_ttl},
                              {"token_max_ttl", user->token_max_ttl}});
  }
  if (request.method == "DELETE" && !password_only) {
    userpass_.Delete(name);
    return NoContent();
  }
  return Error(405, "unsupported operation");
}

}  // namespace tresor::server
