// sys/auth (enabling auth methods at paths, tuning them) and the token a
// login earns.
#include <algorithm>

#include "server/auth_settings.h"
#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {
namespace {

// The setting of an enable that asks for what tresor does not do; "" if
// none. hvac sends "local": false and no config by default.
std::string UnsupportedEnableSetting(const Json& body) {
  for (const char* flag : {"local", "seal_wrap", "external_entropy_access"}) {
    if (body.contains(flag) && body[flag] == true) return flag;
  }
  for (const char* object : {"config", "options"}) {
    if (body.contains(object) && !body[object].is_null() && body[object] != Json::object()) {
      return object;
    }
  }
  const std::string plugin = TextSetting(body, "plugin_name");
  if (!plugin.empty() && plugin != TextSetting(body, "type")) return "plugin_name";
  return "";
}

}  // namespace

http::Response Core::AuthMounts(const http::Request& request, const std::string& path,
                                const Json& body) {
  if (path == "sys/auth") {
    if (request.method != "GET") return Error(405, "unsupported operation");
    return EnvelopeAndTop(auth_.Describe());
  }
  std::string mount = path.substr(std::string_view("sys/auth/").size());
  if (mount.ends_with('/')) mount.pop_back();
  if (mount.ends_with("/tune")) {
    return AuthTune(request, mount.substr(0, mount.size() - std::string_view("/tune").size()),
                    body);
  }
  if (IsWrite(request)) {
    if (body.contains("description") && !body["description"].is_string()) {
      return Error(400, "description must be a string");
    }
    const std::string refused = UnsupportedEnableSetting(body);
    if (!refused.empty()) return Error(400, refused + " is not supported for an auth method");
    auto enabled = auth_.Enable(mount, TextSetting(body, "type"), TextSetting(body, "description"));
    return enabled ? NoContent() : ErrorOf(enabled.error());
  }
  if (request.method == "DELETE") {
    auto disabled = auth_.Disable(mount);
    return disabled ? NoContent() : ErrorOf(disabled.error());
  }
  return Error(405, "unsupported operation");
}

http::Response Core::AuthTune(const http::Request& request, const std::string& mount,
                              const Json& body) {
  const auto found = auth_.At(mount);
  if (found == nullptr) return Error(400, "no auth method is enabled at " + mount + "/");
  if (request.method == "GET") {
    constexpr int64_t kSystemTtl = TokenStore::kMaxTtl;  // Vault's system default, 768 h
    return EnvelopeAndTop(Json{{"default_lease_ttl", kSystemTtl},
                               {"max_lease_ttl", kSystemTtl},
                               {"force_no_cache", false},
                               {"token_type", "default-service"},
                               {"description", found->description}});
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
  auto tuned = auth_.Tune(mount, body["description"].get<std::string>());
  return tuned ? NoContent() : Error(400, tuned.error().message);
}

http::Response Core::LogIn(const auth::Mount& mount, const http::Request& request,
                           const std::string& path, const std::string& rest, const Json& body,
                           bool may_block, bool* blocks) {
  auto login = mount.method->LogIn(request, rest, body, may_block, blocks);
  if (*blocks) return {};
  if (!login) return ErrorOf(login.error());
  TokenRequest& req = *login;
  std::sort(req.policies.begin(), req.policies.end());
  req.policies.erase(std::unique(req.policies.begin(), req.policies.end()), req.policies.end());
  req.orphan = true;  // a login starts a token tree of its own
  req.path = path;
  // Named after the mount ("corp/users/" as "corp-users"), as Vault does.
  std::string source = mount.path.substr(0, mount.path.size() - 1);
  std::replace(source.begin(), source.end(), '/', '-');
  req.display_name = req.display_name.empty() ? source : source + "-" + req.display_name;
  auto created = tokens_.Create(req, "");
  if (!created) return Error(500, created.error().message);
  return Envelope(200, nullptr, AuthBlock(created->first, created->second));
}

}  // namespace tresor::server
