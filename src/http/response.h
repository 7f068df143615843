// An HTTP response and its bytes on the wire.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tresor::http {

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // "" for none (204)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A JSON error response: {"errors":["message", ...]} (Vault's shape).
Response JsonError(int status, std::string_view message);

// The status line's reason phrase ("Not Found").
const char* ReasonPhrase(int status);

// Status line, headers (Content-Length, Content-Type, Cache-Control:
// no-store, Connection: close when `close`) and the body; a HEAD request's
// answer has the headers only.
std::string Serialize(const Response& response, bool close, bool head_only);

}  // namespace tresor::http
