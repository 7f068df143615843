// sys/leases: nothing tresor serves has a lease (KV reads, logins and
// tokens have none; a token's TTL is renewed with auth/token/renew), so
// every lease ID is unknown, and the endpoints answer as Vault does for a
// lease that is not there: scripts that look up, renew or revoke leases
// get Vault's answers rather than a 404 for the endpoint.
#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"

namespace tresor::server {

http::Response Core::Leases(const http::Request& request, const std::string& path, const Json& body,
                            const Caller& caller) {
  const std::string op = path.substr(std::string_view("sys/leases/").size());
  if (op == "lookup" || op.starts_with("lookup/")) {
    if (IsList(request)) {  // LIST sys/leases/lookup/PREFIX: none, as Vault lists none
      if (!HasSudo(caller, path)) return Error(403, "permission denied");
      return Error(404, "");
    }
    if (op != "lookup" || !IsWrite(request)) return Error(405, "unsupported operation");
    if (TextSetting(body, "lease_id").empty()) return Error(400, "missing lease ID");
    return Error(400, "invalid lease");
  }
  if (op == "renew" || op.starts_with("renew/")) {
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    const std::string id = op == "renew" ? TextSetting(body, "lease_id") : op.substr(6);
    if (id.empty()) return Error(400, "missing lease ID");
    return Error(400, "lease not found");
  }
  for (std::string_view revoke : {"revoke", "revoke-force", "revoke-prefix"}) {
    if (op != revoke && !op.starts_with(std::string(revoke) + "/")) continue;
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    if (revoke != "revoke" && !HasSudo(caller, path)) return Error(403, "permission denied");
    const std::string id =
        op == revoke ? TextSetting(body, "lease_id") : op.substr(revoke.size() + 1);
    if (revoke == "revoke" && id.empty()) return Error(400, "missing lease ID");
    return NoContent();  // nothing to revoke: done, as Vault answers
  }
  return Error(404, "no handler for route \"" + path + "\"");
}

}  // namespace tresor::server
