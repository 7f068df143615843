#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "crypto/kdf.h"
#include "http/request.h"
#include "http/response.h"
#include "server/auth/table.h"
#include "server/kv/kv2.h"
#include "server/mounts.h"
#include "server/policies.h"
#include "server/server_identity.h"
#include "server/token_roles.h"
#include "server/tokens.h"
#include "store/barrier.h"

namespace tresor::server {

// Who is asking: the token's store key and what it holds.
struct Caller {
  std::string key;
  TokenInfo info;
};

// The unsealed server: its engines (KV mounts, tokens, ACL policies,
// userpass) over the storage barrier, and the routes that reach
// them. Every change is written through the barrier before the request
// returns (the API then holds the response until it is durable); reads are
// served from memory, KV values after one storage read. Thread-safe.
class Core {
 public:
  // Loads tokens, policies and users from `barrier`. kIntegrity if a
  // record does not decrypt or parse.
  static Result<std::unique_ptr<Core>> Load(std::shared_ptr<store::Barrier> barrier);

  // Answers a request for /v1/PATH (other than the seal endpoints); `body`
  // is its JSON object ({} for none).
  http::Response Route(const http::Request& request, const std::string& path, const Json& body);

  ~Core();

  // The latest store revision whose changes this node has applied (its
  // own and other nodes'): what X-Vault-Index reports.
  uint64_t applied() const { return applied_.load(); }
  // Calls `done(true)` once revision `revision` is applied (at once if it
  // is, on this thread; else on the watch's thread), or `done(false)` when
  // the watch is lost, the core goes, or ExpireWaits finds it too old.
  // `done` must be quick.
  void WhenApplied(uint64_t revision, std::function<void(bool)> done);
  // Tells the waits registered before `before` that they waited too long.
  void ExpireWaits(std::chrono::steady_clock::time_point before);
  // Why the watch broke (its history compacted away, the store out of
  // reach), or nothing: the state must then be loaded again.
  std::optional<std::string> lost() const;

  TokenStore& tokens() { return tokens_; }
  // The server's age identity (sys/tresor/recipient).
  const ServerIdentity& identity() const { return *identity_; }
  size_t kv_cached_keys() { return mounts_.CachedKeys(); }
  // The key of the audit log's HMACs (derived from the keyring).
  const crypto::HmacSha256Key& audit_key() const { return audit_key_; }
  // The caller if the request's token is valid and its policies allow
  // `capability` at `path` (relative to /v1/) with the request's parameters
  // (its query, and `body`'s members); else nothing.
  std::optional<Caller> Authorize(const http::Request& request, const std::string& path,
                                  acl::Capability capability, const Json& body = Json::object());
  // Vault's sudo: root, or a policy that grants `sudo` at `path`.
  bool HasSudo(const Caller& caller, const std::string& path);
  store::Barrier& barrier() { return *barrier_; }
  std::shared_ptr<store::Barrier> shared_barrier() { return barrier_; }
  // The auth methods enabled (server/auth/).
  auth::Table& auth() { return auth_; }
  // A login at `path` (/v1/`path`) to `mount`, `rest` after its path: the
  // token it earns, made here. Unless `may_block`, a login that would
  // block sets `*blocks` and does nothing (the API runs it again on its
  // login pool).
  http::Response LogIn(const auth::Mount& mount, const http::Request& request,
                       const std::string& path, const std::string& rest, const Json& body,
                       bool may_block, bool* blocks);

