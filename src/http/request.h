// An HTTP/1.1 request as the server's handlers see it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tresor::http {

struct Request {
  std::string method;  // as sent: GET, PUT, POST, DELETE, LIST, PATCH, HEAD
  std::string target;  // the raw request target ("/v1/secret/data/a?version=2")
  std::string path;    // percent-decoded, without the query; always starts with '/'
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  bool keep_alive = true;   // HTTP/1.1 default; "Connection: close" or HTTP/1.0 clear it
  std::string remote_addr;  // the peer's IP address, set by the server ("" if unknown)

  // The first header named `name` (lowercase), or nullptr.
  const std::string* Header(std::string_view name) const;
  // The first query parameter named `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
};

}  // namespace tresor::http
