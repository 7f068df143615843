// Logins: the throttle, the login pool, and the logins of every auth
// method, which use them.
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

http::Response Api::Login(std::shared_ptr<Core> core, std::shared_ptr<const auth::Mount> mount,
                          const http::Request& request, const std::string& path,
                          const std::string& rest, const Json& body) {
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  const std::string who = mount->method->ThrottleName(rest, body);
  const std::string name = who.empty() ? "" : mount->path + " " + who;  // one mount's user
  if (!name.empty()) {
    if (auto refused = Throttle(name, request, mount->method->throttle_word())) {
      return std::move(*refused);
    }
  }
  const auto counted = [this, name](http::Response answer) {
    if (name.empty()) return answer;
    if (answer.status == 200) {
      login_throttle_.Succeeded(name);
    } else if (answer.status == 400) {
      login_throttle_.Failed(name);
    }
    return answer;
  };
  if (!mount->method->SlowLogin()) {
    bool blocks = false;
    http::Response answer = core->LogIn(*mount, request, path, rest, body, false, &blocks);
    if (!blocks) return counted(std::move(answer));
  }
  return OnLoginPool(
      [core = std::move(core), mount = std::move(mount), request, path, rest, body, counted] {
        bool blocks = false;
        return counted(core->LogIn(*mount, request, path, rest, body, true, &blocks));
      });
}

}  // namespace tresor::server
