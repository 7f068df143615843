// sys/audit and sys/audit/PATH: Vault's audit devices, as tresor has them.
// The server's audit log (audit_file in server.toml, or --audit-file) is
// listed as one device of type "file" at "file/"; devices are set where the
// server starts, never through the API, so enabling or disabling one is
// refused (400) rather than ignored.
#include "server/api.h"
#include "server/responses.h"

namespace tresor::server {

http::Response Api::AuditDevices(Core& core, const http::Request& request,
                                 const std::string& path) {
  // Vault's rule: the audit devices are sudo's.
  auto caller = core.Authorize(request, path, IsWrite(request) ? acl::kUpdate : acl::kRead);
  if (!caller || !core.HasSudo(*caller, path)) return Error(403, "permission denied");
  if (path != "sys/audit") {
    return Error(400,
                 "audit devices are not changed through the API: the server's audit log is "
                 "audit_file in server.toml (or --audit-file)");
  }
  if (request.method != "GET") return Error(405, "unsupported operation");
  Json devices = Json::object();
  if (options_.audit) {
    devices["file/"] = Json{{"type", "file"},
                            {"description", "the server's hash-chained audit log"},
                            {"options", {{"file_path", options_.audit->path()}}},
                            {"local", false},
                            {"path", "file/"}};
  }
  return EnvelopeAndTop(devices);
}

}  // namespace tresor::server
