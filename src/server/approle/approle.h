// The AppRole auth method (auth/approle/): roles that machines log in to
// with a role ID and a secret ID. Secret IDs are kept as HMACs, as tokens
// are; each has a TTL, a number of uses and CIDR blocks it may be used
// from. Everything is read from and written to the store (no cache), so
// every node of a cluster sees the same roles and uses: a secret ID's use
// is a transaction on its record at the revision read. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/result.h"
#include "store/barrier.h"

namespace tresor::server::approle {

struct Role {
  std::string name;
  std::string role_id;
  std::vector<std::string> policies;
  int64_t token_ttl = 0;       // 0: the default
  int64_t token_max_ttl = 0;   // 0: the system max
  int64_t token_num_uses = 0;  // 0: no limit
  bool token_no_default_policy = false;
  bool bind_secret_id = true;                      // a login needs a secret ID
  int64_t secret_id_ttl = 0;                       // 0: secret IDs do not expire
  int64_t secret_id_num_uses = 0;                  // 0: no limit
  std::vector<std::string> secret_id_bound_cidrs;  // logins only from these
};

// What a secret ID carries (never the secret ID itself).
struct SecretId {
  std::string accessor;
  int64_t creation_time = 0;
  int64_t expiration_time = 0;  // 0: never
  int64_t num_uses = 0;         // uses left; 0: no limit
  std::vector<std::string> cidr_list;
  std::map<std::string, std::string> metadata;
};

class AppRole {
 public:
  // Records are stored under `prefix` ("auth/approle/"); `now` returns
  // unix seconds (tests pass their own clock).
  AppRole(store::Barrier* barrier, std::string prefix, std::function<int64_t()> now);

  // Creates or updates role `name` from the API's fields (Vault's names);
  // kInvalidArgument naming a bad or unsupported field.
  Result<void> WriteRole(const std::string& name, const nlohmann::json& body);
  Result<std::optional<Role>> ReadRole(const std::string& name);
  // Deletes the role with its role ID and secret IDs; kNotFound if none.
  Result<void> DeleteRole(const std::string& name);
  Result<std::vector<std::string>> ListRoles();
  // Gives the role another role ID (unique among roles).
  Result<void> SetRoleId(const std::string& name, const std::string& role_id);

  // A new secret ID for role `name` (`body`: metadata as a JSON object or
  // a JSON string of one, cidr_list, ttl, num_uses within the role's);
  // `custom` sets its value (custom-secret-id). Returns the secret ID and
  // what it carries.
  Result<std::pair<std::string, SecretId>> NewSecretId(const std::string& name,
                                                       const nlohmann::json& body,
                                                       const std::string& custom = "");
  Result<std::vector<std::string>> ListAccessors(const std::string& name);
  Result<std::optional<SecretId>> LookupSecretId(const std::string& name,
                                                 const std::string& secret_id);
  Result<std::optional<SecretId>> LookupAccessor(const std::string& name,
                                                 const std::string& accessor);
  // Destroys a secret ID (by itself or its accessor); kNotFound if none.
  Result<void> DestroySecretId(const std::string& name, const std::string& secret_id);
  Result<void> DestroyAccessor(const std::string& name, const std::string& accessor);

  // The role that `role_id` and `secret_id` log in to from `address`,
  // counting one use of the secret ID (the last use destroys it).
  // kRefused "invalid role or secret ID" for anything that does not match,
  // has expired or is used from outside its CIDR blocks (one message: no
  // oracle for which part was wrong).
  Result<Role> Login(const std::string& role_id, const std::string& secret_id,
                     const std::string& address);

  static constexpr int kUseAttempts = 16;

 private:
  std::string Mac(const std::string& value) const;
  Result<std::optional<SecretId>> FindByMac(const std::string& name, const std::string& mac,
                                            uint64_t* revision = nullptr);
  Result<void> DestroyByMac(const std::string& name, const std::string& mac);
  // Spends one use of the secret ID at `mac`; kRefused if it is gone or
  // expired.
  Result<void> UseSecretId(const Role& role, const std::string& mac, const std::string& address);

  // The storage key of a record of `kind` ("role/") for `a` (and `b`).
  std::string Key(std::string_view kind, const std::string& a, const std::string& b = "") const;

  store::Barrier* barrier_;
  std::string prefix_;
  std::function<int64_t()> now_;
  crypto::HmacSha256Key hmac_key_;
};

}  // namespace tresor::server::approle
