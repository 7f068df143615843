// A small blocking HTTP/1.1 client for the CLI's server commands: one request
// per connection, plain HTTP (TLS comes with the server's TLS).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crypto/result.h"

namespace tresor::http {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// `address` is "http://HOST:PORT" (IPv4 or a name). kIo if the server cannot
// be reached or answers something that is not HTTP; kInvalidArgument for a
// bad address. Waits at most `timeout_seconds` for each step.
Result<ClientResponse> Fetch(const std::string& address, const std::string& method,
                             const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body, int timeout_seconds = 30);

}  // namespace tresor::http
