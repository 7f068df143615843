// sys/: mounts and ACL policies (the seal endpoints are in seal_handlers.cc).
#include "formats/ascii.h"
#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"

namespace tresor::server {
namespace {

// Policy store refusals and parse errors are the client's to fix: 400.
http::Response FromError(const tresor::Error& e) { return Error(400, e.message); }

// The status of a refused mount table change: the caller's mistake (400)
// or the storage's (500, 503).
int MountChangeStatus(ErrorCode code) {
  if (code == ErrorCode::kUnavailable) return 503;
  return code == ErrorCode::kIo || code == ErrorCode::kIntegrity ? 500 : 400;
}

}  // namespace

// sys/remount {"from": PATH, "to": PATH}: a secrets engine and its records
// moved, at once (Vault answers with a migration to poll; this is done
// when the answer comes); or an auth method ("auth/PATH"), whose records
// stay where they are.
http::Response Core::Remount(const http::Request& request, const Json& body) {
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  std::string from = TextSetting(body, "from"), to = TextSetting(body, "to");
  if (from.empty() || to.empty()) return Error(400, "both \"from\" and \"to\" are required");
  for (std::string* path : {&from, &to}) {
    if (path->back() != '/') path->push_back('/');
  }
  if (from.starts_with("auth/") != to.starts_with("auth/")) {
    return Error(400, "cannot move between auth methods and secrets engines");
  }
  if (from.starts_with("auth/")) {
    auto moved = auth_.Move(from.substr(5), to.substr(5));
    if (!moved) return Error(MountChangeStatus(moved.error().code), moved.error().message);
    return NoContent();
  }
  for (const char* fixed : {"sys/", "cubbyhole/"}) {
    if (from == fixed) return Error(400, "cannot remount \"" + from + "\"");
  }
  auto moved = mounts_.Move(from, to);
  if (!moved) return Error(MountChangeStatus(moved.error().code), moved.error().message);
  return NoContent();
}

http::Response Core::UiMounts(const http::Request& request) {
  if (request.method != "GET") return Error(405, "unsupported operation");
  std::string bearer;
  const std::string* token = RequestToken(request, &bearer);
  auto found = token == nullptr ? std::nullopt : tokens_.Lookup(*token);
  if (!found) return Error(403, "permission denied");
  const std::shared_ptr<const acl::Acl> acl = policies_.AclFor(found->second.policies);
  Json secret = Json::object();
  const Json mounts = mounts_.Describe();
  for (const auto& [path, about] : mounts.items()) {
    if (path != "sys/" && acl->GrantsSomethingUnder(path)) secret[path] = about;
  }
  Json auth = Json::object();
  if (acl->GrantsSomethingUnder("auth/token/")) {
    auth["token/"] = Json{{"type", "token"}, {"description", "token based credentials"}};
  }
  return Envelope(200, Json{{"secret", std::move(secret)}, {"auth", std::move(auth)}});
}

// sys/mounts (list), sys/mounts/PATH (mount, unmount) and
// sys/internal/ui/mounts/PATH (the mount a path is under).
http::Response Core::Mounts(const http::Request& request, const std::string& path,
                            const Json& body) {
  constexpr std::string_view kUi = "sys/internal/ui/mounts/";
  if (path.starts_with(kUi)) {
    std::string rest;
    auto mount = mounts_.Find(path.substr(kUi.size()) + "/", &rest);
    if (mount == nullptr) return Error(400, "no mount at " + path.substr(kUi.size()));
    Json data = MountTable::Describe(*mount);
    data["path"] = mount->path;
    return Envelope(200, data);
  }
  if (path == "sys/mounts") {
    if (request.method != "GET") return Error(405, "unsupported operation");
    return EnvelopeAndTop(mounts_.Describe());
  }
  const std::string mount = path.substr(std::string_view("sys/mounts/").size());
  if (mount.ends_with("/tune")) return MountTune(request, mount.substr(0, mount.size() - 5), body);
  if (IsWrite(request)) {
    std::string type = TextSetting(body, "type");
    int version = 0;  // the type's default (Vault's for "kv": 1)
    if (type == "kv-v2") {
      type = "kv";
      version = 2;
    }
    if (body.contains("options") && body["options"].is_object() &&
        body["options"].contains("version")) {
      const Json& v = body["options"]["version"];
      version = v.is_string()           ? std::atoi(v.get<std::string>().c_str())
                : v.is_number_integer() ? v.get<int>()
                                        : 0;
    }
    auto added = mounts_.Add(mount, type, version, TextSetting(body, "description"));
    if (!added) return Error(MountChangeStatus(added.error().code), added.error().message);
    return NoContent();
  }
  if (request.method == "DELETE") {
    for (const char* fixed : {"sys", "cubbyhole"}) {
      if (mount == fixed || mount == std::string(fixed) + "/") {
        return Error(400, "cannot unmount \"" + std::string(fixed) + "/\"");
      }
    }
    auto removed = mounts_.Remove(mount);
    if (!removed && removed.error().code != ErrorCode::kNotFound) {
      return Error(removed.error().code == ErrorCode::kUnavailable ? 503 : 500,
                   "unmount failed: " + removed.error().message);
    }
    return NoContent();
  }
  return Error(405, "unsupported operation");
}

// sys/mounts/PATH/tune: a KV mount's settings. Its description changes;
// what a KV engine has no use for (lease TTLs) or tresor does not do (a
// change of KV version) is refused, never ignored.
http::Response Core::MountTune(const http::Request& request, const std::string& mount,
                               const Json& body) {
  std::string rest;
  const auto found = mounts_.Find(mount.ends_with('/') ? mount : mount + "/", &rest);
  if (found == nullptr || !rest.empty()) return Error(400, "no mount at " + mount);
  const std::string version = std::to_string(found->version);
  if (request.method == "GET") {
    constexpr int64_t kSystemTtl = TokenStore::kMaxTtl;  // Vault's system default, 768 h
    return EnvelopeAndTop(Json{{"default_lease_ttl", kSystemTtl},
                               {"max_lease_ttl", kSystemTtl},
                               {"force_no_cache", false},
                               {"description", found->description},
                               {"options", MountTable::Describe(*found)["options"]}});
  }
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  for (const auto& [name, value] : body.items()) {
    if (name == "description") {
      if (!value.is_string()) return Error(400, "description must be a string");
    } else if (name == "options") {
      const bool same = found->type->default_version != 0 && value.is_object() &&
                        value.size() == 1 && value.contains("version") &&
                        (value["version"] == version || value["version"] == found->version);
      if (!same && !(value.is_object() && value.empty())) {
        return Error(400, "changing a mount's KV version or options is not supported");
      }
    } else if (SettingGiven(body, name.c_str())) {
      const std::string type = found->type->name;
      return Error(400,
                   name + " is not supported for a " + (type == "kv" ? "KV" : type) + " mount");
    }
  }
  if (!body.contains("description")) return NoContent();
  auto tuned = mounts_.Tune(mount, body["description"].get<std::string>());
  if (!tuned) {
    const ErrorCode code = tuned.error().code;
    return Error(code == ErrorCode::kUnavailable ? 503
                 : code == ErrorCode::kNotFound  ? 400
                                                 : 500,
                 tuned.error().message);
  }
  return NoContent();
}

// sys/policy[/NAME] (Vault's older API) and sys/policies/acl[/NAME].
http::Response Core::Policy(const http::Request& request, const std::string& path,
                            const Json& body) {
  const bool acl_api = path.starts_with("sys/policies/acl");
  const std::string base = acl_api ? "sys/policies/acl" : "sys/policy";
  if (path == base || path == base + "/") {
    if (request.method != "GET" && !IsList(request)) return Error(405, "unsupported operation");
    const Json names = policies_.Names();
    if (acl_api) return Envelope(200, Json{{"keys", names}});
    Json envelope = EnvelopeJson(Json{{"keys", names}, {"policies", names}});
    envelope["keys"] = names;
    envelope["policies"] = names;
    return JsonResponse(200, envelope);
  }
  if (!path.starts_with(base + "/")) return Error(404, "no handler for route \"" + path + "\"");
  // Policy names are case-insensitive, kept lower-cased (as Vault does).
  const std::string name = formats::AsciiLower(path.substr(base.size() + 1));
  if (request.method == "GET") {
    auto text = policies_.Get(name);
    if (!text) return Error(404, "");
    if (acl_api) return Envelope(200, Json{{"name", name}, {"policy", *text}});
    Json envelope = EnvelopeJson(Json{{"name", name}, {"rules", *text}});
    envelope["name"] = name;
    envelope["rules"] = *text;
    return JsonResponse(200, envelope);
  }
  if (IsWrite(request)) {
    const char* field = body.contains("policy") ? "policy" : "rules";
    if (!body.contains(field) || !body[field].is_string() ||
        body[field].get_ref<const std::string&>().find_first_not_of(" \t\r\n") ==
            std::string::npos) {
      return Error(400, "'policy' parameter not supplied or empty");
    }
    if (auto put = policies_.Put(name, body[field].get<std::string>()); !put) {
      return FromError(put.error());
    }
    return NoContent();
  }
  if (request.method == "DELETE") {
    if (auto deleted = policies_.Delete(name); !deleted) return FromError(deleted.error());
    return NoContent();
  }
  return Error(405, "unsupported operation");
}

}  // namespace tresor::server
