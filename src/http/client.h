// A small blocking HTTP/1.1 client for the CLI's server commands: one request
// per connection, plain HTTP or TLS (http/tls.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crypto/result.h"
#include "http/client_response.h"

namespace tresor::http {

struct FetchOptions {
  // For https://: the CA certificates (PEM) to trust; "" for the system's.
  std::string ca_file;
  // For https://: the CA certificates as PEM text (instead of a file).
  std::string ca_pem = {};
  int timeout_seconds = 30;  // for each step
};

// `address` is "http://HOST[:PORT]" or "https://HOST[:PORT]" (IPv4 or a
// name; ports 80 and 443 by default). kUnavailable if the server cannot be
// reached (nothing was sent); kIo if the exchange fails after that or the
// answer is not HTTP; kRefused if its certificate is
// not trusted; kInvalidArgument for a bad address.
Result<ClientResponse> Fetch(const std::string& address, const std::string& method,
                             const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body, const FetchOptions& options = {});

}  // namespace tresor::http
