// Token roles (auth/token/roles/NAME): what auth/token/create/NAME makes —
// the policies it may give (instead of a subset of the caller's), those it
// may never give, and whether its tokens are orphans, renewable, limited
// in uses or TTL. Read from and written to the store (no cache), so every
// node agrees. Thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "store/barrier.h"

namespace tresor::server {

struct TokenRole {
  std::vector<std::string> allowed_policies;  // empty: a subset of the caller's
  std::vector<std::string> disallowed_policies;
  bool orphan = false;
  bool renewable = true;
  int64_t token_explicit_max_ttl = 0;  // 0: none
  int64_t token_num_uses = 0;          // 0: no limit
};

class TokenRoles {
 public:
  explicit TokenRoles(store::Barrier* barrier) : barrier_(barrier) {}

  // Creates or updates role `name` from the API's fields; kInvalidArgument
  // naming a bad or unsupported one.
  Result<void> Write(const std::string& name, const nlohmann::json& body);
  Result<std::optional<TokenRole>> Read(const std::string& name);
  Result<void> Delete(const std::string& name);
  Result<std::vector<std::string>> List();

  static nlohmann::json ToJson(const TokenRole& role);

 private:
  store::Barrier* barrier_;
};

}  // namespace tresor::server
