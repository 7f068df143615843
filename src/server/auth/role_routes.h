// The routes every auth method with roles answers in Vault's shape:
// LIST role/, and POST, GET and DELETE role/NAME. `Roles` has
// ListRoles(), WriteRole(name, body), ReadRole(name) (nothing if absent)
// and DeleteRole(name) (kNotFound if absent), as AppRole and JWT do.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/request.h"
#include "http/response.h"
#include "server/core.h"
#include "server/responses.h"

namespace tresor::server::auth {

// LIST role/: the names, or 404 when there are none.
template <typename Roles>
http::Response ListRoles(const http::Request& request, Roles& roles) {
  if (!IsList(request)) return Error(405, "unsupported operation");
  auto names = roles.ListRoles();
  if (!names) return ErrorOf(names.error());
  if (names->empty()) return Error(404, "");
  return Envelope(200, nlohmann::json{{"keys", *names}});
}

// role/NAME: written, deleted (absent or not), or read through `to_api`.
template <typename Roles, typename ToApi>
http::Response RoleRoute(const http::Request& request, Roles& roles, const std::string& name,
                         const nlohmann::json& body, ToApi to_api) {
  if (IsWrite(request)) {
    auto written = roles.WriteRole(name, body);
    return written ? NoContent() : ErrorOf(written.error());
  }
  if (request.method == "DELETE") {
    auto deleted = roles.DeleteRole(name);
    if (!deleted && deleted.error().code != ErrorCode::kNotFound) return ErrorOf(deleted.error());
    return NoContent();
  }
  if (request.method != "GET") return Error(405, "unsupported operation");
  auto role = roles.ReadRole(name);
  if (!role) return ErrorOf(role.error());
  if (!*role) return Error(404, "");
  return Envelope(200, to_api(**role));
}

}  // namespace tresor::server::auth
