// auth/token/: create, lookup(-self), renew(-self), revoke(-self, -orphan,
// -accessor), lookup-accessor.
#include <algorithm>

#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {
namespace {

int64_t Ttl(const TokenInfo& info) {
  if (info.expire_time == 0) return 0;
  return std::max<int64_t>(0, info.expire_time - static_cast<int64_t>(std::time(nullptr)));
}

std::string Rfc3339(int64_t t) {
  if (t == 0) return "";
  const std::time_t secs = t;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Json AuthBlock(const std::string& token, const TokenInfo& info) {
  Json auth{{"client_token", token},
            {"accessor", info.accessor},
            {"policies", info.policies},
            {"token_policies", info.policies},
            {"metadata", info.meta.empty() ? Json(nullptr) : Json(info.meta)},
            {"lease_duration", Ttl(info)},
            {"renewable", info.renewable && info.expire_time != 0},
            {"entity_id", ""},
            {"token_type", "service"},
            {"orphan", info.orphan}};
  return auth;
}

namespace {

// What lookup shows; `id` is the token itself when the caller gave it.
Json LookupData(const TokenInfo& info, const std::string& id) {
  return Json{
      {"accessor", info.accessor},
      {"creation_time", info.issue_time},
      {"creation_ttl", info.creation_ttl},
      {"display_name", info.display_name},
      {"entity_id", ""},
      {"expire_time", info.expire_time == 0 ? Json(nullptr) : Json(Rfc3339(info.expire_time))},
      {"explicit_max_ttl", info.explicit_max_ttl},
      {"period", info.period},
      {"id", id},
      {"issue_time", Rfc3339(info.issue_time)},
      {"meta", info.meta.empty() ? Json(nullptr) : Json(info.meta)},
      {"num_uses", std::max<int64_t>(info.num_uses, 0)},
      {"orphan", info.orphan},
      {"path", info.path},
      {"policies", info.policies},
      {"renewable", info.renewable && info.expire_time != 0},
      {"ttl", Ttl(info)},
      {"type", "service"}};
}

}  // namespace

http::Response Core::Token(const http::Request& request, const std::string& path, const Json& body,
                           const Caller& caller) {
  const std::string op = path.substr(std::string_view("auth/token/").size());
  auto body_string = [&](const char* name) { return TextSetting(body, name); };

  if (op == "create" || op == "create-orphan" || op.starts_with("create/")) {
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    return TokenCreate(op, body, caller);
  }
  if (op == "roles" || op.starts_with("roles/")) return TokenRoles(request, op, body);
  if (op == "accessors") {  // Vault's: a list, and sudo on the path
    if (!IsList(request)) return Error(405, "unsupported operation");
    // A listing is checked with a trailing slash (Core::AuthorizeWith).
    if (!HasSudo(caller, path + "/")) return Error(403, "permission denied");
    return Envelope(200, Json{{"keys", tokens_.Accessors()}});
  }

  // The token an operation is about: the caller's own, or one in the body.
  std::string target_key = caller.key;
  TokenInfo target = caller.info;
  std::string shown_id;
  const bool self = op.ends_with("-self");
  if (!self && op != "lookup-accessor" && op != "revoke-accessor") {
    const std::string given = body_string("token");
    if (given.empty()) return Error(400, "missing token");
    auto found = tokens_.Lookup(given);
    if (!found) return op.starts_with("revoke") ? NoContent() : Error(403, "bad token");
    std::tie(target_key, target) = *found;
    shown_id = given;
  }
  if (op == "lookup-accessor" || op == "revoke-accessor") {
    auto found = tokens_.LookupAccessor(body_string("accessor"));
    if (!found) return Error(400, "invalid accessor");
    std::tie(target_key, target) = *found;
  }
  if (self) {
    std::string bearer;
    const std::string* own = request.Header("x-vault-token");
    shown_id = own != nullptr ? *own : "";
  }

  if (op == "lookup-self" || op == "lookup" || op == "lookup-accessor") {
    return Envelope(200, LookupData(target, op == "lookup-accessor" ? "" : shown_id));
  }
  if (op == "renew-self" || op == "renew") {
    int64_t increment = 0;
    if (body.contains("increment")) {
      auto seconds = DurationSeconds(body["increment"]);
      if (!seconds) return Error(400, "increment: " + seconds.error().message);
      increment = *seconds;
    }
    auto renewed = tokens_.Renew(target_key, increment);
    if (!renewed) return Error(400, renewed.error().message);
    return Envelope(200, nullptr, AuthBlock(shown_id, *renewed));
  }
  if (op == "revoke-self" || op == "revoke" || op == "revoke-accessor" || op == "revoke-orphan") {
    if (op == "revoke-orphan" && !IsRoot(caller.info.policies)) {
      return Error(403, "root or sudo privileges required to revoke and orphan");
    }
    tokens_.Revoke(target_key, op == "revoke-orphan");
    return NoContent();
  }
  return Error(404, "no handler for route \"" + path + "\"");
}

}  // namespace tresor::server