 private:
  // Authorize with the capability `decide(acl)` returns from the caller's
  // merged ACL; an error only when deciding needed the store and it failed.
  template <typename Decide>
  Result<std::optional<Caller>> AuthorizeWith(const http::Request& request, const std::string& path,
                                              const Json& body, const Decide& decide);
  explicit Core(std::shared_ptr<store::Barrier> barrier);
  // Follows the store's changes after `revision` (read before loading),
  // applying them to the engines' caches (core_follow.cc).
  Result<void> Follow(uint64_t revision);
  void OnChange(const store::Change& change);
  void Apply(const std::string& key, uint64_t revision, const std::optional<store::Bytes>& value);
  http::Response Policy(const http::Request& request, const std::string& path, const Json& body);
  http::Response Token(const http::Request& request, const std::string& path, const Json& body,
                       const Caller& caller);
  // auth/token/create(-orphan, /ROLE) and auth/token/roles (token_create.cc).
  http::Response TokenCreate(const std::string& op, const Json& body, const Caller& caller);
  http::Response TokenRoles(const http::Request& request, const std::string& op, const Json& body);
  // cubbyhole/REST: the caller's own space (server/cubbyhole.h).
  http::Response Cubbyhole(const http::Request& request, const std::string& rest, const Json& body,
                           const Caller& caller);
  http::Response Mounts(const http::Request& request, const std::string& path, const Json& body);
  http::Response Remount(const http::Request& request, const Json& body);
  // GET sys/internal/ui/mounts: the mounts the caller's policies grant
  // something under, for any valid token (no policy needed), as Vault's UI
  // asks for them.
  http::Response UiMounts(const http::Request& request);
  http::Response MountTune(const http::Request& request, const std::string& mount,
                           const Json& body);
  http::Response AuthMounts(const http::Request& request, const std::string& path,
                            const Json& body);
  // sys/auth/PATH/tune: the description (auth_handlers.cc).
  http::Response AuthTune(const http::Request& request, const std::string& mount, const Json& body);
  // sys/capabilities(-self|-accessor) (sys_tools.cc).
  http::Response Capabilities(const http::Request& request, const std::string& path,
                              const Json& body, const Caller& caller);
  // sys/leases/lookup|renew|revoke[-force|-prefix] (leases.cc): no lease
  // exists.
  http::Response Leases(const http::Request& request, const std::string& path, const Json& body,
                        const Caller& caller);
  // sys/rotate, sys/key-status (key_handlers.cc).
  http::Response Keys(const http::Request& request, const std::string& path, const Caller& caller);
  // A KV write's body with its values, encrypted to the server
  // (X-Tresor-Encrypted: true), opened; kInvalidArgument (400) naming the
  // field that does not open, or for any other request.
  Result<Json> OpenEncryptedWrite(const http::Request& request, const Mount* mount,
                                  const std::string& rest, const Json& body) const;
  // The capability a request needs at `path` (relative to /v1/).
  Result<acl::Capability> Needed(const http::Request& request, const std::string& path);

  std::shared_ptr<store::Barrier> barrier_;
  crypto::HmacSha256Key audit_key_;
  MountTable mounts_;
  PolicyStore policies_;
  TokenStore tokens_;
  server::TokenRoles token_roles_;
  auth::Table auth_;
  std::optional<ServerIdentity> identity_;

  std::atomic<uint64_t> applied_{0};
  struct Wait {
    std::chrono::steady_clock::time_point since;
    std::function<void(bool)> done;
  };
  mutable std::mutex follow_mutex_;
  std::multimap<uint64_t, Wait> waits_;  // by the revision they wait for
  std::optional<std::string> lost_;
  std::unique_ptr<store::Watch> watch_;  // last: stopped before the rest goes
};

// The "auth" block of a login or token creation.
Json AuthBlock(const std::string& token, const TokenInfo& info);

// The token of a request: X-Vault-Token, or Authorization: Bearer (then
// copied into `bearer`). Null if it has neither.
const std::string* RequestToken(const http::Request& request, std::string* bearer);

// Where the enabled auth methods are stored (server/auth/table.h).
inline constexpr char kAuthMethodsPath[] = "core/auth-methods";
// Where the audit log's head is kept ({"seq", "hash"}).
inline constexpr char kAuditHeadPath[] = "core/audit-head";

// A fresh random token ("tr." and 32 base62 characters).
std::string NewToken();

// True if `policies` hold root (every capability, sudo included).
bool IsRoot(const std::vector<std::string>& policies);

// True for LIST, and for GET with ?list=true or ?list=1.
bool IsList(const http::Request& request);
bool IsWrite(const http::Request& request);

}  // namespace tresor::server
