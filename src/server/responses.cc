#include "server/responses.h"

#include <cstdio>

#include "crypto/random.h"

namespace tresor::server {

std::string RequestId() {
  uint8_t b[16];
  crypto::FillRandom(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

http::Response JsonResponse(int status, const Json& body) {
  http::Response r;
  r.status = status;
  // Invalid UTF-8 (never accepted from a client, but cheap to rule out)
  // becomes U+FFFD rather than an exception.
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  return r;
}

Json EnvelopeJson(const Json& data, const Json& auth) {
  return Json{{"request_id", RequestId()}, {"lease_id", ""}, {"renewable", false},
              {"lease_duration", 0},       {"data", data},   {"wrap_info", nullptr},
              {"warnings", nullptr},       {"auth", auth}};
}

http::Response Envelope(int status, const Json& data, const Json& auth) {
  return JsonResponse(status, EnvelopeJson(data, auth));
}

http::Response Error(int status, std::string_view message) {
  Json errors = Json::array();
  if (!message.empty()) errors.push_back(std::string(message));
  return JsonResponse(status, Json{{"errors", errors}});
}

http::Response NoContent() {
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace tresor::server
