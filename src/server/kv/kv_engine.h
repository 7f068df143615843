// The KV engine's routes over one KV store, for the KV mounts and for each
// token's cubbyhole.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/request.h"
#include "http/response.h"
#include "server/kv/kv1.h"
#include "server/kv/kv2.h"

namespace tresor::server {

// KV version 2 at `path` (after the mount's path): data/, metadata/, ...
http::Response HandleKv2(const http::Request& request, KvV2& kv, const std::string& path,
                         const nlohmann::json& body);
// KV version 1: the path itself.
http::Response HandleKv1(const http::Request& request, KvV1& kv, const std::string& path,
                         const nlohmann::json& body);

}  // namespace tresor::server
