// A client of a tresor (or Vault) server, shared by the CLI and the
// libraries ($store references): where the server is, which token to send,
// and one API call with its errors mapped to error codes (400: invalid
// argument, 403: refused, 404: not found, others: i/o).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "crypto/result.h"

namespace tresor::client {

using Json = nlohmann::json;

// --address, else $TRESOR_ADDR, else $VAULT_ADDR, else http://127.0.0.1:8200.
// Several nodes of one cluster may be given, separated by commas: calls go
// to the first that answers.
std::string ServerAddress(const std::string& flag);

// For https:// addresses: the file SetCaCertFile gave (--ca-cert), else
// $TRESOR_CACERT, else $VAULT_CACERT (a PEM file of CA certificates to
// trust), else "" (the system's).
std::string CaCertFile();
void SetCaCertFile(std::string path);

// $TRESOR_TOKEN, else $VAULT_TOKEN, else the first line of the file
// $TRESOR_TOKEN_FILE names, else that of the file `tresor login` wrote
// (~/.tresor-token); "" if none.
std::string ClientToken();
std::string TokenFilePath();

// AppRole credentials in files, as a service manager hands them over.
struct AppRoleFiles {
  std::string role_id_file;            // "": no AppRole
  std::string secret_id_file;          // "": the role needs no secret ID
  bool remove_secret_id_file = false;  // deleted once read, like --passphrase-file-once
  std::string mount = "approle";       // where AppRole is enabled (auth/MOUNT/login)
};
// $TRESOR_ROLE_ID_FILE with $TRESOR_SECRET_ID_FILE, or with
// $TRESOR_SECRET_ID_FILE_ONCE (deleted once read).
AppRoleFiles AppRoleFilesFromEnvironment();

// A token from auth/MOUNT/login with the files' role ID and secret ID
// (first lines). The first login's token is kept for the process: later
// calls with the same files reuse it (a secret ID file read once, or a
// secret ID with one use, serves a whole render --watch). A secret ID file
// that group or others may read is refused (kRefused), as is an empty one.
Result<std::string> AppRoleToken(const std::string& address, const AppRoleFiles& files,
                                 const std::string& ca_file = CaCertFile());

// Calls `method path` (path under /v1/, no leading slash) with `body` (null:
// none), trusting `ca_file` for https://, with `headers` added. Returns the response's JSON ({} for
// 204). With several addresses, a node that cannot be reached is passed over for the next. The
// highest X-Vault-Index seen is sent back with every later call of the process (from any thread),
// so that it reads its own writes on whichever node answers.
Result<Json> CallServer(const std::string& address, const std::string& method,
                        const std::string& path, const Json& body = nullptr,
                        const std::string& token = ClientToken(),
                        const std::string& ca_file = CaCertFile(),
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

// CallServer with a body that is not JSON (a snapshot stream).
Result<Json> CallServerWithBytes(
    const std::string& address, const std::string& method, const std::string& path,
    const std::string& payload, const std::string& token = ClientToken(),
    const std::string& ca_file = CaCertFile(),
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace tresor::client
