// Reading request bodies: whether an optional setting is actually set.
#pragma once

#include <nlohmann/json.hpp>

namespace tresor::server {

// True if `body` has `name` with a value other than one that means "off":
// null, 0, "", "0", "0s" or an empty list.
inline bool SettingGiven(const nlohmann::json& body, const char* name) {
  if (!body.is_object() || !body.contains(name)) return false;
  const nlohmann::json& v = body[name];
  return !(v.is_null() || v == 0 || v == "" || v == "0" || v == "0s" ||
           (v.is_array() && v.empty()));
}

}  // namespace tresor::server
