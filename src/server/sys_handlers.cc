// sys/: mounts and ACL policies (the seal endpoints are in seal_handlers.cc).
#include "server/core.h"
#include "server/responses.h"

namespace tresor::server {
namespace {

Json MountsData() {
  const Json config{{"default_lease_ttl", 0}, {"max_lease_ttl", 0}};
  return Json{{"secret/",
               {{"type", "kv"},
                {"description", "key/value secret storage"},
                {"options", {{"version", "2"}}},
                {"local", false},
                {"seal_wrap", false},
                {"config", config}}},
              {"sys/",
               {{"type", "system"},
                {"description", "system endpoints used for control, policy and debugging"},
                {"options", nullptr},
                {"local", false},
                {"seal_wrap", false},
                {"config", config}}}};
}

// Policy store refusals and parse errors are the client's to fix: 400.
http::Response FromError(const tresor::Error& e) { return Error(400, e.message); }

}  // namespace

http::Response Core::Sys(const http::Request& request, const std::string& path, const Json&) {
  if (path == "sys/mounts" && request.method == "GET") {
    const Json mounts = MountsData();
    Json envelope = EnvelopeJson(mounts);
    envelope.update(mounts);  // Vault repeats the mounts at the top level
    return JsonResponse(200, envelope);
  }
  if (path == "sys/internal/ui/mounts/secret" ||
      path.starts_with("sys/internal/ui/mounts/secret/")) {
    return Envelope(200, Json{{"type", "kv"},
                              {"path", "secret/"},
                              {"options", {{"version", "2"}}},
                              {"description", "key/value secret storage"}});
  }
  return Error(404, "no handler for route \"" + path + "\"");
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
  const std::string name = path.substr(base.size() + 1);
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
    if (!body.contains(field) || !body[field].is_string()) {
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
