// Logins: the throttle, the login pool, and the login routes that use
// them (userpass, AppRole, JWT).
#include "server/api.h"
#include "server/responses.h"
#include "store/pending_writes.h"

namespace tresor::server {

std::optional<http::Response> Api::Throttle(const std::string& name, const http::Request& request,
                                            const char* who) {
  switch (login_throttle_.Admit(name, request.remote_addr)) {
    case LoginThrottle::Verdict::kUserLockedOut:
      return Error(429,
                   std::string("too many failed logins for this ") + who + "; try again later");
    case LoginThrottle::Verdict::kAddressLimited:
      return Error(429, "too many login attempts from this address; try again later");
    case LoginThrottle::Verdict::kAllowed:
      break;
  }
  return std::nullopt;
}

http::Response Api::OnLoginPool(std::function<http::Response()> work) {
  http::Response held;
  held.defer = [this, work = std::move(work)](http::Reply reply) {
    auto job = [this, work, reply]() {
      (void)store::TakeNotedWrites();
      http::Response answer = AwaitWrites(work());
      if (answer.defer) return answer.defer(reply);
      reply(std::move(answer));
    };
    if (!login_pool_.Submit(job)) {
      reply(Error(429, "too many logins in progress; try again later"));
    }
  };
  return held;
}

http::Response Api::Login(std::shared_ptr<Core> core, const http::Request& request,
                          const std::string& path, const Json& body) {
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  const std::string name = path.substr(std::string_view("auth/userpass/login/").size());
  if (auto refused = Throttle(name, request, "user")) return std::move(*refused);
  return OnLoginPool([this, core = std::move(core), request, path, body, name] {
    http::Response answer = core->UserpassLogin(request, path, body);
    if (answer.status == 200) {
      login_throttle_.Succeeded(name);
    } else {
      login_throttle_.Failed(name);
    }
    return answer;
  });
}

http::Response Api::JwtLogin(std::shared_ptr<Core> core, const http::Request& request,
                             const Json& body) {
  // Not throttled: a signature has no secret to guess, and Vault does not
  // lock JWT roles (anyone could lock a CI pipeline's role out). Checked
  // on the worker (a signature costs microseconds) unless the JWKS is to
  // be fetched again, which goes to the login pool.
  bool fetch_needed = false;
  http::Response answer = core->JwtLogin(request, body, /*may_fetch=*/false, &fetch_needed);
  if (!fetch_needed) return answer;
  return OnLoginPool(
      [core = std::move(core), request, body] { return core->JwtLogin(request, body); });
}

http::Response Api::AppRoleLogin(Core& core, const http::Request& request, const Json& body) {
  const Json& role_id = body.is_object() && body.contains("role_id") ? body["role_id"] : Json();
  // The throttle's name for it: bounded, whatever a client sends.
  const std::string name =
      "approle " + (role_id.is_string() ? role_id.get<std::string>().substr(0, 128) : "");
  if (auto refused = Throttle(name, request, "role")) return std::move(*refused);
  http::Response answer = core.AppRoleLogin(request, body);
  if (answer.status == 200) {
    login_throttle_.Succeeded(name);
  } else if (answer.status == 400) {
    login_throttle_.Failed(name);
  }
  return answer;
}

}  // namespace tresor::server
