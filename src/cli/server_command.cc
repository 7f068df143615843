#include "cli/server_command.h"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include "audit/log.h"
#include "cli/etcd_module.h"
#include "cli/files.h"
#include "cli/key_commands.h"
#include "cli/output.h"
#include "client/session.h"
#include "crypto/kdf.h"
#include "crypto/secret_file.h"
#include "http/server.h"
#include "server/api.h"
#include "server/seals/auto_unsealer.h"
#include "server/ticker.h"
#include "store/memory_storage.h"
#include "store/sqlite_storage.h"

namespace tresor::cli {

using client::Json;

namespace {

// HTTP workers of a node on etcd, unless [limits] threads says otherwise.
constexpr int kEtcdWorkers = 32;

// "HOST:PORT" into its parts; the host must be an IPv4 address.
Result<std::pair<std::string, int>> SplitListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "--listen wants HOST:PORT, got " + listen);
  }
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument, "--listen: bad port " + port_text);
  }
  return std::pair{listen.substr(0, colon), static_cast<int>(port)};
}

// One JSON line on stderr per server event; never a secret (tokens and
// unseal keys go to stdout, once, and only in development mode).
void Log(const char* level, const std::string& message, const server::Json& fields = {}) {
  server::Json line{{"time", server::NowRfc3339()}, {"level", level}, {"msg", message}};
  if (fields.is_object()) line.update(fields);
  std::fprintf(stderr, "%s\n", line.dump().c_str());
}

