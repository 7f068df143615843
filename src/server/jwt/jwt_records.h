// JWT auth's config and roles as records in the store (nlohmann's
// exceptions for a record that does not fit: callers use ParseRecord), and
// as Vault's reads show them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "server/jwt/jwt_auth.h"

namespace tresor::server::jwt {

nlohmann::json ConfigRecord(const Config& config);
Config ConfigFrom(const nlohmann::json& record);
nlohmann::json RoleRecord(const Role& role);
Role RoleFrom(const std::string& name, const nlohmann::json& record);

nlohmann::json RoleApi(const Role& role);
nlohmann::json ConfigApi(const Config& config);

}  // namespace tresor::server::jwt
