// auth/token/create, create-orphan and create/ROLE, and the token roles
// (auth/token/roles).
#include <algorithm>

#include "formats/ascii.h"
#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {

http::Response Core::TokenCreate(const std::string& op, const Json& body, const Caller& caller) {
  auto body_string = [&](const char* name) { return TextSetting(body, name); };
  std::optional<TokenRole> role;
  if (op.starts_with("create/")) {
    const std::string name = op.substr(std::string_view("create/").size());
    auto found = token_roles_.Read(name);
    if (!found) return Error(500, found.error().message);
    if (!*found) return Error(400, "unknown role " + name);
    role = std::move(**found);
  }
  if (caller.info.num_uses != 0) {
    return Error(400, "a token with limited uses cannot create child tokens");
  }
  // Refused rather than ignored: each would make a token other than the
  // one asked for.
  if (!body_string("id").empty()) return Error(400, "tokens with a chosen id are not supported");
  if (body_string("type") == "batch") return Error(400, "batch tokens are not supported");
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
  for (const char* field : {"ttl", "explicit_max_ttl", "period"}) {
    if (!SettingGiven(body, field)) continue;
    auto seconds = DurationSeconds(body[field]);
    if (!seconds) return Error(400, std::string(field) + ": " + seconds.error().message);
    const std::string_view name = field;
    (name == "ttl" ? req.ttl : name == "period" ? req.period : req.explicit_max_ttl) = *seconds;
  }
  // Vault's rule: a token that may live for ever is root's (or sudo's) to make.
  if (req.period > 0 && !HasSudo(caller, "auth/token/" + op)) {
    return Error(400, "root or sudo privileges required to create periodic token");
  }
  if (body.contains("renewable") && body["renewable"].is_boolean()) {
    req.renewable = body["renewable"].get<bool>();
  }
  req.orphan =
      op == "create-orphan" || (body.contains("no_parent") && body["no_parent"].is_boolean() &&
                                body["no_parent"].get<bool>());
  for (std::string& p : req.policies) p = formats::AsciiLower(p);
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
  const bool by_role = role && !role->allowed_policies.empty();
  if (!policies_given) {  // a child holds its parent's policies, or the role's
    for (const std::string& p : by_role ? role->allowed_policies : caller.info.policies) {
      if (p != "default") req.policies.push_back(p);
    }
  } else if (by_role) {  // any of the role's, whatever the caller holds
    for (const std::string& p : req.policies) {
      if (std::find(role->allowed_policies.begin(), role->allowed_policies.end(), p) ==
          role->allowed_policies.end()) {
        return Error(400, "token policies (" + p +
                              ") must be a subset of the role's "
                              "allowed_policies");
      }
    }
  } else if (!root_parent) {
    for (const std::string& p : req.policies) {
      if (std::find(caller.info.policies.begin(), caller.info.policies.end(), p) ==
          caller.info.policies.end()) {
        return Error(400, "child policies must be subset of parent");
      }
    }
  }
  if (role) {
    for (const std::string& p : req.policies) {
      if (std::find(role->disallowed_policies.begin(), role->disallowed_policies.end(), p) !=
          role->disallowed_policies.end()) {
        return Error(400, "token policy " + p + " is disallowed by the role");
      }
    }
    req.orphan = role->orphan;
    req.renewable = req.renewable && role->renewable;
    if (role->token_explicit_max_ttl > 0 &&
        (req.explicit_max_ttl == 0 || req.explicit_max_ttl > role->token_explicit_max_ttl)) {
      req.explicit_max_ttl = role->token_explicit_max_ttl;
    }
    if (role->token_num_uses > 0 && (req.num_uses == 0 || req.num_uses > role->token_num_uses)) {
      req.num_uses = role->token_num_uses;
    }
    req.path = "auth/token/" + op;
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

http::Response Core::TokenRoles(const http::Request& request, const std::string& op,
                                const Json& body) {
  if (op == "roles" || op == "roles/") {
    if (!IsList(request)) return Error(405, "unsupported operation");
    auto names = token_roles_.List();
    if (!names) return Error(500, names.error().message);
    if (names->empty()) return Error(404, "");
    return Envelope(200, Json{{"keys", *names}});
  }
  const std::string name = op.substr(std::string_view("roles/").size());
  if (IsWrite(request)) {
    auto written = token_roles_.Write(name, body);
    if (!written) {
      return Error(written.error().code == ErrorCode::kInvalidArgument ? 400 : 500,
                   written.error().message);
    }
    return NoContent();
  }
  if (request.method == "DELETE") {
    auto deleted = token_roles_.Delete(name);
    return deleted ? NoContent() : Error(500, deleted.error().message);
  }
  if (request.method != "GET") return Error(405, "unsupported operation");
  auto role = token_roles_.Read(name);
  if (!role) return Error(500, role.error().message);
  if (!*role) return Error(404, "");
  Json data = server::TokenRoles::ToJson(**role);
  data["name"] = name;
  return Envelope(200, data);
}

}  // namespace tresor::server
