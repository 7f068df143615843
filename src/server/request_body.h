// Reading request bodies: whether an optional setting is actually set.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tresor::server {

// The string `body` has at `name`; "" if absent or not a string.
inline std::string TextSetting(const nlohmann::json& body, const char* name) {
  return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : "";
}

// True if `body` has `name` with a value other than one that means "off":
// null, 0, "", "0", "0s" or an empty list.
inline bool SettingGiven(const nlohmann::json& body, const char* name) {
  if (!body.is_object() || !body.contains(name)) return false;
  const nlohmann::json& v = body[name];
  return !(v.is_null() || v == 0 || v == "" || v == "0" || v == "0s" ||
           (v.is_array() && v.empty()));
}

}  // namespace tresor::server
