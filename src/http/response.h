// An HTTP response and its bytes on the wire.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tresor::http {

struct Response;
// Called with the response to send once it is ready (from any thread).
using Reply = std::function<void(Response)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // "" for none (204)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set when the real response is not ready yet (it waits for a durable
  // write): the server calls `defer` once with a Reply, sends nothing on
  // the connection until the Reply is called, and then sends what it got.
  // The other fields are then unused.
  std::function<void(Reply)> defer;
};

// A JSON error response: {"errors":["message", ...]} (Vault's shape).
Response JsonError(int status, std::string_view message);

// The status line's reason phrase ("Not Found").
const char* ReasonPhrase(int status);

// Status line, headers (Content-Length, Content-Type, Cache-Control:
// no-store unless the response sets its own, Connection: close when
// `close`) and the body; a HEAD request's answer, a 204 and a 304 have the
// headers only.
std::string Serialize(const Response& response, bool close, bool head_only);

}  // namespace tresor::http
