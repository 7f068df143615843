#include "server/api.h"

#include "crypto/random.h"
#include "server/responses.h"

namespace tresor::server {
namespace {

constexpr std::string_view kKvMount = "secret/";

// The token of a request: X-Vault-Token, or Authorization: Bearer.
const std::string* RequestToken(const http::Request& request, std::string* bearer) {
  if (const std::string* token = request.Header("x-vault-token")) return token;
  const std::string* auth = request.Header("authorization");
  if (auth == nullptr || !auth->starts_with("Bearer ")) return nullptr;
  *bearer = auth->substr(7);
  return bearer;
}

}  // namespace

std::string NewToken() {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out = "tr.";
  while (out.size() < 35) {
    uint8_t b = 0;
    crypto::FillRandom({&b, 1});
    if (b < 248) out.push_back(kAlphabet[b % 62]);  // 248 = 4 * 62: no modulo bias
  }
  return out;
}

bool IsList(const http::Request& r) {
  if (r.method == "LIST") return true;
  const std::string* list = r.Query("list");
  return r.method == "GET" && list != nullptr && (*list == "true" || *list == "1");
}

bool IsWrite(const http::Request& r) { return r.method == "PUT" || r.method == "POST"; }

Api::Api(ApiOptions options) : options_(std::move(options)), audit_key_(crypto::RandomSecret(32)) {
  if (!options_.root_token.empty()) tokens_.AddRoot(options_.root_token);
}

acl::Capability Api::Needed(const http::Request& request, const std::string& path) {
  if (IsList(request)) return acl::kList;
  if (request.method == "GET" || request.method == "HEAD") return acl::kRead;
  if (request.method == "DELETE") return acl::kDelete;
  if (request.method == "PATCH") return acl::kPatch;
  // A write creates or updates: for KV values, by whether the key exists.
  if (path.starts_with(kKvMount)) {
    const std::string rest = path.substr(kKvMount.size());
    for (std::string_view prefix : {"data/", "metadata/"}) {
      if (rest.starts_with(prefix)) {
        return kv_.Exists(rest.substr(prefix.size())) ? acl::kUpdate : acl::kCreate;
      }
    }
  }
  return acl::kUpdate;
}

http::Response Api::Handle(const http::Request& request) {
  // The body is parsed once, for the audit line and for the handler.
  const Json parsed =
      request.body.empty() ? Json(nullptr) : Json::parse(request.body, nullptr, false);
  if (!options_.audit) return Route(request, parsed);
  const std::string id = RequestId();
  const std::string operation = IsList(request)              ? "list"
                                : request.method == "GET"    ? "read"
                                : request.method == "DELETE" ? "delete"
                                : request.method == "PATCH"  ? "patch"
                                                             : "update";
  const Json about{{"id", id}, {"operation", operation}, {"path", request.path}};
  std::string bearer;
  const std::string* token = RequestToken(request, &bearer);
  Json entry{
      {"time", NowRfc3339()},
      {"type", "request"},
      {"auth",
       {{"client_token", token ? Json(audit::HmacString(*token, audit_key_)) : Json(nullptr)}}},
      {"request", about}};
  if (!request.body.empty()) {
    entry["request"]["data"] =
        parsed.is_discarded() ? Json("(not JSON)") : audit::HmacStrings(parsed, audit_key_);
  }
  if (!options_.audit->Append(std::move(entry))) return Error(500, "audit log write failed");
  http::Response response = Route(request, parsed);
  Json logged{{"time", NowRfc3339()},
              {"type", "response"},
              {"request", about},
              {"response", {{"status", response.status}}}};
  if (!response.body.empty()) {
    Json body = Json::parse(response.body, nullptr, false);
    if (body.is_object()) {
      // Error messages never hold a value; everything else is HMAC'd.
      Json errors = body.contains("errors") ? body["errors"] : Json(nullptr);
      body.erase("errors");
      if (!body.empty()) logged["response"]["body"] = audit::HmacStrings(body, audit_key_);
      if (!errors.is_null()) logged["response"]["errors"] = errors;
    }
  }
  if (!options_.audit->Append(std::move(logged))) return Error(500, "audit log write failed");
  return response;
}

http::Response Api::Route(const http::Request& request, const Json& parsed) {
  if (!request.path.starts_with("/v1/")) return Error(404, "unsupported path");
  const std::string path = request.path.substr(4);
  Json body = Json::object();
  if (!request.body.empty() && request.method != "GET" && request.method != "HEAD") {
    if (parsed.is_discarded() || !parsed.is_object()) {
      return Error(400, "failed to parse JSON input");
    }
    body = parsed;
  }
  if (path == "sys/health" || path == "sys/seal-status") return Sys(request, path, body);
  if (path.starts_with("auth/userpass/login/")) return UserpassLogin(request, path, body);

  std::string bearer;
  const std::string* token = RequestToken(request, &bearer);
  auto found = token == nullptr ? std::nullopt : tokens_.Lookup(*token);
  if (!found) return Error(403, "permission denied");
  Caller caller{found->first, found->second};
  // lookup-self, renew-self and revoke-self are checked against the
  // default policy like any path: a token without it cannot use them.
  const auto acl = policies_.AclFor(caller.info.policies);
  if (!acl->Allows(path, Needed(request, path))) return Error(403, "permission denied");

  if (path.starts_with(kKvMount)) return Kv(request, path.substr(kKvMount.size()), body);
  if (path.starts_with("auth/token/")) return Token(request, path, body, caller);
  if (path.starts_with("auth/userpass/users")) return UserpassUsers(request, path, body);
  if (path == "sys/auth" || path.starts_with("sys/auth/")) return AuthMounts(request, path, body);
  if (path.starts_with("sys/policy") || path.starts_with("sys/policies/acl")) {
    return Policy(request, path, body);
  }
  if (path.starts_with("sys/")) return Sys(request, path, body);
  return Error(404, "no handler for route \"" + path + "\"");
}

}  // namespace tresor::server
