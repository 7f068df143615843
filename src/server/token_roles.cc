#include "server/token_roles.h"

#include <algorithm>

#include "formats/ascii.h"
#include "server/auth_settings.h"
#include "server/records.h"

namespace tresor::server {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kPrefix = "auth/token/role/";

bool ValidName(const std::string& name) {
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::vector<std::string> Lowered(std::vector<std::string> names) {
  for (std::string& name : names) name = formats::AsciiLower(name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

TokenRole FromJson(const Json& j) {
  TokenRole r;
  r.allowed_policies = j.at("allowed_policies").get<std::vector<std::string>>();
  r.disallowed_policies = j.at("disallowed_policies").get<std::vector<std::string>>();
  r.orphan = j.at("orphan").get<bool>();
  r.renewable = j.at("renewable").get<bool>();
  r.token_explicit_max_ttl = j.at("token_explicit_max_ttl").get<int64_t>();
  r.token_num_uses = j.at("token_num_uses").get<int64_t>();
  return r;
}

Result<std::optional<bool>> Flag(const Json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::optional<bool>();
  if (!body[field].is_boolean()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(field) + ": expected true or false");
  }
  return std::optional<bool>(body[field].get<bool>());
}

}  // namespace

Json TokenRoles::ToJson(const TokenRole& r) {
  return Json{{"allowed_policies", r.allowed_policies},
              {"disallowed_policies", r.disallowed_policies},
              {"orphan", r.orphan},
              {"renewable", r.renewable},
              {"token_explicit_max_ttl", r.token_explicit_max_ttl},
              {"token_num_uses", r.token_num_uses}};
}

Result<void> TokenRoles::Write(const std::string& name, const Json& body) {
  if (!ValidName(name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "role name \"" + name.substr(0, 64) +
                         "\": letters, digits, '-', '_' and '.' only, at most 128");
  }
  for (const char* field :
       {"token_period", "period", "token_bound_cidrs", "bound_cidrs", "allowed_policies_glob",
        "disallowed_policies_glob", "path_suffix", "allowed_entity_aliases"}) {
    if (body.contains(field) && !body[field].is_null() && body[field] != "" && body[field] != 0 &&
        body[field] != Json::array()) {
      return MakeError(ErrorCode::kInvalidArgument, std::string(field) + " is not supported");
    }
  }
  if (body.contains("token_type") && body["token_type"] != "service" &&
      body["token_type"] != "default" && !body["token_type"].is_null()) {
    return MakeError(ErrorCode::kInvalidArgument, "token_type: only service tokens are made");
  }
  TRESOR_ASSIGN_OR_RETURN(auto existing, Read(name));
  TokenRole role = existing.value_or(TokenRole{});
  if (auto allowed = StringList(body, "allowed_policies"))
    role.allowed_policies = Lowered(*allowed);
  if (auto denied = StringList(body, "disallowed_policies")) {
    role.disallowed_policies = Lowered(*denied);
  }
  TRESOR_ASSIGN_OR_RETURN(auto orphan, Flag(body, "orphan"));
  TRESOR_ASSIGN_OR_RETURN(auto renewable, Flag(body, "renewable"));
  if (orphan) role.orphan = *orphan;
  if (renewable) role.renewable = *renewable;
  for (const char* field : {"token_explicit_max_ttl", "explicit_max_ttl"}) {
    TRESOR_ASSIGN_OR_RETURN(auto ttl, OptionalSeconds(body, field));
    if (ttl) role.token_explicit_max_ttl = *ttl;
  }
  if (body.contains("token_num_uses")) {
    const Json& uses = body["token_num_uses"];
    if (!uses.is_number_integer() || uses.get<int64_t>() < 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "token_num_uses: expected a number of 0 or more");
    }
    role.token_num_uses = uses.get<int64_t>();
  }
  TRESOR_RETURN_IF_ERROR(
      barrier_->Apply({SealRecord(*barrier_, std::string(kPrefix) + name, ToJson(role))}));
  return {};
}

Result<std::optional<TokenRole>> TokenRoles::Read(const std::string& name) {
  if (!ValidName(name)) return std::optional<TokenRole>();
  const std::string key = std::string(kPrefix) + name;
  TRESOR_ASSIGN_OR_RETURN(auto record, GetRecord(*barrier_, key));
  if (!record) return std::optional<TokenRole>();
  try {
    return std::optional<TokenRole>(FromJson(*record));
  } catch (const Json::exception&) {
    return MakeError(ErrorCode::kIntegrity, key + ": not a valid record");
  }
}

Result<void> TokenRoles::Delete(const std::string& name) {
  if (!ValidName(name)) return {};
  TRESOR_RETURN_IF_ERROR(barrier_->Delete(std::string(kPrefix) + name));
  return {};
}

Result<std::vector<std::string>> TokenRoles::List() {
  return NamesUnder(*barrier_, std::string(kPrefix));
}

}  // namespace tresor::server
