// Reading an HTTP/1.x response as the client receives it: when it is whole,
// and its status and body.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/result.h"

namespace tresor::http {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::string index;  // X-Vault-Index: the store revision the answer reflects ("" if none)
};

// The size of the whole response once its head has arrived and gives a
// Content-Length; nullopt before that, or when there is none (the body
// then runs to the close).
std::optional<size_t> ResponseLength(std::string_view received);

// The status and body of everything received up to the close. kIo "not an
// HTTP response" for anything but "HTTP/1.x NNN ..." with a head; kIo
// "response cut short" when the body is shorter than its Content-Length.
Result<ClientResponse> ParseResponse(std::string_view received);

}  // namespace tresor::http
