// The JWT auth method (auth/jwt/): CI pipelines and workloads log in with a
// token their identity provider signed. The config names the keys (PEM
// public keys, or a JWKS URL whose document is fetched when the config is
// written and again when a token names a key it lacks) and the issuer;
// roles bind audiences, the subject and claims, and say which claim names
// the user and what the login token gets. Config and roles live in the
// store (the fetched JWKS document with them), so every node of a cluster
// checks tokens alike. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "server/auth_settings.h"
#include "server/jwt/claims.h"
#include "server/jwt/keys.h"
#include "store/barrier.h"

namespace tresor::server::jwt {

struct Config {
  std::vector<std::string> pubkeys;  // jwt_validation_pubkeys (PEM)
  std::string jwks_url;
  std::string jwks_ca_pem;  // "" for the system's CAs
  std::string bound_issuer;
  std::vector<std::string> supported_algs;  // empty: RS256, ES256 and EdDSA
  std::string default_role;
  std::string jwks;          // the document last fetched from jwks_url
  int64_t jwks_fetched = 0;  // when (unix seconds)
};

struct Role {
  std::string name;
  std::vector<std::string> bound_audiences;
  std::string user_claim;
  std::string bound_subject;
  nlohmann::json bound_claims = nlohmann::json::object();
  bool glob_claims = false;                                  // bound_claims_type "glob"
  nlohmann::json claim_mappings = nlohmann::json::object();  // claim -> metadata key
  Leeways leeways;  // written as 0: the default; as -1: none
  TokenSettings token;
};

// Whom a login authenticated, and as what.
struct Login {
  Role role;
  std::string user;  // the user claim's value
  std::map<std::string, std::string> metadata;
};

class JwtAuth {
 public:
  // Fetches a JWKS document (over https, trusting the CA certificates in
  // `ca_pem`, or the system's if it is ""): its body, or the reason it
  // could not be had.
  using FetchJwks =
      std::function<Result<std::string>(const std::string& url, const std::string& ca_pem)>;

  // Records are stored under `prefix` ("auth/jwt/"); `now` returns unix
  // seconds (tests pass their own clock).
  JwtAuth(store::Barrier* barrier, std::string prefix, std::function<int64_t()> now,
          FetchJwks fetch);

  // Sets the config from the API's fields (Vault's names), fetching the
  // JWKS if a URL is given; kInvalidArgument naming a bad or unsupported
  // field, or why the keys are unusable.
  Result<void> WriteConfig(const nlohmann::json& body);
  Result<std::optional<Config>> ReadConfig();

  Result<void> WriteRole(const std::string& name, const nlohmann::json& body);
  Result<std::optional<Role>> ReadRole(const std::string& name);
  Result<void> DeleteRole(const std::string& name);  // kNotFound if none
  Result<std::vector<std::string>> ListRoles();

  // Checks `token` for role `role_name` ("" for the config's default
  // role). kInvalidArgument for a missing role or a malformed token;
  // kRefused saying why a well-formed token is not accepted. Unless
  // `may_fetch`, a token that names a key the JWKS lacks sets
  // `*fetch_needed` and fails (kUnavailable), fetching nothing: the caller
  // then tries again where a fetch may block.
  Result<Login> LogIn(const std::string& role_name, const std::string& token, bool may_fetch = true,
                      bool* fetch_needed = nullptr);

  // A JWKS URL is fetched again for an unknown key at most this often (by
  // each node; the first time at once).
  static constexpr int64_t kRefetchSeconds = 30;

 private:
  Result<void> RefetchJwks(Config& config);
  // Fetches `config`'s JWKS document into it, checks it and stores the
  // config; Store only stores it.
  Result<void> FetchAndStore(Config& config);
  Result<void> Store(const Config& config);

  store::Barrier* barrier_;
  std::string prefix_;
  std::function<int64_t()> now_;
  FetchJwks fetch_;
  // The config's keys, parsed once for each set of PEMs or JWKS document.
  Result<std::shared_ptr<const std::vector<VerifyingKey>>> KeysOf(const Config& config);

  std::mutex keys_mutex_;
  std::string keys_source_;  // what keys_ were parsed from
  std::shared_ptr<const std::vector<VerifyingKey>> keys_;
  std::mutex fetch_mutex_;    // one fetch at a time
  int64_t last_refetch_ = 0;  // guarded by fetch_mutex_
};

// GETs `url` (http:// or https://, trusting `ca_pem`'s certificates or
// the system's): the body of a 200 answer of at most kMaxJwksBytes.
inline constexpr size_t kMaxJwksBytes = 1 << 20;
Result<std::string> FetchJwksOverHttp(const std::string& url, const std::string& ca_pem);

}  // namespace tresor::server::jwt