std::string HostName() {
  char name[256] = "";
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

// The storage of a persistent server: DATA_DIR/tresor.db, the directory
// created 0700 if missing; or the etcd cluster of [storage].
Result<std::shared_ptr<store::Storage>> OpenServerStorage(const ServerOptions& o) {
  if (o.storage_type == "etcd") {
    store::EtcdOptions etcd;
    etcd.endpoints = o.etcd_endpoints;
    etcd.prefix = o.etcd_prefix;
    etcd.ca_file = o.etcd_ca_file;
    etcd.cert_file = o.etcd_cert_file;
    etcd.key_file = o.etcd_key_file;
    TRESOR_ASSIGN_OR_RETURN(const int64_t dial, ParseDuration(o.etcd_dial_timeout));
    TRESOR_ASSIGN_OR_RETURN(const int64_t request, ParseDuration(o.etcd_request_timeout));
    etcd.dial_timeout = std::chrono::seconds(dial);
    etcd.request_timeout = std::chrono::seconds(request);
    TRESOR_ASSIGN_OR_RETURN(const int64_t lease, ParseDuration(o.etcd_lease_ttl));
    etcd.lease_ttl = std::chrono::seconds(lease);
    etcd.max_request_bytes = static_cast<size_t>(o.etcd_max_request_bytes);
    return OpenEtcdStorage(etcd);
  }
  TRESOR_RETURN_IF_ERROR(crypto::PreparePrivateDirectory(o.data_dir));
  TRESOR_ASSIGN_OR_RETURN(auto storage, store::SqliteStorage::Open(o.data_dir + "/tresor.db"));
  return std::shared_ptr<store::Storage>(std::move(storage));
}

namespace {

// The dev server's root token: the flag, the file, the environment (as
// Vault's VAULT_DEV_ROOT_TOKEN_ID), else a random one.
Result<std::string> DevRootToken(const ServerOptions& options) {
  if (!options.root_token.empty()) return options.root_token;
  if (!options.root_token_file.empty()) {
    std::ifstream in(options.root_token_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return MakeError(ErrorCode::kIo, options.root_token_file + ": cannot read the root token");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       options.root_token_file + ": the first line is empty");
    }
    return line;
  }
  for (const char* name : {"TRESOR_DEV_ROOT_TOKEN", "VAULT_DEV_ROOT_TOKEN_ID"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0')
      return std::string(value);
  }
  return server::NewToken();
}

}  // namespace

Result<void> RunServerCommand(const ServerOptions& flags) {
  if (flags.dev == !flags.config.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "tresor server needs either --dev or --config FILE");
  }
  ServerOptions options = flags;
  if (!flags.config.empty()) {
    options = ServerOptions{};
    options.config = flags.config;
    options.check = flags.check;
    TRESOR_RETURN_IF_ERROR(LoadServerConfig(flags.config, options));
    for (const std::string& name : flags.given) {
      if (name == "--listen") options.listen = flags.listen;
      if (name == "--audit-file") options.audit_file = flags.audit_file;
      if (name == "--audit-accept-gap") options.audit_accept_gap = flags.audit_accept_gap;
      if (name == "--request-timeout") options.request_timeout = flags.request_timeout;
      if (name == "--idle-timeout") options.idle_timeout = flags.idle_timeout;
      if (name == "--insecure-listen") options.insecure_listen = flags.insecure_listen;
      if (name == "--threads") options.threads = flags.threads;
      if (name == "--tls-cert-file") options.tls_cert_file = flags.tls_cert_file;
      if (name == "--tls-key-file") options.tls_key_file = flags.tls_key_file;
    }
  }
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (tls && (options.tls_cert_file.empty() || options.tls_key_file.empty())) {
    return MakeError(ErrorCode::kInvalidArgument, "TLS needs both a certificate and its key");
  }
  TRESOR_ASSIGN_OR_RETURN(auto listen, SplitListen(options.listen));
  const bool loopback = listen.first.starts_with("127.");
  if (!loopback && !tls && !options.insecure_listen) {
    return MakeError(ErrorCode::kRefused, "plain HTTP is only served on loopback; " + listen.first +
                                              " needs TLS, or --insecure-listen if you mean it");
  }
  if (options.check) return CheckServerSettings(options);
  // Every thread (the storage's, the API's login pool, the HTTP workers) inherits the mask:
  // only this thread takes SIGINT and SIGTERM (stop) and SIGHUP (reopen the audit log).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  server::ApiOptions api_options;
  api_options.version = TRESOR_VERSION;
  api_options.cluster_name = options.cluster_name;
  api_options.root_key_wrapper = SealWrapper(options);
  if (options.dev) {
    api_options.storage = std::make_shared<store::MemoryStorage>();
  } else {
    TRESOR_ASSIGN_OR_RETURN(api_options.storage, OpenServerStorage(options));
  }
  api_options.storage->SetFailureHandler([](const std::string& reason) {
    Log("error", "storage: a write failed; writes stop until it recovers",
        server::Json{{"error", reason}});
  });
  api_options.log = [](const std::string& level, const std::string& message,
                       const server::Json& fields) { Log(level.c_str(), message, fields); };
  std::shared_ptr<audit::AuditLog> audit_log;
  if (!options.audit_file.empty()) {
    TRESOR_ASSIGN_OR_RETURN(audit_log, audit::AuditLog::Open(options.audit_file));
    api_options.audit = audit_log;
    api_options.audit_accept_gap = options.audit_accept_gap;
  }
  if (!options.snapshot_interval.empty()) {
    TRESOR_ASSIGN_OR_RETURN(const int64_t every, ParseDuration(options.snapshot_interval));
    if (every < 1) {
      return MakeError(ErrorCode::kSyntax, options.config + ": snapshots.interval: at least 1s");
    }
    server::SnapshotSchedule schedule{std::chrono::seconds(every),
                                      static_cast<size_t>(options.snapshot_keep),
                                      options.snapshot_dir, options.snapshot_recipients};
    TRESOR_RETURN_IF_ERROR(crypto::PreparePrivateDirectory(options.snapshot_dir));
    auto scheduler = server::SnapshotScheduler::Create(std::move(schedule), api_options.storage,
                                                       api_options.log, audit_log);
    if (!scheduler) {
      return MakeError(ErrorCode::kSyntax, options.config + ": " + scheduler.error().message);
    }
    api_options.snapshots = std::move(*scheduler);
  }
  auto api = std::make_shared<server::Api>(std::move(api_options));

  http::ServerOptions http_options;
  http_options.host = listen.first;
  http_options.port = listen.second;
  http_options.threads = options.threads;
  // A worker waits for etcd's answer to each write it makes (a round trip
  // to a majority): more of them keep the cores busy meanwhile.
  if (options.storage_type == "etcd" && !options.dev && options.threads == 0) {
    http_options.threads = kEtcdWorkers;
  }
  http_options.max_connections = static_cast<size_t>(options.max_connections);
  http_options.tls_cert_file = options.tls_cert_file;
  http_options.tls_key_file = options.tls_key_file;
  TRESOR_ASSIGN_OR_RETURN(const int64_t request_timeout, ParseDuration(options.request_timeout));
  TRESOR_ASSIGN_OR_RETURN(const int64_t idle_timeout, ParseDuration(options.idle_timeout));
  http_options.request_timeout_ms = static_cast<int>(request_timeout * 1000);
  http_options.idle_timeout_ms = static_cast<int>(idle_timeout * 1000);
  TRESOR_ASSIGN_OR_RETURN(auto server,
                          http::Server::Start(http_options, [api](const http::Request& request) {
                            return api->Handle(request);
                          }));
  const std::string address =
      (tls ? "https://" : "http://") + listen.first + ":" + std::to_string(server->port());
  // Who this node is among those sharing the store: known once the port is.
  const std::string node_name = !options.node_name.empty()
                                    ? options.node_name
                                    : HostName() + ":" + std::to_string(server->port());
  api->Join(node_name, options.api_addr.empty() ? address : options.api_addr);
  const std::string where =
      options.storage_type == "etcd"
          ? "etcd " + Join(options.etcd_endpoints, ",") + " under " + options.etcd_prefix
          : options.data_dir + "/tresor.db";
  std::string root_token;
  crypto::SecretBytes unseal_key;
  // Why an auto-unsealing node is still sealed ("" if it is not).
  std::string waiting;
  if (options.dev) {
    TRESOR_ASSIGN_OR_RETURN(root_token, DevRootToken(options));
    TRESOR_ASSIGN_OR_RETURN(unseal_key, api->StartDev(root_token));
  } else if (api->seal().unseals_itself()) {
    auto unsealed = server::UnsealAtStart(*api);
    // Never re-initialised: a root key that does not open is the end. On
    // etcd, named with the store: another cluster's data under this prefix
    // says so.
    if (!unsealed && options.storage_type == "etcd") {
      return WithPlace(where, std::move(unsealed).error());
    }
    TRESOR_ASSIGN_OR_RETURN(waiting, std::move(unsealed));
  }
  if (options.dev) {
    std::printf(
        "tresor server: development mode: in memory and unsealed; everything is lost when it "
        "stops\nlistening on %s\nunseal key: %s\nroot token: %s\n",
        address.c_str(), crypto::HexEncode(unseal_key.Reveal()).c_str(), root_token.c_str());
  } else {
    const auto status = api->seal().Status(api->sealed());
    std::printf("tresor server: listening on %s\nstorage: %s\nstate: %s\nnode: %s\n",
                address.c_str(), where.c_str(),
                !status.initialized ? "not initialized (run tresor operator init)"
                : !waiting.empty()  ? ("sealed (retrying: " + waiting + ")").c_str()
                : status.sealed     ? "sealed (run tresor operator unseal)"
                                    : "unsealed",
                node_name.c_str());
  }
  // Expired tokens go, with their descendants, within a second. Started
  // before "listening" is said, so that every thread runs once a client
  // (or a test lowering the descriptor limit) hears it.
  server::Ticker sweeper(std::chrono::seconds(1), [api] { api->Sweep(); });
  // An auto-unsealing node that could not reach its seal, or whose store
  // was not initialised yet (another node may do it), keeps trying, until
  // it has been unsealed once: a node sealed by sys/seal stays sealed.
  std::unique_ptr<server::AutoUnsealer> unsealer;
  if (!options.dev && api->seal().unseals_itself()) {
    unsealer = std::make_unique<server::AutoUnsealer>(
        api, std::chrono::seconds(2), [](const std::string& message, const std::string& error) {
          Log(error.empty() ? "info" : "warn", message,
              error.empty() ? server::Json::object() : server::Json{{"error", error}});
        });
  }
  std::fflush(stdout);
  Log("info", "listening",
      server::Json{{"address", address},
                   {"storage", options.dev ? "inmem" : options.storage_type},
                   {"sealed", api->sealed()}});
  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    if (!audit_log) continue;
    auto reopened = audit_log->Reopen();
    if (reopened) {
      Log("info", "audit log reopened", server::Json{{"file", options.audit_file}});
    } else {
      Log("error", "audit log not reopened; still writing to the file it had",
          server::Json{{"error", reopened.error().message}});
    }
  }
  Log("info", "stopping", server::Json{{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  api->Sweep();  // the audit log's last head goes to the store
  return {};
}

}  // namespace tresor::cli
