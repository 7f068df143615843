// sys/auth (enabling auth methods) and auth/userpass/: users, passwords,
// login.
#include <algorithm>

#include "server/core.h"
#include "server/records.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {
namespace {

// Vault takes policies as a list or as a comma-separated string.
std::optional<std::vector<std::string>> PolicyList(const Json& body) {
  for (const char* field : {"token_policies", "policies"}) {
    if (!body.contains(field)) continue;
    const Json& v = body[field];
    std::vector<std::string> out;
    if (v.is_array()) {
      for (const Json& p : v) {
        if (p.is_string() && !p.get<std::string>().empty()) out.push_back(p.get<std::string>());
      }
    } else if (v.is_string()) {
      const std::string all = v.get<std::string>();
      std::string_view text = all;
      while (!text.empty()) {
        const size_t comma = text.find(',');
        std::string_view one = text.substr(0, comma);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
        if (!one.empty()) out.emplace_back(one);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
      }
    }
    return out;
  }
  return std::nullopt;
}

// The duration `field` of `body` if it is there; kInvalidArgument "FIELD:
// ..." if it is not a duration.
Result<std::optional<int64_t>> OptionalSeconds(const Json& body, const char* field) {
  if (!body.contains(field)) return std::optional<int64_t>();
  auto seconds = DurationSeconds(body[field]);
  if (!seconds) {
    return MakeError(ErrorCode::kInvalidArgument, field + (": " + seconds.error().message));
  }
  return std::optional<int64_t>(*seconds);
}

// The name of a token setting in `body` that tresor does not implement and
// that would make login tokens other than the ones asked for; "" if none.
std::string UnsupportedTokenSetting(const Json& body) {
  for (const char* name : {"token_num_uses", "token_period", "token_bound_cidrs", "bound_cidrs"}) {
    if (SettingGiven(body, name)) return name;
  }
  if (SettingGiven(body, "token_type") && body["token_type"] != "default" &&
      body["token_type"] != "service") {
    return "token_type";
  }
  return "";
}

Json AuthMethods(bool userpass) {
  Json out{{"token/",
            {{"type", "token"}, {"description", "token based credentials"}, {"local", false}}}};
  if (userpass) {
    out["userpass/"] = Json{{"type", "userpass"}, {"description", ""}, {"local", false}};
  }
  return out;
}

}  // namespace

http::Response Core::AuthMounts(const http::Request& request, const std::string& path,
                                const Json& body) {
  if (path == "sys/auth") {
    if (request.method != "GET") return Error(405, "unsupported operation");
    return EnvelopeAndTop(AuthMethods(userpass_enabled_));
  }
  const std::string mount = path.substr(std::string_view("sys/auth/").size());
  if (mount != "userpass" && mount != "userpass/") {
    return Error(400, "only the userpass auth method can be enabled here");
  }
  if (IsWrite(request)) {
    const std::string type =
        body.contains("type") && body["type"].is_string() ? body["type"].get<std::string>() : "";
    if (type != "userpass") return Error(400, "unknown auth method type \"" + type + "\"");
    const std::lock_guard lock(auth_mutex_);
    if (userpass_enabled_) return Error(400, "path is already in use at userpass/");
    userpass_enabled_ = true;
    PutRecord(*barrier_, kAuthMethodsPath, Json{{"userpass", true}});
    return NoContent();
  }
  if (request.method == "DELETE") {
    const std::lock_guard lock(auth_mutex_);
    userpass_enabled_ = false;
    PutRecord(*barrier_, kAuthMethodsPath, Json{{"userpass", false}});
    for (const std::string& name : userpass_.List()) userpass_.Delete(name);
    return NoContent();
  }
  return Error(405, "unsupported operation");
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
      const std::string unsupported = UnsupportedTokenSetting(body);
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
