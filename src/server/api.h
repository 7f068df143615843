// The Vault-compatible HTTP API (the part real clients use). This layer
// owns the seal state: sys/init, sys/unseal, sys/seal, sys/seal-status and
// sys/health are answered here; while sealed everything else is 503, and
// once unsealed it goes to the Core (server/core.h). Every request and
// response is audited (values and tokens HMAC'd). A response to a request
// that wrote to storage is held until the write is durable (a failed
// write turns it into a 500). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "audit/log.h"
#include "crypto/kdf.h"
#include "http/request.h"
#include "http/response.h"
#include "server/core.h"
#include "server/login_throttle.h"
#include "server/metrics.h"
#include "server/rekey.h"
#include "server/root_generation.h"
#include "server/seal.h"
#include "server/snapshots.h"
#include "server/work_pool.h"
#include "server/wrapping.h"
#include "store/storage.h"

namespace tresor::server {

struct ApiOptions {
  // Where the API reports what an operator must know (a level, a message
  // and fields, none of them secret). May be empty.
  std::function<void(const std::string& level, const std::string& message, const Json& fields)> log;
  LoginThrottleOptions login_limits;
  // Threads that check passwords (0: half the cores, at least one), and
  // how many logins may wait for them before more are answered 429.
  size_t login_threads = 0;
  size_t login_queue = 32;
  // How long a request with X-Vault-Index waits for this node to apply
  // that revision before 429 (checked once a second, by Sweep).
  std::chrono::milliseconds index_wait{2000};
  std::string version;  // reported by sys/health
  std::string cluster_name = "tresor";
  std::shared_ptr<store::Storage> storage;  // required
  // null: the root key is split into Shamir shares at init; else what
  // keeps it (auto-unseal: age identity, transit key).
  std::shared_ptr<RootKeyWrapper> root_key_wrapper;
  // Every request and response is logged here; a request that cannot be
  // logged is refused with 500. May be null. The log's head (seq and
  // hash of its last line) is kept in the store, once a second and at
  // shutdown; unsealing fails if the log no longer holds it (cut, replaced
  // or deleted) unless `audit_accept_gap`, which records a "gap" line.
  std::shared_ptr<audit::AuditLog> audit;
  bool audit_accept_gap = false;
  // Scheduled snapshots ([snapshots] in server.toml), written by the node
  // that runs the background work. May be null.
  std::shared_ptr<SnapshotScheduler> snapshots;
};

class Api {
 public:
  explicit Api(ApiOptions options);
  http::Response Handle(const http::Request& request);

  // The development server: initialises the store with one share if it is
  // new, unseals it, and adds `root_token` as a root token. Returns the
  // unseal key (empty if the store was initialised before).
  Result<crypto::SecretBytes> StartDev(const std::string& root_token);
  // Unseals with the seal's wrapper (age identity, transit key); nothing
  // if unsealed already. kRefused unless initialised for it.
  Result<void> AutoUnseal();

  // Background upkeep, called every second and once at shutdown: revokes
  // expired tokens and their descendants, stores the audit log's head, and
  // after a failed storage commit (a full disk) reloads the state from
  // storage and lets writes through again once there is room (retried
  // with a growing pause, up to a minute).
  void Sweep();

  // Joins the nodes sharing the store as `name` (unique among them),
  // advertising `address` (api_cluster.cc). Until then every request is
  // answered 503: the node does not know who it is yet.
  void Join(const std::string& name, const std::string& address);

  bool sealed() const { return core() == nullptr; }
  std::shared_ptr<Core> core() const { return std::atomic_load(&core_); }
  Seal& seal() { return seal_; }

