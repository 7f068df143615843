#include "server/userpass/userpass.h"

#include <algorithm>
#include <cctype>

#include "crypto/password_hash.h"
#include "server/records.h"

namespace tresor::server {
namespace {

bool ValidName(const std::string& name) {
  return !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '@';
  });
}

// A hash to verify against when the user does not exist, so that a wrong
// name costs the same time as a wrong password.
}  // namespace

Result<void> Userpass::Write(const std::string& name, const std::string& password,
                             std::optional<std::vector<std::string>> policies,
                             std::optional<int64_t> token_ttl,
                             std::optional<int64_t> token_max_ttl) {
  if (!ValidName(name)) return MakeError(ErrorCode::kInvalidArgument, "invalid username");
  std::string hash;
  if (!password.empty()) {
    TRESOR_ASSIGN_OR_RETURN(hash, crypto::HashPassword(password));
  }
  const std::lock_guard lock(mutex_);
  auto it = users_.find(name);
  if (it == users_.end() && hash.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "missing password");
  }
  UserpassUser& user = users_[name];
  if (!hash.empty()) user.password_hash = hash;
  if (policies) user.policies = *policies;
  if (token_ttl) user.token_ttl = *token_ttl;
  if (token_max_ttl) user.token_max_ttl = *token_max_ttl;
  PersistLocked(name);
  return {};
}

namespace {

// A stored user; throws nlohmann's exceptions for a missing or mistyped field.
UserpassUser UserFromJson(const nlohmann::json& r) {
  return UserpassUser{r.at("password_hash").get<std::string>(),
                      r.at("policies").get<std::vector<std::string>>(),
                      r.at("token_ttl").get<int64_t>(), r.at("token_max_ttl").get<int64_t>()};
}

}  // namespace

Result<void> Userpass::Load() {
  if (barrier_ == nullptr) return {};
  std::map<std::string, UserpassUser> loaded;
  TRESOR_RETURN_IF_ERROR(LoadRecords(
      *barrier_, users_prefix_,
      [&](const std::string& name, const nlohmann::json& r) { loaded[name] = UserFromJson(r); }));
  const std::lock_guard lock(mutex_);
  users_ = std::move(loaded);
  return {};
}

void Userpass::Refresh(const std::string& name, uint64_t revision,
                       const std::optional<nlohmann::json>& record) {
  if (barrier_ == nullptr) return;
  const std::lock_guard lock(mutex_);
  if (!barrier_->local_writes().IsNews(users_prefix_ + name, revision)) return;
  users_.erase(name);
  if (!record) return;
  try {
    users_[name] = UserFromJson(*record);
  } catch (const std::exception&) {
    users_.erase(name);
  }
}

void Userpass::PersistLocked(const std::string& name) {
  PersistEntry(barrier_, users_prefix_, users_, name, [](const UserpassUser& u) {
    return nlohmann::json{{"password_hash", u.password_hash},
                          {"policies", u.policies},
                          {"token_ttl", u.token_ttl},
                          {"token_max_ttl", u.token_max_ttl}};
  });
}

std::optional<UserpassUser> Userpass::Read(const std::string& name) {
  const std::lock_guard lock(mutex_);
  auto it = users_.find(name);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

void Userpass::Delete(const std::string& name) {
  const std::lock_guard lock(mutex_);
  users_.erase(name);
  PersistLocked(name);
}

std::vector<std::string> Userpass::List() {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, user] : users_) out.push_back(name);
  return out;
}

std::optional<UserpassUser> Userpass::Login(const std::string& name, const std::string& password) {
  auto user = Read(name);
  if (!crypto::VerifyPassword(user ? user->password_hash : std::string(), password)) {
    return std::nullopt;
  }
  return user;
}

}  // namespace tresor::server
