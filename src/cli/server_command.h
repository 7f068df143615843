// tresor server (the Vault-compatible server, src/server/) and tresor audit.
#pragma once

#include <string>

#include "crypto/result.h"

namespace tresor::cli {

struct ServerOptions {
  bool dev = false;
  std::string listen = "127.0.0.1:8200";
  std::string root_token;  // --dev-root-token; "" = a random one
  bool insecure_listen = false;
  std::string request_timeout = "10s";  // a request's first byte to its last
  std::string idle_timeout = "60s";     // keep-alive connections with no request
  std::string audit_file;               // --audit-file: every request and response
};

// Serves until SIGINT or SIGTERM.
Result<void> RunServerCommand(const ServerOptions& options);

// tresor audit verify FILE: the hash chain of an audit log (audit/log.h).
struct AuditVerifyOptions {
  std::string file;
  bool json = false;
};
Result<void> RunAuditVerify(const AuditVerifyOptions& options);

}  // namespace tresor::cli
