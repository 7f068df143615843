// auth/PATH/ for a userpass mount: users, passwords and login, in Vault's
// shapes (hvac's and node-vault's userpass methods).
#include <algorithm>

#include "server/auth/method.h"
#include "server/auth_settings.h"
#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/userpass/userpass.h"

namespace tresor::server {
namespace {

// The name of a token setting in `body` that userpass users do not take;
// "" if none.
std::string UnsupportedUserSetting(const Json& body) {
  if (SettingGiven(body, "token_num_uses")) return "token_num_uses";
  return UnsupportedTokenSetting(body);
}

class UserpassMethod : public auth::Method {
 public:
  UserpassMethod(store::Barrier* barrier, const std::string& prefix) : users_(barrier, prefix) {}

  Result<void> Load() override { return users_.Load(); }
  bool IsLogin(std::string_view rest) const override { return rest.starts_with("login/"); }
  bool SlowLogin() const override { return true; }  // Argon2id
  std::string ThrottleName(std::string_view rest, const Json&) const override {
    return std::string(rest.substr(6));
  }

  Result<TokenRequest> LogIn(const http::Request&, std::string_view rest, const Json& body, bool,
                             bool*) override {
    const std::string name(rest.substr(6));
    auto user = users_.Login(name, TextSetting(body, "password"));
    if (!user) return MakeError(ErrorCode::kRefused, "invalid username or password");
    TokenRequest req;
    req.policies = user->policies;
    req.policies.push_back("default");
    req.ttl = user->token_ttl;
    req.explicit_max_ttl = user->token_max_ttl;
    req.display_name = name;
    req.meta = {{"username", name}};
    return req;
  }

  http::Response Handle(const http::Request& request, const std::string& rest,
                        const Json& body) override;

  bool Caches() const override { return true; }
  void Refresh(const std::string& key, uint64_t revision,
               const std::optional<Json>& record) override {
    if (key.starts_with("user/")) users_.Refresh(key.substr(5), revision, record);
  }

 private:
  Userpass users_;
};

http::Response UserpassMethod::Handle(const http::Request& request, const std::string& rest,
                                      const Json& body) {
  if (rest == "users" || rest == "users/") {
    if (!IsList(request)) return Error(405, "unsupported operation");
    const auto names = users_.List();
    if (names.empty()) return Error(404, "");
    return Envelope(200, Json{{"keys", names}});
  }
  if (!rest.starts_with("users/")) return Error(404, "unsupported path");
  std::string name = rest.substr(6);
  const bool password_only = name.ends_with("/password");
  if (password_only) name.resize(name.size() - std::string_view("/password").size());
  const std::string password = TextSetting(body, "password");
  if (IsWrite(request)) {
    if (password_only && password.empty()) return Error(400, "missing password");
    std::optional<int64_t> ttl, max_ttl;
    if (!password_only) {
      const std::string unsupported = UnsupportedUserSetting(body);
      if (!unsupported.empty()) return Error(400, unsupported + " is not supported");
      auto given_ttl = OptionalSeconds(body, "token_ttl");
      if (!given_ttl) return Error(400, given_ttl.error().message);
      auto given_max_ttl = OptionalSeconds(body, "token_max_ttl");
      if (!given_max_ttl) return Error(400, given_max_ttl.error().message);
      ttl = *given_ttl;
      max_ttl = *given_max_ttl;
    }
    auto written = password_only
                       ? users_.Write(name, password, std::nullopt, std::nullopt, std::nullopt)
                       : users_.Write(name, password, PolicyList(body), ttl, max_ttl);
    if (!written) return Error(400, written.error().message);
    return NoContent();
  }
  if (request.method == "GET" && !password_only) {
    auto user = users_.Read(name);
    if (!user) return Error(404, "");
    return Envelope(200, Json{{"policies", user->policies},
                              {"token_policies", user->policies},
                              {"token_ttl", user->token_ttl},
                              {"token_max_ttl", user->token_max_ttl}});
  }
  if (request.method == "DELETE" && !password_only) {
    users_.Delete(name);
    return NoContent();
  }
  return Error(405, "unsupported operation");
}

}  // namespace

std::unique_ptr<auth::Method> auth::MakeUserpass(const Services& services,
                                                 const std::string& prefix) {
  return std::make_unique<UserpassMethod>(services.barrier, prefix);
}

}  // namespace tresor::server
