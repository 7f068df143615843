// Fetching a JWKS document over HTTP(S) with the CLI's client (http/client.h).
#include "http/client.h"
#include "server/jwt/jwt_auth.h"

namespace tresor::server::jwt {

Result<std::string> FetchJwksOverHttp(const std::string& url, const std::string& ca_pem) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "not a URL");
  }
  const size_t path_begin = url.find('/', scheme_end + 3);
  const std::string address = url.substr(0, path_begin);
  const std::string path = path_begin == std::string::npos ? "/" : url.substr(path_begin);
  http::FetchOptions options;
  options.timeout_seconds = 10;
  options.ca_pem = ca_pem;
  TRESOR_ASSIGN_OR_RETURN(
      http::ClientResponse response,
      http::Fetch(address, "GET", path, {{"Accept", "application/json"}}, "", options));
  if (response.status != 200) {
    return MakeError(ErrorCode::kUnavailable,
                     "the JWKS URL answered HTTP " + std::to_string(response.status));
  }
  if (response.body.size() > kMaxJwksBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "the JWKS document is larger than 1 MiB");
  }
  return std::move(response.body);
}

}  // namespace tresor::server::jwt
