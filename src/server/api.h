// The Vault-compatible HTTP API (the part real clients use), over the
// engines. This first part serves a development server: one root token, a
// KV version 2 mount at secret/, and the sys/health, sys/seal-status,
// sys/mounts and sys/internal/ui/mounts endpoints. Tokens, policies, auth
// methods, storage, seal and audit come next (issue 6).
#pragma once

#include <string>

#include "http/request.h"
#include "http/response.h"
#include "server/kv2.h"

namespace tresor::server {

struct ApiOptions {
  std::string root_token;
  std::string version;  // reported by sys/health
};

class Api {
 public:
  explicit Api(ApiOptions options) : options_(std::move(options)) {}
  // Thread-safe.
  http::Response Handle(const http::Request& request);

 private:
  http::Response Sys(const http::Request& request, const std::string& path);
  http::Response Kv(const http::Request& request, const std::string& path, const Json& body);

  ApiOptions options_;
  KvV2 kv_;
};

// A fresh random token ("tr." and 32 base62 characters).
std::string NewToken();

}  // namespace tresor::server
