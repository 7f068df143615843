// sys/tools/random[/SOURCE][/BYTES] and sys/tools/hash[/ALGORITHM] (also
// reached as transit/random and transit/hash): Vault's shapes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/request.h"
#include "http/response.h"

namespace tresor::server {

// `path` is "sys/tools/random..." or "sys/tools/hash...".
http::Response Tools(const http::Request& request, const std::string& path,
                     const nlohmann::json& body);

}  // namespace tresor::server
