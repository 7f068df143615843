#include "server/tokens.h"

#include <ctime>

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "server/api.h"

namespace tresor::server {

TokenStore::TokenStore(std::function<int64_t()> now)
    : now_(now ? std::move(now) : [] { return static_cast<int64_t>(std::time(nullptr)); }),
      hmac_key_(crypto::RandomSecret(32)) {}

std::string TokenStore::KeyOf(const std::string& token) const {
  return crypto::HexEncode(crypto::HmacSha256(hmac_key_.Reveal(), crypto::AsBytes(token)));
}

std::pair<std::string, TokenInfo> TokenStore::Create(const TokenRequest& request,
                                                     const std::string& parent_key) {
  const int64_t now = now_();
  TokenInfo info;
  info.accessor = NewToken().substr(3);
  info.policies = request.policies;
  info.display_name = request.display_name;
  info.path = request.path;
  info.meta = request.meta;
  info.parent = request.orphan ? "" : parent_key;
  info.orphan = request.orphan || parent_key.empty();
  info.issue_time = now;
  info.renewable = request.renewable;
  info.explicit_max_ttl = request.explicit_max_ttl;
  const bool is_root = info.policies.size() == 1 && info.policies[0] == "root";
  if (!is_root || request.ttl > 0) {
    const int64_t max_ttl =
        request.explicit_max_ttl > 0 ? std::min(request.explicit_max_ttl, kMaxTtl) : kMaxTtl;
    info.creation_ttl = std::min(request.ttl > 0 ? request.ttl : kDefaultTtl, max_ttl);
    info.expire_time = now + info.creation_ttl;
    info.max_expire_time = now + max_ttl;
  }
  std::string token = NewToken();
  const std::lock_guard lock(mutex_);
  tokens_[KeyOf(token)] = info;
  return {std::move(token), std::move(info)};
}

void TokenStore::AddRoot(const std::string& token) {
  TokenInfo info;
  info.accessor = NewToken().substr(3);
  info.policies = {"root"};
  info.display_name = "root";
  info.path = "auth/token/root";
  info.issue_time = now_();
  info.renewable = false;
  info.orphan = true;
  const std::lock_guard lock(mutex_);
  tokens_[KeyOf(token)] = info;
}

void TokenStore::ExpireLocked(int64_t now) {
  std::vector<std::string> expired;
  for (const auto& [key, info] : tokens_) {
    if (info.expire_time > 0 && now >= info.expire_time) expired.push_back(key);
  }
  for (const std::string& key : expired) RevokeLocked(key, false);
}

std::optional<std::pair<std::string, TokenInfo>> TokenStore::Lookup(const std::string& token) {
  const std::string key = KeyOf(token);
  const std::lock_guard lock(mutex_);
  auto it = tokens_.find(key);
  if (it == tokens_.end()) return std::nullopt;
  if (it->second.expire_time > 0 && now_() >= it->second.expire_time) {
    RevokeLocked(key, false);
    return std::nullopt;
  }
  return std::pair{key, it->second};
}

std::optional<std::pair<std::string, TokenInfo>> TokenStore::LookupAccessor(
    const std::string& accessor) {
  const std::lock_guard lock(mutex_);
  ExpireLocked(now_());
  for (const auto& [key, info] : tokens_) {
    if (info.accessor == accessor) return std::pair{key, info};
  }
  return std::nullopt;
}

Result<TokenInfo> TokenStore::Renew(const std::string& key, int64_t increment) {
  const int64_t now = now_();
  const std::lock_guard lock(mutex_);
  auto it = tokens_.find(key);
  if (it == tokens_.end()) return MakeError(ErrorCode::kNotFound, "token not found");
  TokenInfo& info = it->second;
  if (!info.renewable || info.expire_time == 0) {
    return MakeError(ErrorCode::kRefused, "token is not renewable");
  }
  const int64_t wanted = now + (increment > 0 ? increment : info.creation_ttl);
  info.expire_time = info.max_expire_time > 0 ? std::min(wanted, info.max_expire_time) : wanted;
  return info;
}

void TokenStore::RevokeLocked(const std::string& key, bool orphan_children) {
  std::vector<std::string> children;
  for (auto& [k, info] : tokens_) {
    if (info.parent != key) continue;
    if (orphan_children) {
      info.parent.clear();
      info.orphan = true;
    } else {
      children.push_back(k);
    }
  }
  tokens_.erase(key);
  for (const std::string& child : children) RevokeLocked(child, false);
}

void TokenStore::Revoke(const std::string& key, bool orphan_children) {
  const std::lock_guard lock(mutex_);
  RevokeLocked(key, orphan_children);
}

size_t TokenStore::size() {
  const std::lock_guard lock(mutex_);
  return tokens_.size();
}

}  // namespace tresor::server
