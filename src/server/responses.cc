#include "server/responses.h"

#include <array>

#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::server {

namespace {

http::Response WithBody(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.body += '\n';
  return r;
}

}  // namespace

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string RequestId() {
  // Random bytes come from the kernel 256 identifiers at a time.
  thread_local std::array<uint8_t, 4096> pool;
  thread_local size_t used = pool.size();
  if (used == pool.size()) {
    crypto::FillRandom(pool);
    used = 0;
  }
  uint8_t* b = pool.data() + used;
  used += 16;
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out = crypto::HexEncode(std::span<const uint8_t>(b, 16));
  for (size_t dash : {8, 13, 18, 23}) out.insert(dash, 1, '-');
  return out;
}

http::Response JsonResponse(int status, const Json& body) { return WithBody(status, Dump(body)); }

Json EnvelopeJson(const Json& data, const Json& auth) {
  return Json{{"request_id", RequestId()}, {"lease_id", ""}, {"renewable", false},
              {"lease_duration", 0},       {"data", data},   {"wrap_info", nullptr},
              {"warnings", nullptr},       {"auth", auth}};
}

http::Response EnvelopeAndTop(const Json& data) {
  Json out = EnvelopeJson(data);
  out.update(data);
  return JsonResponse(200, out);
}

http::Response Envelope(int status, const Json& data, const Json& auth) {
  return EnvelopeOf(status, Dump(data), auth.is_null() ? "null" : Dump(auth));
}

http::Response EnvelopeOf(int status, std::string_view data, std::string_view auth) {
  // EnvelopeJson's bytes (keys in sorted order), without building it.
  std::string body = "{\"auth\":";
  body += auth;
  body += ",\"data\":";
  body += data;
  body += ",\"lease_duration\":0,\"lease_id\":\"\",\"renewable\":false,\"request_id\":\"";
  body += RequestId();
  body += "\",\"warnings\":null,\"wrap_info\":null}";
  return WithBody(status, std::move(body));
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

int StatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kRefused:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

http::Response ErrorOf(const tresor::Error& e) { return Error(StatusOf(e.code), e.message); }

}  // namespace tresor::server
