// Tokens: who a request comes from and which policies it holds. Only an
// HMAC of each token is kept (a copy of the store does not yield usable
// tokens); the token itself is returned once, at creation. Each token has a
// TTL (renewable up to its max TTL) and a parent: revoking a token revokes
// its descendants, unless they were made orphans, and so does its expiry
// (a token whose ancestor has expired is refused at once; the tree is
// removed by the next Sweep). Revocation walks an index from parents to
// children, iteratively, in time linear in the tokens it removes, and
// stores the removals as one batch. Token trees are at most kMaxDepth
// deep, which bounds what a check of a child's ancestors costs.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/result.h"
#include "store/barrier.h"

namespace tresor::server {

struct TokenInfo {
  std::string accessor;
  std::vector<std::string> policies;
  std::string display_name;
  std::string path;  // "auth/token/create", "auth/userpass/login/alice"
  std::map<std::string, std::string> meta;
  std::string parent;           // the parent's key ("" for a root or an orphan)
  int64_t issue_time = 0;       // unix seconds
  int64_t creation_ttl = 0;     // seconds; 0 = never expires
  int64_t expire_time = 0;      // 0 = never
  int64_t max_expire_time = 0;  // renewals stop here; 0 = none
  int64_t explicit_max_ttl = 0;
  bool renewable = true;
  bool orphan = false;
  // Requests it may still authenticate; 0 = no limit. -1 in the copy Use
  // returns for the last one (the token is then already revoked).
  int64_t num_uses = 0;
  // Periodic: each renewal gives it `period` seconds again, with no end
  // but its explicit max TTL, if any. 0 = not periodic.
  int64_t period = 0;
};

struct TokenRequest {
  std::vector<std::string> policies = {};
  int64_t ttl = 0;               // 0: the default TTL
  int64_t explicit_max_ttl = 0;  // 0: the system max TTL only
  bool renewable = true;
  bool orphan = false;
  int64_t num_uses = 0;  // 0: no limit
  std::string display_name = "token";
  std::string path = "auth/token/create";
  std::map<std::string, std::string> meta = {};
  int64_t period = 0;  // seconds; a periodic token (TTL = period, renewed without end)
};

class TokenStore {
 public:
  // `now` returns unix seconds (tests pass their own clock). With a
  // barrier, every change is written through it under "token/id/" and the
  // HMAC key comes from its keyring; without, tokens live in memory only.
  explicit TokenStore(std::function<int64_t()> now = nullptr, store::Barrier* barrier = nullptr);

  // Reads every stored token (once, after unsealing).
  Result<void> Load();

  static constexpr int64_t kDefaultTtl = 768 * 3600;  // Vault's system default (32 days)
  static constexpr int64_t kMaxTtl = 768 * 3600;
  // Levels of a token tree (a root or orphan is level 1). Real trees are a
  // few levels deep; the bound keeps the ancestor check on every request
  // short.
  static constexpr int kMaxDepth = 64;

  // A token for `request`, a child of `parent_key` (a key from Lookup; ""
  // for none). Returns the token and its info. kRefused if the child would
  // be deeper than kMaxDepth, or the parent is gone.
  Result<std::pair<std::string, TokenInfo>> Create(const TokenRequest& request,
                                                   const std::string& parent_key);
  // A root token with a fixed value (the dev server's --dev-root-token).
  void AddRoot(const std::string& token);

  // The token's store key and info if it exists and neither it nor any
  // ancestor has expired.
  std::optional<std::pair<std::string, TokenInfo>> Lookup(const std::string& token);
  std::optional<std::pair<std::string, TokenInfo>> LookupAccessor(const std::string& accessor);

  // Counts one request authenticated by the token at `key` against its
  // num_uses: the info after it; a token on its last use is revoked and
  // its info says num_uses -1. Nothing for a token without a limit, or
  // gone. Each use is a transaction on the token's record at the revision
  // read (tried again, up to kUseAttempts, when another use came first).
  std::optional<TokenInfo> Use(const std::string& key);
  static constexpr int kUseAttempts = 16;

  // Extends the TTL by `increment` (0: by its creation TTL), capped by the
  // max TTL. kRefused if not renewable.
  Result<TokenInfo> Renew(const std::string& key, int64_t increment);

  // Revokes the token and, unless `orphan_children`, all its descendants.
  void Revoke(const std::string& key, bool orphan_children = false);

  // Revokes every token whose TTL has passed, with its descendants (the
  // server calls it every second). Returns how many tokens were removed.
  size_t Sweep();

  // Applies a change another node made to the record of the token at
  // `key` (nullopt: deleted), unless this node's own later write to it
  // is already here (store/local_writes.h).
  void Refresh(const std::string& key, uint64_t revision,
               const std::optional<nlohmann::json>& record);

  size_t size();
  // Whether a token is stored at `key` (expired or not: the sweep revokes those).
  bool Contains(const std::string& key);
  // How many tokens were removed so far (revoked, expired, or deleted by
  // another node), for work that follows removals (cubbyholes).
  uint64_t removals() const { return removals_.load(std::memory_order_relaxed); }
  // The accessors of the tokens that have not expired, sorted.
  std::vector<std::string> Accessors();

 private:
  std::string KeyOf(const std::string& token) const;
  // The key of the token at `it`, or of its ancestor, that has expired at
  // `now`; null if none has.
  const std::string* ExpiredLocked(std::map<std::string, TokenInfo>::iterator it, int64_t now);
  // The token at `it` unless it or an ancestor has expired (then that
  // one's tree is revoked).
  std::optional<std::pair<std::string, TokenInfo>> FindLocked(
      std::map<std::string, TokenInfo>::iterator it);
  size_t ExpireLocked(int64_t now);
  size_t RevokeLocked(const std::string& key, bool orphan_children);
  // Adds `key` (already in tokens_) to the indexes, or takes it out.
  void IndexLocked(const std::string& key, const TokenInfo& info);
  void UnindexLocked(const std::string& key, const TokenInfo& info);
  // Writes the token's record, or deletes it when it is gone.
  void PersistLocked(const std::string& key);

  std::function<int64_t()> now_;
  store::Barrier* barrier_;
  crypto::HmacSha256Key hmac_key_;
  std::mutex mutex_;
  std::map<std::string, TokenInfo> tokens_;  // by KeyOf(token)
  // Indexes of tokens_: parent key -> child keys; (expire_time, key) of
  // the tokens that expire; accessor -> key.
  std::unordered_map<std::string, std::set<std::string>> children_;
  std::set<std::pair<int64_t, std::string>> expiries_;
  std::unordered_map<std::string, std::string> by_accessor_;
  std::atomic<uint64_t> removals_{0};
};

}  // namespace tresor::server
