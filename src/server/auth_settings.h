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

// A non-negative count given as a number or its text; kInvalidArgument
// "FIELD: expected a number of 0 or more".
Result<std::optional<int64_t>> OptionalCount(const nlohmann::json& body, const char* field);

// A boolean given as true/false, "true"/"false", 1/0 or "1"/"0".
Result<std::optional<bool>> OptionalFlag(const nlohmann::json& body, const char* field);

// The name of a token setting in `body` that tresor does not implement
// (periodic or bound tokens, batch tokens); "" if none.
std::string UnsupportedTokenSetting(const nlohmann::json& body);

// A role's name: letters, digits, '-', '_' and '.', 1 to 128 of them.
bool ValidRoleName(const std::string& name);

// The token settings every auth method's roles take (Vault's token_*
// fields), applied from a request and kept in a record.
struct TokenSettings {
  std::vector<std::string> policies;
  int64_t ttl = 0;       // 0: the default
  int64_t max_ttl = 0;   // 0: the system max
  int64_t num_uses = 0;  // 0: no limit
  bool no_default_policy = false;

  // Applies the fields `body` gives; kInvalidArgument naming a bad one.
  Result<void> Update(const nlohmann::json& body);
  nlohmann::json ToRecord() const;
  // kIntegrity-worthy records throw nlohmann's exceptions (callers catch).
  static TokenSettings FromRecord(const nlohmann::json& record);
  // The fields as Vault's role reads show them.
  nlohmann::json ToApi() const;
  // The policies a login token gets: these and "default" (unless
  // no_default_policy), sorted, once each.
  std::vector<std::string> LoginPolicies() const;
};

}  // namespace tresor::server
