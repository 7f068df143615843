// What every auth method implements (userpass, AppRole, JWT), and the one
// table of the types that can be enabled. An auth method is enabled at a
// path (sys/auth/PATH, as many times as wanted); each instance keeps its
// records under "auth/PATH/" and answers what clients send to
// /v1/auth/PATH/...: its login, which needs no token, and its settings,
// which the caller's policies allow or not. The core makes the tokens.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/result.h"
#include "http/request.h"
#include "http/response.h"
#include "server/tokens.h"
#include "store/barrier.h"

namespace tresor::server::auth {

// What an instance may use.
struct Services {
  store::Barrier* barrier = nullptr;
  std::function<int64_t()> now = {};  // unix seconds
  // GETs an https URL, trusting the CA certificates in `ca_pem` (the
  // system's if ""): the body, or why it could not be had.
  std::function<Result<std::string>(const std::string& url, const std::string& ca_pem)> https_get =
      {};
};

class Method {
 public:
  virtual ~Method() = default;

  // Reads what it keeps in memory (once, when the server unseals).
  virtual Result<void> Load() { return {}; }

  // True if `rest` (what follows auth/PATH/) is its login.
  virtual bool IsLogin(std::string_view rest) const = 0;
  // True if its logins are slow (a password hash): the API runs them on
  // its login pool, never on a worker.
  virtual bool SlowLogin() const { return false; }
  // Who a login is for the login throttle ("" : not throttled), and the
  // word for them in the refusal ("user", "role").
  virtual std::string ThrottleName(std::string_view rest, const nlohmann::json& body) const = 0;
  virtual const char* throttle_word() const { return "user"; }
  // Checks a login; the token it earns, which the core makes (an orphan,
  // for the login's path, named after the mount and `display_name`).
  // kRefused or kInvalidArgument (400) for credentials that do not match.
  // Unless `may_block`, a login that would block (a fetch) sets `*blocks`
  // and does nothing: the API runs it again on its login pool.
  virtual Result<TokenRequest> LogIn(const http::Request& request, std::string_view rest,
                                     const nlohmann::json& body, bool may_block, bool* blocks) = 0;

  // True if the request at `rest` may block (a fetch): the API runs it on
  // its login pool.
  virtual bool Blocks(const http::Request&, std::string_view) const { return false; }
  // Everything else at auth/PATH/`rest` (the caller's policies allow it).
  virtual http::Response Handle(const http::Request& request, const std::string& rest,
                                const nlohmann::json& body) = 0;

  // True if it keeps the records under its prefix in memory: then another
  // node's change to one reaches Refresh, opened (nullopt: deleted).
  virtual bool Caches() const { return false; }
  virtual void Refresh(const std::string& /*key_after_prefix*/, uint64_t /*revision*/,
                       const std::optional<nlohmann::json>& /*record*/) {}
};

// A type of auth method: its name in sys/auth, what it is for, and how an
// instance is made with its records under `prefix` ("auth/PATH/").
struct Type {
  const char* name;
  const char* description;
  std::unique_ptr<Method> (*make)(const Services& services, const std::string& prefix);
};

// Every type that can be enabled (registry.cc: a line each).
std::span<const Type> Types();
const Type* FindType(std::string_view name);

// Each type's maker (in its own folder).
std::unique_ptr<Method> MakeUserpass(const Services& services, const std::string& prefix);
std::unique_ptr<Method> MakeAppRole(const Services& services, const std::string& prefix);
std::unique_ptr<Method> MakeJwt(const Services& services, const std::string& prefix);

}  // namespace tresor::server::auth
