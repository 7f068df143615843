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
  auto body_string = [&](const char* name) -> std::string {
    return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : "";
  };

  if (op == "create" || op == "create-orphan") {
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    if (caller.info.num_uses != 0) {
      return Error(400, "a token with limited uses cannot create child tokens");
    }
    // Refused rather than ignored: each would make a token other than the
    // one asked for.
    if (!body_string("id").empty()) return Error(400, "tokens with a chosen id are not supported");
    if (body_string("type") == "batch") return Error(400, "batch tokens are not supported");
    if (SettingGiven(body, "period")) return Error(400, "periodic tokens are not supported");
    if (SettingGiven(body, "bound_cidrs")) return Error(400, "bound_cidrs is not supported");
    TokenRequest req;
    if (body.contains("num_uses")) {
      const Json& uses = body["num_uses"];
      if (!uses.is_number_integer() || uses.get<int64_t>() < 0) {
        return Error(400, "num_uses must be a non-negative integer");
      }
      req.num_uses = uses.get<int64_t>();
    }
    const bool policies_given =
        body.contains("policies") && body["policies"].is_array() && !body["policies"].empty();
    if (body.contains("policies")) {
      if (!body["policies"].is_array()) return Error(400, "policies must be a list");
      for (const Json& p : body["policies"]) {
        if (!p.is_string()) return Error(400, "policies must be a list of names");
        if (p.get<std::string>() != "default") req.policies.push_back(p.get<std::string>());
      }
    }
    for (const char* field : {"ttl", "explicit_max_ttl"}) {
      if (!body.contains(field)) continue;
      auto seconds = DurationSeconds(body[field]);
      if (!seconds) return Error(400, std::string(field) + ": " + seconds.error().message);
      (std::string_view(field) == "ttl" ? req.ttl : req.explicit_max_ttl) = *seconds;
    }
    if (body.contains("renewable") && body["renewable"].is_boolean()) {
      req.renewable = body["renewable"].get<bool>();
    }
    req.orphan =
        op == "create-orphan" || (body.contains("no_parent") && body["no_parent"].is_boolean() &&
                                  body["no_parent"].get<bool>());
    if (req.orphan && !IsRoot(caller.info.policies) && op != "create-orphan") {
      return Error(400, "root or sudo privileges required to create orphan token");
    }
    const std::string display = body_string("display_name");
    req.display_name = display.empty() ? "token" : "token-" + display;
    if (body.contains("meta") && body["meta"].is_object()) {
      for (const auto& [k, v] : body["meta"].items()) {
        if (v.is_string()) req.meta[k] = v.get<std::string>();
      }
    }
    const bool root_parent = IsRoot(caller.info.policies);
    if (!policies_given) {  // a child holds its parent's policies
      for (const std::string& p : caller.info.policies) {
        if (p != "default") req.policies.push_back(p);
      }
    } else if (!root_parent) {
      for (const std::string& p : req.policies) {
        if (std::find(caller.info.policies.begin(), caller.info.policies.end(), p) ==
            caller.info.policies.end()) {
          return Error(400, "child policies must be subset of parent");
        }
      }
    }
    const bool no_default = body.contains("no_default_policy") &&
                            body["no_default_policy"].is_boolean() &&
                            body["no_default_policy"].get<bool>();
    if (!IsRoot(req.policies) && !no_default) {
      req.policies.insert(req.policies.begin(), "default");
    }
    std::sort(req.policies.begin(), req.policies.end());
    auto created = tokens_.Create(req, caller.key);
    if (!created) return Error(400, created.error().message);
    return Envelope(200, nullptr, AuthBlock(created->first, created->second));
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
