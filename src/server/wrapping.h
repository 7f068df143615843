// Response wrapping, as Vault does it: a response asked for with
// X-Vault-Wrap-TTL is kept, sealed by the barrier under
// "wrapping/ACCESSOR", and answered instead as a wrapping token (policy
// "response-wrapping", good for nothing else, orphan, not renewable, the TTL
// asked for). sys/wrapping/unwrap answers the kept response once: the
// record is deleted by a transaction conditioned on its revision, so of two
// unwraps (on any nodes) exactly one gets it; then the token is revoked.
// sys/wrapping/lookup, rewrap and wrap as Vault's.
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.h"
#include "http/request.h"
#include "http/response.h"
#include "server/responses.h"
#include "server/tokens.h"
#include "store/barrier.h"

namespace tresor::server {

inline constexpr char kWrappingPolicy[] = "response-wrapping";

// The TTL an X-Vault-Wrap-TTL header asks for ("90s", "5m", "1h", or
// seconds): kInvalidArgument unless between 1 s and 32 days.
Result<int64_t> WrapTtl(std::string_view header);

// Keeps `body` (a response's JSON) for a new wrapping token; the response
// that carries the token. `wrapped_accessor`: the accessor of a token the
// response holds ("" for none).
http::Response WrapResponse(TokenStore& tokens, store::Barrier& barrier, const std::string& body,
                            int64_t ttl, const std::string& creation_path,
                            const std::string& wrapped_accessor);

// sys/wrapping/unwrap, lookup, rewrap and wrap. `caller`: the request's own
// token, used when the body names none.
http::Response WrappingEndpoint(TokenStore& tokens, store::Barrier& barrier,
                                const http::Request& request, const std::string& path,
                                const Json& body, const std::string* caller);

// Deletes what expired wrapping tokens held (by the node that leads).
void SweepWrapped(store::Barrier& barrier);

}  // namespace tresor::server
