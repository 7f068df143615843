#include "server/tokens.h"

#include <algorithm>
#include <ctime>

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "server/core.h"
#include "server/records.h"

namespace tresor::server {

namespace {

constexpr std::string_view kPrefix = "token/id/";

Json ToJson(const TokenInfo& t) {
  return Json{{"accessor", t.accessor},
              {"policies", t.policies},
              {"display_name", t.display_name},
              {"path", t.path},
              {"meta", t.meta},
              {"parent", t.parent},
              {"issue_time", t.issue_time},
              {"creation_ttl", t.creation_ttl},
              {"expire_time", t.expire_time},
              {"max_expire_time", t.max_expire_time},
              {"explicit_max_ttl", t.explicit_max_ttl},
              {"renewable", t.renewable},
              {"orphan", t.orphan},
              {"num_uses", t.num_uses},
              {"period", t.period}};
}

TokenInfo FromJson(const Json& j) {
  TokenInfo t;
  t.accessor = j.at("accessor").get<std::string>();
  t.policies = j.at("policies").get<std::vector<std::string>>();
  t.display_name = j.at("display_name").get<std::string>();
  t.path = j.at("path").get<std::string>();
  t.meta = j.at("meta").get<std::map<std::string, std::string>>();
  t.parent = j.at("parent").get<std::string>();
  t.issue_time = j.at("issue_time").get<int64_t>();
  t.creation_ttl = j.at("creation_ttl").get<int64_t>();
  t.expire_time = j.at("expire_time").get<int64_t>();
  t.max_expire_time = j.at("max_expire_time").get<int64_t>();
  t.explicit_max_ttl = j.at("explicit_max_ttl").get<int64_t>();
  t.renewable = j.at("renewable").get<bool>();
  t.orphan = j.at("orphan").get<bool>();
  t.num_uses = j.value("num_uses", int64_t{0});  // absent in records from before it
  t.period = j.value("period", int64_t{0});
  return t;
}

}  // namespace

TokenStore::TokenStore(std::function<int64_t()> now, store::Barrier* barrier)
    : now_(now ? std::move(now) : [] { return static_cast<int64_t>(std::time(nullptr)); }),
      barrier_(barrier),
      hmac_key_(
          (barrier ? barrier->keyring()->DeriveKey("tresor token hmac") : crypto::RandomSecret(32))
              .Reveal()) {}

Result<void> TokenStore::Load() {
  if (barrier_ == nullptr) return {};
  std::map<std::string, TokenInfo> loaded;
  TRESOR_RETURN_IF_ERROR(LoadRecords(
      *barrier_, std::string(kPrefix),
      [&](const std::string& key, const Json& record) { loaded[key] = FromJson(record); }));
  const std::lock_guard lock(mutex_);
  tokens_ = std::move(loaded);
  children_.clear();
  expiries_.clear();
  by_accessor_.clear();
  for (const auto& [key, info] : tokens_) IndexLocked(key, info);
  return {};
}

void TokenStore::Refresh(const std::string& key, uint64_t revision,
                         const std::optional<Json>& record) {
  if (barrier_ == nullptr) return;
  const std::lock_guard lock(mutex_);
  if (!barrier_->local_writes().IsNews(std::string(kPrefix) + key, revision)) return;
  if (auto it = tokens_.find(key); it != tokens_.end()) {
    UnindexLocked(key, it->second);
    tokens_.erase(it);
    removals_.fetch_add(1, std::memory_order_relaxed);
  }
  if (!record) return;
  try {
    auto [it, inserted] = tokens_.emplace(key, FromJson(*record));
    IndexLocked(key, it->second);
  } catch (const std::exception&) {
    // A record this node cannot read is left out, as a token it cannot use.
  }
}

void TokenStore::IndexLocked(const std::string& key, const TokenInfo& info) {
  if (!info.parent.empty()) children_[info.parent].insert(key);
  if (info.expire_time > 0) expiries_.emplace(info.expire_time, key);
  by_accessor_[info.accessor] = key;
}

void TokenStore::UnindexLocked(const std::string& key, const TokenInfo& info) {
  if (!info.parent.empty()) {
    auto siblings = children_.find(info.parent);
    if (siblings != children_.end()) {
      siblings->second.erase(key);
      if (siblings->second.empty()) children_.erase(siblings);
    }
  }
  expiries_.erase({info.expire_time, key});
  by_accessor_.erase(info.accessor);
}

void TokenStore::PersistLocked(const std::string& key) {
  PersistEntry(barrier_, kPrefix, tokens_, key, ToJson);
}

std::string TokenStore::KeyOf(const std::string& token) const {
  return crypto::HexEncode(hmac_key_.Mac(crypto::AsBytes(token)));
}

Result<std::pair<std::string, TokenInfo>> TokenStore::Create(const TokenRequest& request,
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
  info.num_uses = request.num_uses;
  info.period = request.period;
  const bool is_root = info.policies.size() == 1 && info.policies[0] == "root";
  if (request.period > 0) {
    // Its TTL is the period; renewals never stop but at an explicit max.
    info.renewable = true;
    info.creation_ttl = request.explicit_max_ttl > 0
                            ? std::min(request.period, request.explicit_max_ttl)
                            : request.period;
    info.expire_time = now + info.creation_ttl;
    info.max_expire_time = request.explicit_max_ttl > 0 ? now + request.explicit_max_ttl : 0;
  } else if (!is_root || request.ttl > 0) {
    const int64_t max_ttl =
        request.explicit_max_ttl > 0 ? std::min(request.explicit_max_ttl, kMaxTtl) : kMaxTtl;
    info.creation_ttl = std::min(request.ttl > 0 ? request.ttl : kDefaultTtl, max_ttl);
    info.expire_time = now + info.creation_ttl;
    info.max_expire_time = now + max_ttl;
  }
  std::string token = NewToken();
  const std::string key = KeyOf(token);
  const std::lock_guard lock(mutex_);
  if (!info.parent.empty()) {
    int depth = 1;
    for (std::string up = info.parent; !up.empty(); ++depth) {
      auto it = tokens_.find(up);
      if (it == tokens_.end()) return MakeError(ErrorCode::kRefused, "the parent token is gone");
      if (depth >= kMaxDepth) {
        return MakeError(ErrorCode::kRefused,
                         "token trees are at most " + std::to_string(kMaxDepth) + " levels deep");
      }
      up = it->second.parent;
    }
  }
  tokens_[key] = info;
  IndexLocked(key, info);
  PersistLocked(key);
  return std::pair{std::move(token), std::move(info)};
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
  const std::string key = KeyOf(token);
  const std::lock_guard lock(mutex_);
  if (auto old = tokens_.find(key); old != tokens_.end()) UnindexLocked(key, old->second);
  tokens_[key] = info;
  IndexLocked(key, info);
  PersistLocked(key);
}

size_t TokenStore::ExpireLocked(int64_t now) {
  size_t removed = 0;
  while (!expiries_.empty() && expiries_.begin()->first <= now) {
    removed += RevokeLocked(expiries_.begin()->second, false);
  }
  return removed;
}

size_t TokenStore::Sweep() {
  const int64_t now = now_();
  const std::lock_guard lock(mutex_);
  return ExpireLocked(now);
}

const std::string* TokenStore::ExpiredLocked(std::map<std::string, TokenInfo>::iterator it,
                                             int64_t now) {
  const std::string& key = it->first;
  // At most kMaxDepth steps (Create refuses deeper trees).
  for (int depth = 0; depth <= kMaxDepth; ++depth) {
    const TokenInfo& info = it->second;
    if (info.expire_time > 0 && now >= info.expire_time) return &it->first;
    if (info.parent.empty()) return nullptr;
    it = tokens_.find(info.parent);
    // A child outlives its parent only while the parent's revocation is
    // under way: refuse it too.
    if (it == tokens_.end()) return &key;
  }
  return &key;
}

std::optional<std::pair<std::string, TokenInfo>> TokenStore::FindLocked(
    std::map<std::string, TokenInfo>::iterator it) {
  if (it == tokens_.end()) return std::nullopt;
  if (const std::string* expired = ExpiredLocked(it, now_())) {
    RevokeLocked(std::string(*expired), false);  // a copy: the key goes with it
    return std::nullopt;
  }
  return std::pair{it->first, it->second};
}

std::optional<std::pair<std::string, TokenInfo>> TokenStore::Lookup(const std::string& token) {
  const std::string key = KeyOf(token);
  const std::lock_guard lock(mutex_);
  return FindLocked(tokens_.find(key));
}

std::optional<std::pair<std::string, TokenInfo>> TokenStore::LookupAccessor(
    const std::string& accessor) {
  const std::lock_guard lock(mutex_);
  auto found = by_accessor_.find(accessor);
  if (found == by_accessor_.end()) return std::nullopt;
  return FindLocked(tokens_.find(found->second));
}

std::optional<TokenInfo> TokenStore::Use(const std::string& key) {
  if (barrier_ == nullptr) {  // memory only: the map is the truth
    const std::lock_guard lock(mutex_);
    auto it = tokens_.find(key);
    if (it == tokens_.end() || it->second.num_uses == 0) return std::nullopt;
    TokenInfo info = it->second;
    if (--it->second.num_uses > 0) {
      --info.num_uses;
    } else {
      RevokeLocked(key, false);
      info.num_uses = -1;
    }
    return info;
  }
  // A use is a transaction on the token's record at the revision read, so
  // that nodes sharing the store never hand out one use twice; the lock is
  // not held meanwhile (the store may be a network away).
  const std::string path = std::string(kPrefix) + key;
  for (int attempt = 0; attempt < kUseAttempts; ++attempt) {
    auto stored = GetRecordAt(*barrier_, path);
    if (!stored || !stored->record) return std::nullopt;  // unreadable, or revoked meanwhile
    TokenInfo info;
    try {
      info = FromJson(*stored->record);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (info.num_uses <= 0) return std::nullopt;
    const bool last = --info.num_uses == 0;
    std::vector<store::Write> writes;
    writes.push_back(last ? store::Write{path, std::nullopt}
                          : SealRecord(*barrier_, path, ToJson(info)));
    auto applied = barrier_->ApplyIf({{path, stored->revision}}, std::move(writes));
    if (!applied) return std::nullopt;  // noted for the request, which fails
    if (!applied->applied) continue;    // another use came first: read again
    const std::lock_guard lock(mutex_);
    if (last) {
      RevokeLocked(key, false);  // its children; the record is gone already
      info.num_uses = -1;
    } else if (auto it = tokens_.find(key); it != tokens_.end()) {
      it->second.num_uses = info.num_uses;
    }
    return info;
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
  const int64_t wanted = now + (info.period > 0 ? info.period
                                : increment > 0 ? increment
                                                : info.creation_ttl);
  UnindexLocked(key, info);
  info.expire_time = info.max_expire_time > 0 ? std::min(wanted, info.max_expire_time) : wanted;
  IndexLocked(key, info);
  PersistLocked(key);
  return info;
}

size_t TokenStore::RevokeLocked(const std::string& key, bool orphan_children) {
  if (!tokens_.contains(key)) return 0;
  std::vector<store::Write> writes;
  // The tree under `key`, breadth first, without recursion: each token is
  // visited once, through the parent -> children index.
  std::vector<std::string> doomed{key};
  auto kids = children_.find(key);
  if (kids != children_.end() && orphan_children) {
    for (const std::string& child : kids->second) {
      TokenInfo& info = tokens_.at(child);
      info.parent.clear();
      info.orphan = true;
      if (barrier_ != nullptr) {
        writes.push_back(SealRecord(*barrier_, std::string(kPrefix) + child, ToJson(info)));
      }
    }
    children_.erase(kids);
  }
  for (size_t i = 0; i < doomed.size() && !orphan_children; ++i) {
    auto below = children_.find(doomed[i]);
    if (below == children_.end()) continue;
    doomed.insert(doomed.end(), below->second.begin(), below->second.end());
  }
  for (const std::string& gone : doomed) {
    auto it = tokens_.find(gone);
    UnindexLocked(gone, it->second);
    children_.erase(gone);
    tokens_.erase(it);
    removals_.fetch_add(1, std::memory_order_relaxed);
    writes.push_back(store::Write{std::string(kPrefix) + gone, std::nullopt});
  }
  if (barrier_ != nullptr) (void)barrier_->Apply(std::move(writes));
  return doomed.size();
}

void TokenStore::Revoke(const std::string& key, bool orphan_children) {
  const std::lock_guard lock(mutex_);
  RevokeLocked(key, orphan_children);
}

bool TokenStore::Contains(const std::string& key) {
  const std::lock_guard lock(mutex_);
  return tokens_.contains(key);
}

size_t TokenStore::size() {
  const std::lock_guard lock(mutex_);
  return tokens_.size();
}

std::vector<std::string> TokenStore::Accessors() {
  const int64_t now = now_();
  std::vector<std::string> out;
  {
    const std::lock_guard lock(mutex_);
    out.reserve(tokens_.size());
    for (const auto& [key, info] : tokens_) {
      if (info.expire_time == 0 || info.expire_time > now) out.push_back(info.accessor);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tresor::server