 private:
  // Handle without the metrics: audit around Serve.
  http::Response Audited(const http::Request& request);
  // A refusal decided before the body is parsed (a wrong path, sealed, no
  // valid token, a body over the limit of an endpoint without a token), or
  // nothing; fills `auth` with the caller's display name and accessor.
  std::optional<http::Response> Admit(const http::Request& request, Core* core, Json* auth);
  // Answers an admitted request; `body` is its JSON object ({} for none).
  http::Response Serve(const http::Request& request, const Json& body);
  http::Response MetricsResponse(const http::Request& request);
  http::Response LeaderResponse(const http::Request& request);
  http::Response HaStatus(const http::Request& request, Core& core);
  // Where this node's audit log head is stored.
  std::string AuditHeadPath() const;
  http::Response Health(const http::Request& request);
  http::Response SealStatusResponse();
  http::Response Init(const http::Request& request, const Json& body);
  // A login to the auth method `mount` (`rest` after its path): throttled
  // by who logs in and from where (as the method says), answered on the
  // worker unless it is slow (a password hash) or would block (a fetch),
  // then on the login pool; answered when its token is durable.
  http::Response Login(std::shared_ptr<Core> core, std::shared_ptr<const auth::Mount> mount,
                       const http::Request& request, const std::string& path,
                       const std::string& rest, const Json& body);
  // `work` run on the login pool and answered once its writes are
  // durable; a 429 if the pool's queue is full.
  http::Response OnLoginPool(std::function<http::Response()> work);
  // A 429 if the login throttle refuses `name` (a `who`: user, role) or
  // the request's address; nothing if it may go on.
  std::optional<http::Response> Throttle(const std::string& name, const http::Request& request,
                                         const char* who);
  http::Response Unseal(const Json& body);
  // sys/generate-root/attempt and /update (seal_handlers.cc).
  // sys/rekey/init and sys/rekey/update (rekey.h).
  http::Response RekeyHandler(const http::Request& request, const std::string& path,
                              const Json& body);
  http::Response GenerateRoot(Core& core, const http::Request& request, const std::string& path,
                              const Json& body);
  http::Response SealNow(const http::Request& request);
  // sys/tresor/snapshot: a snapshot stream restored into this server's
  // store, which is then sealed (snapshot_restore.cc).
  http::Response RestoreSnapshot(const http::Request& request);
  // sys/audit[/PATH]: the audit log as Vault's one "file" device
  // (audit_devices.cc).
  http::Response AuditDevices(Core& core, const http::Request& request, const std::string& path);
  // GET sys/audit-head (the chain's head, for tresor audit verify --server)
  // and GET sys/audit-log (the newest lines, filtered, for the web UI).
  http::Response AuditHead(Core& core, const http::Request& request);
  http::Response AuditLogView(Core& core, const http::Request& request);
  // Loads the Core from `barrier` and serves with it; with
  // `only_if_sealed`, not if another Core serves by then.
  Result<void> Open(std::shared_ptr<store::Barrier> barrier, bool only_if_sealed = false);
  // Holds `response` until the request's writes are durable.
  http::Response AwaitWrites(http::Response response);
  // `response` kept for a wrapping token if the request asked for it
  // (X-Vault-Wrap-TTL, checked by Admit), and answered as that token.
  http::Response Wrapped(const http::Request& request, http::Response response);
  // A request with X-Vault-Index: held until this node applied that
  // revision (api_index.cc); nothing if it may be served now.
  std::optional<http::Response> AwaitIndex(const http::Request& request);
  // Loads the state again after the watch broke (api_index.cc).
  void ReloadLostCore();

  ApiOptions options_;
  // Set once by Join, before joined_; destroyed before the storage.
  std::string node_name_;
  std::unique_ptr<store::Membership> membership_;
  std::atomic<bool> joined_{false};
  Seal seal_;
  RootGeneration root_generation_;
  void SweepCubbyholesAfterRemovals(Core& core);
  uint64_t sweeps_ = 0;  // Sweep's calls (one thread)
  // The token removals the last cubbyhole sweep followed, and when it ran.
  uint64_t cubbyholes_swept_for_ = UINT64_MAX;
  uint64_t cubbyholes_swept_at_ = 0;
  Rekey rekey_;
  std::shared_ptr<Core> core_;  // null while sealed; atomic access
  // Checks that the audit log still holds the head stored for it; with
  // audit_accept_gap, records the gap instead of failing.
  Result<void> CheckAuditHead(Core& core);
  // Stores the audit log's head (after flushing the log) if it moved.
  void StoreAuditHead();
  // See Sweep.
  void RecoverStorage();
  std::atomic<bool> state_stale_{false};  // a write was refused since the last reload
  std::chrono::steady_clock::time_point next_recovery_{};
  std::chrono::seconds recovery_pause_{1};
  std::mutex audit_head_mutex_;
  uint64_t stored_audit_seq_ = 0;
  // The audit log's HMAC key while sealed (a random one of this process;
  // once unsealed, the Core's, from the keyring).
  std::shared_ptr<const crypto::HmacSha256Key> sealed_audit_key_;
  std::shared_ptr<Metrics> metrics_ = std::make_shared<Metrics>();
  LoginThrottle login_throttle_;
  // Last, so that it stops (and joins its threads) before the rest goes.
  WorkPool login_pool_;
  // Serves requests that waited for X-Vault-Index, off the watch's thread.
  WorkPool index_pool_{2, 10000};
};

}  // namespace tresor::server
