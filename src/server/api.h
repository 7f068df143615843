// The Vault-compatible HTTP API (the part real clients use), over the
// engines and stores. So far it serves the development server: everything
// in memory; a KV version 2 mount at secret/; tokens (auth/token/...),
// ACL policies (sys/policy, sys/policies/acl) enforced on every request;
// the userpass auth method; sys/health, sys/seal-status, sys/mounts,
// sys/auth, sys/internal/ui/mounts. Storage, seal and audit come next
// (issue 6). Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "audit/log.h"
#include "http/request.h"
#include "http/response.h"
#include "server/kv2.h"
#include "server/policies.h"
#include "server/tokens.h"
#include "server/userpass.h"

namespace tresor::server {

struct ApiOptions {
  std::string root_token;  // "" for none
  std::string version;     // reported by sys/health
  // Every request and response is logged here (values and tokens HMAC'd);
  // a request that cannot be logged is refused with 500. May be null.
  std::shared_ptr<audit::AuditLog> audit;
};

// Who is asking: the token's store key and what it holds.
struct Caller {
  std::string key;
  TokenInfo info;
};

class Api {
 public:
  explicit Api(ApiOptions options);
  http::Response Handle(const http::Request& request);

  // The key the audit log's HMACs use (to look a known value up in it).
  const crypto::SecretBytes& audit_key() const { return audit_key_; }

  TokenStore& tokens() { return tokens_; }

 private:
  http::Response Route(const http::Request& request, const Json& parsed_body);
  http::Response Sys(const http::Request& request, const std::string& path, const Json& body);
  http::Response Policy(const http::Request& request, const std::string& path, const Json& body);
  http::Response Token(const http::Request& request, const std::string& path, const Json& body,
                       const Caller& caller);
  http::Response Kv(const http::Request& request, const std::string& path, const Json& body);
  http::Response AuthMounts(const http::Request& request, const std::string& path,
                            const Json& body);
  http::Response UserpassLogin(const http::Request& request, const std::string& path,
                               const Json& body);
  http::Response UserpassUsers(const http::Request& request, const std::string& path,
                               const Json& body);
  // The capability a request needs at `path` (relative to /v1/).
  acl::Capability Needed(const http::Request& request, const std::string& path);

  ApiOptions options_;
  crypto::SecretBytes audit_key_;
  KvV2 kv_;
  PolicyStore policies_;
  TokenStore tokens_;
  Userpass userpass_;
  std::mutex auth_mutex_;
  std::atomic<bool> userpass_enabled_{false};
};

// The "auth" block of a login or token creation.
Json AuthBlock(const std::string& token, const TokenInfo& info);

// A fresh random token ("tr." and 32 base62 characters).
std::string NewToken();

// True for LIST, and for GET with ?list=true or ?list=1.
bool IsList(const http::Request& request);
bool IsWrite(const http::Request& request);

}  // namespace tresor::server
