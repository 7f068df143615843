// Settings that every auth method's roles take in Vault's API: policies
// (a list or a comma-separated string) and durations.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::server {

// `token_policies`, else `policies`, as a list; nothing if neither is given.
std::optional<std::vector<std::string>> PolicyList(const nlohmann::json& body);

// A list of strings given as a JSON list or a comma-separated string (CIDR
// lists, as hvac sends them); nothing if `field` is not given.
std::optional<std::vector<std::string>> StringList(const nlohmann::json& body, const char* field);

// The duration `field` of `body` if it is there; kInvalidArgument "FIELD:
// ..." if it is not a duration.
Result<std::optional<int64_t>> OptionalSeconds(const nlohmann::json& body, const char* field);

}  // namespace tresor::server
