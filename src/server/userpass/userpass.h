// The userpass auth method: users with a password (kept as an Argon2id hash,
// libsodium's crypto_pwhash_str) and policies; logging in gives a token.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "store/barrier.h"

namespace tresor::server {

struct UserpassUser {
  std::string password_hash;  // "$argon2id$..."
  std::vector<std::string> policies;
  int64_t token_ttl = 0;      // 0: the default
  int64_t token_max_ttl = 0;  // 0: the system max
};

class Userpass {
 public:
  // With a barrier, users are written through it under `prefix`
  // ("auth/userpass/") and "user/".
  explicit Userpass(store::Barrier* barrier = nullptr, const std::string& prefix = "auth/userpass/")
      : barrier_(barrier), users_prefix_(prefix + "user/") {}
  // Reads the stored users (once, after unsealing).
  Result<void> Load();

  // Creates or updates `name`; an empty password keeps the old one (an
  // update of policies only). kInvalidArgument for a bad name or a new user
  // without a password.
  Result<void> Write(const std::string& name, const std::string& password,
                     std::optional<std::vector<std::string>> policies,
                     std::optional<int64_t> token_ttl, std::optional<int64_t> token_max_ttl);
  std::optional<UserpassUser> Read(const std::string& name);
  void Delete(const std::string& name);
  std::vector<std::string> List();
  // The user if `password` is theirs. Takes as long for an unknown user.
  std::optional<UserpassUser> Login(const std::string& name, const std::string& password);

  // Applies another node's change to user `name` (nullopt: deleted).
  void Refresh(const std::string& name, uint64_t revision,
               const std::optional<nlohmann::json>& record);

 private:
  void PersistLocked(const std::string& name);

  store::Barrier* barrier_;
  std::string users_prefix_;
  std::mutex mutex_;
  std::map<std::string, UserpassUser> users_;
};

}  // namespace tresor::server
