// tresor server (the Vault-compatible server, src/server/) and tresor audit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "server/seals/root_key_wrapper.h"
#include "store/storage.h"

namespace tresor::cli {

struct ServerOptions {
  bool dev = false;
  std::string config;  // --config FILE (server.toml, docs/server.md)
  std::string listen = "127.0.0.1:8200";
  std::string root_token;       // --dev-root-token; "" = from the file, the environment, or random
  std::string root_token_file;  // --dev-root-token-file
  bool insecure_listen = false;
  std::string request_timeout = "10s";  // a request's first byte to its last
  std::string idle_timeout = "60s";     // keep-alive connections with no request
  std::string audit_file;               // --audit-file: every request and response
  bool audit_accept_gap = false;        // --audit-accept-gap
  // From the config file only:
  std::string data_dir;  // the SQLite database goes here
  // [storage]: "sqlite" (in data_dir) or "etcd" (several nodes share it).
  std::string storage_type = "sqlite";
  std::vector<std::string> etcd_endpoints;
  std::string etcd_prefix = "tresor/";
  std::string etcd_ca_file;
  std::string etcd_cert_file;
  std::string etcd_key_file;
  std::string etcd_dial_timeout = "2s";
  std::string etcd_request_timeout = "2s";
  std::string etcd_lease_ttl = "10s";        // a dead node's background work moves within it
  int etcd_max_request_bytes = 1536 * 1024;  // etcd's --max-request-bytes
  // This node among those sharing the store: its name (default
  // HOSTNAME:PORT) and the address clients reach it at (default the
  // listening one).
  std::string node_name;
  std::string api_addr;
  // [seal]: "shamir" (unseal keys), "age" (age_identity_file) or
  // "transit" (a key on another server); the last two unseal by themselves.
  std::string seal_type = "shamir";
  std::string age_identity_file;
  server::TransitSealSettings transit;
  // [snapshots]: one every interval ("" : none) into dir, the newest
  // `keep` kept, encrypted to the recipients.
  std::string snapshot_interval;
  int snapshot_keep = 10;
  std::string snapshot_dir;
  std::vector<std::string> snapshot_recipients;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string cluster_name = "tresor";
  int max_connections = 20000;
  int threads = 0;
  bool check = false;              // --check: the settings and the files they name, then exit
  std::vector<std::string> given;  // the flags given on the command line
};

// Reads server.toml into `options` (its settings replace the defaults;
// flags given on the command line are applied afterwards by the caller).
// Errors say FILE:LINE:COL and what is wrong; unknown settings are errors.
Result<void> LoadServerConfig(const std::string& path, ServerOptions& options);

// What keeps the root key for [seal]'s type; null for Shamir shares.
std::shared_ptr<server::RootKeyWrapper> SealWrapper(const ServerOptions& options);

// --check: what a start would refuse before serving (durations, the files
// and directories the settings name), without starting; prints "FILE: ok".
Result<void> CheckServerSettings(const ServerOptions& options);

// The storage `options` name: DATA_DIR/tresor.db (the directory created
// 0700 if missing), or the etcd cluster of [storage].
Result<std::shared_ptr<store::Storage>> OpenServerStorage(const ServerOptions& options);

// Serves until SIGINT or SIGTERM; SIGHUP reopens the audit log.
Result<void> RunServerCommand(const ServerOptions& options);

// tresor audit verify FILE...: the hash chain of an audit log (audit/log.h),
// over its rotated files in order (oldest first) as one chain.
struct AuditVerifyOptions {
  std::vector<std::string> files;
  bool continued = false;  // the first file's older part was rotated away
  bool json = false;
  bool server = false;  // --server: the files must hold the running server's last line
  std::string address;  // --address
};
Result<void> RunAuditVerify(const AuditVerifyOptions& options);

}  // namespace tresor::cli
