// $store{PATH#FIELD}: a field of a secret read from a tresor (or Vault)
// server (docs/references.md). PATH is the API path as Vault Agent's
// templates take it (KV v2: secret/data/app; KV v1: kv/app; a version:
// secret/data/app?version=3); FIELD is a key of the secret's data (of
// data.data for KV v2). Each PATH is read once per StoreReader, and only
// when a reference names it: a file without $store never reaches a server.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "crypto/result.h"

namespace tresor::runtime {

// Where the server is and who asks; "" takes what the CLI takes.
struct ServerOptions {
  // "https://a:8200,https://b:8200" (nodes of one cluster: the first that
  // answers); "": $TRESOR_ADDR, $VAULT_ADDR, http://127.0.0.1:8200.
  std::string address;
  // "": an AppRole login with the files below (or $TRESOR_ROLE_ID_FILE and
  // $TRESOR_SECRET_ID_FILE or $TRESOR_SECRET_ID_FILE_ONCE), else
  // $TRESOR_TOKEN, $VAULT_TOKEN, the file $TRESOR_TOKEN_FILE names,
  // ~/.tresor-token (what `tresor login` wrote), or the agent's token for
  // the address (what `tresor login --agent` gave it).
  std::string token;
  std::string role_id_file;
  std::string secret_id_file;
  bool remove_secret_id_file = false;  // read once, then deleted
  // CA certificates (PEM) for https://; "": $TRESOR_CACERT, $VAULT_CACERT,
  // else the system's.
  std::string ca_file;
};

// The server's address and CA file `options` name (or the defaults), and
// a token for it: `options.token`, else an AppRole login with its files or
// the environment's, else the CLI's token.
struct ServerSession {
  std::string address;
  std::string ca_file;
  std::string token;
};
Result<ServerSession> OpenServerSession(const ServerOptions& options);

class StoreReader {
 public:
  explicit StoreReader(ServerOptions options) : options_(std::move(options)) {}

  // The field `name` ("PATH#FIELD") names; errors start with `reference`
  // (the reference as written) and never hold a value: kInvalidArgument for
  // a malformed name, kNotFound for a secret or field that is not there,
  // kRefused (403), kUnavailable or kIo when the server cannot answer.
  Result<std::string> Read(std::string_view reference, std::string_view name);

 private:
  using Fields = std::map<std::string, std::string, std::less<>>;
  Result<const Fields*> Secret(std::string_view reference, const std::string& path);

  ServerOptions options_;
  std::map<std::string, Fields, std::less<>> secrets_;  // by PATH
};

}  // namespace tresor::runtime
