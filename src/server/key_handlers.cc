// sys/rotate and sys/key-status (Vault's shapes): a new barrier key for the
// records written from now on, and which key that is. Every node on the
// store uses the new key once the watch brings the keyring (Barrier).
#include "server/core.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {

http::Response Core::Keys(const http::Request& request, const std::string& path,
                          const Caller& caller) {
  if (path == "sys/key-status") {
    if (request.method != "GET") return Error(405, "unsupported operation");
    const auto keyring = barrier_->keyring();
    const uint32_t term = keyring->active_term();
    const std::string installed = Rfc3339(
        std::chrono::system_clock::time_point(std::chrono::seconds(keyring->install_time(term))));
    return EnvelopeAndTop(Json{{"term", term}, {"install_time", installed}});
  }
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  // Vault's rule: rotating needs sudo on the path (root has it).
  if (!HasSudo(caller, path)) return Error(403, "permission denied");
  auto rotated = barrier_->Rotate(NowUnix());
  if (!rotated) {
    const ErrorCode code = rotated.error().code;
    if (code == ErrorCode::kRefused) return Error(400, rotated.error().message);
    if (code == ErrorCode::kUnavailable) return Error(503, "storage did not answer");
    return Error(500, "rotation failed: " + rotated.error().message);
  }
  return NoContent();
}

}  // namespace tresor::server
