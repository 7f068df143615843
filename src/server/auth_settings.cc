#include "server/auth_settings.h"

#include <algorithm>
#include <cstdlib>

#include "server/request_body.h"
#include "server/times.h"

namespace tresor::server {

std::optional<std::vector<std::string>> StringList(const nlohmann::json& body, const char* field) {
  if (!body.is_object() || !body.contains(field) || body[field].is_null()) return std::nullopt;
  const nlohmann::json& v = body[field];
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const nlohmann::json& p : v) {
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

std::optional<std::vector<std::string>> PolicyList(const nlohmann::json& body) {
  for (const char* field : {"token_policies", "policies"}) {
    if (auto list = StringList(body, field)) return list;
  }
  return std::nullopt;
}

Result<std::optional<int64_t>> OptionalSeconds(const nlohmann::json& body, const char* field) {
  if (!body.is_object() || !body.contains(field)) return std::optional<int64_t>();
  auto seconds = DurationSeconds(body[field]);
  if (!seconds) {
    return MakeError(ErrorCode::kInvalidArgument, field + (": " + seconds.error().message));
  }
  return std::optional<int64_t>(*seconds);
}

Result<std::optional<int64_t>> OptionalCount(const nlohmann::json& body, const char* field) {
  if (!body.is_object() || !body.contains(field) || body[field].is_null()) {
    return std::optional<int64_t>();
  }
  const nlohmann::json& v = body[field];
  int64_t n = -1;
  if (v.is_number_integer()) {
    n = v.get<int64_t>();
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    n = s.empty() ? -1 : std::strtoll(s.c_str(), &end, 10);
    if (end != nullptr && *end != '\0') n = -1;
  }
  if (n < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + ": expected a number of 0 or more");
  }
  return std::optional<int64_t>(n);
}

Result<std::optional<bool>> OptionalFlag(const nlohmann::json& body, const char* field) {
  if (!body.is_object() || !body.contains(field) || body[field].is_null()) {
    return std::optional<bool>();
  }
  const nlohmann::json& v = body[field];
  if (v.is_boolean()) return std::optional<bool>(v.get<bool>());
  if (v == "true" || v == "1" || v == 1) return std::optional<bool>(true);
  if (v == "false" || v == "0" || v == 0) return std::optional<bool>(false);
  return MakeError(ErrorCode::kInvalidArgument, std::string(field) + ": expected true or false");
}

std::string UnsupportedTokenSetting(const nlohmann::json& body) {
  for (const char* name :
       {"token_bound_cidrs", "bound_cidrs", "token_period", "period", "token_explicit_max_ttl"}) {
    if (SettingGiven(body, name) && body[name] != false) return name;
  }
  if (body.contains("token_type") && !body["token_type"].is_null() &&
      body["token_type"] != "default" && body["token_type"] != "service") {
    return "token_type";
  }
  return "";
}

bool ValidRoleName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Result<void> TokenSettings::Update(const nlohmann::json& body) {
  TRESOR_ASSIGN_OR_RETURN(auto no_default, OptionalFlag(body, "token_no_default_policy"));
  TRESOR_ASSIGN_OR_RETURN(auto uses, OptionalCount(body, "token_num_uses"));
  TRESOR_ASSIGN_OR_RETURN(auto ttl_given, OptionalSeconds(body, "token_ttl"));
  TRESOR_ASSIGN_OR_RETURN(auto max_given, OptionalSeconds(body, "token_max_ttl"));
  if (no_default) no_default_policy = *no_default;
  if (uses) num_uses = *uses;
  if (ttl_given) ttl = *ttl_given;
  if (max_given) max_ttl = *max_given;
  if (auto list = PolicyList(body)) policies = std::move(*list);
  return {};
}

nlohmann::json TokenSettings::ToRecord() const {
  return nlohmann::json{{"policies", policies},
                        {"token_ttl", ttl},
                        {"token_max_ttl", max_ttl},
                        {"token_num_uses", num_uses},
                        {"token_no_default_policy", no_default_policy}};
}

TokenSettings TokenSettings::FromRecord(const nlohmann::json& record) {
  TokenSettings t;
  t.policies = record.at("policies").get<std::vector<std::string>>();
  t.ttl = record.at("token_ttl").get<int64_t>();
  t.max_ttl = record.at("token_max_ttl").get<int64_t>();
  t.num_uses = record.at("token_num_uses").get<int64_t>();
  t.no_default_policy = record.at("token_no_default_policy").get<bool>();
  return t;
}

nlohmann::json TokenSettings::ToApi() const {
  return nlohmann::json{{"token_policies", policies},
                        {"policies", policies},
                        {"token_ttl", ttl},
                        {"token_max_ttl", max_ttl},
                        {"token_num_uses", num_uses},
                        {"token_no_default_policy", no_default_policy},
                        {"token_bound_cidrs", nlohmann::json::array()},
                        {"token_explicit_max_ttl", 0},
                        {"token_period", 0},
                        {"token_type", "default"}};
}

std::vector<std::string> TokenSettings::LoginPolicies() const {
  std::vector<std::string> out = policies;
  if (!no_default_policy) out.push_back("default");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tresor::server
