#include "server/auth_settings.h"

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

}  // namespace tresor::server
