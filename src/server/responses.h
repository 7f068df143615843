// Vault-shaped JSON responses.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "crypto/result.h"
#include "http/response.h"

namespace tresor::server {

using Json = nlohmann::json;

// Compact JSON; invalid UTF-8 (never accepted from a client, but cheap to
// rule out) becomes U+FFFD rather than an exception.
std::string Dump(const Json& value);
// A random UUID (version 4), for request_id and accessors.
std::string RequestId();
http::Response JsonResponse(int status, const Json& body);
// {"request_id", "lease_id", "renewable", "lease_duration", "data",
//  "wrap_info", "warnings", "auth"} around `data`.
http::Response Envelope(int status, const Json& data, const Json& auth = nullptr);
// Envelope with `data` and `auth` already serialised (compact JSON).
http::Response EnvelopeOf(int status, std::string_view data, std::string_view auth = "null");
// The envelope itself, for answers that add fields at its top level.
Json EnvelopeJson(const Json& data, const Json& auth = nullptr);
// 200 with the envelope and `data`'s members repeated at the top level, as
// Vault answers some sys/ reads (sys/mounts, sys/auth, sys/key-status).
http::Response EnvelopeAndTop(const Json& data);
// {"errors": [message]}; an empty message gives {"errors": []}.
http::Response Error(int status, std::string_view message);
// The HTTP status of an engine's error: 400 for a bad or refused request,
// 404 for what is not there, 503 for a store out of reach, else 500.
int StatusOf(ErrorCode code);
// Error(StatusOf(e.code), e.message).
http::Response ErrorOf(const tresor::Error& e);
http::Response NoContent();

}  // namespace tresor::server
