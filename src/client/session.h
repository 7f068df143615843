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

}  // namespace tresor::client
