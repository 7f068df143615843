#include "client/session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "formats/bounded_json.h"
#include "http/client.h"

namespace tresor::client {

std::string ServerAddress(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* name : {"TRESOR_ADDR", "VAULT_ADDR"}) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  }
  return "http://127.0.0.1:8200";
}

namespace {
std::string& CaCertFlag() {
  static std::string flag;
  return flag;
}
}  // namespace

void SetCaCertFile(std::string path) { CaCertFlag() = std::move(path); }

std::string CaCertFile() {
  if (!CaCertFlag().empty()) return CaCertFlag();
  for (const char* name : {"TRESOR_CACERT", "VAULT_CACERT"}) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  }
  return "";
}

std::string TokenFilePath() {
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.tresor-token";
}

std::string ClientToken() {
  for (const char* name : {"TRESOR_TOKEN", "VAULT_TOKEN"}) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  }
  const char* file = std::getenv("TRESOR_TOKEN_FILE");
  std::ifstream in(file != nullptr && *file != '\0' ? std::string(file) : TokenFilePath());
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

AppRoleFiles AppRoleFilesFromEnvironment() {
  AppRoleFiles files;
  auto get = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v != nullptr ? v : "");
  };
  files.role_id_file = get("TRESOR_ROLE_ID_FILE");
  files.secret_id_file = get("TRESOR_SECRET_ID_FILE");
  if (files.secret_id_file.empty()) {
    files.secret_id_file = get("TRESOR_SECRET_ID_FILE_ONCE");
    files.remove_secret_id_file = !files.secret_id_file.empty();
  }
  return files;
}

namespace {

// The first line of a credentials file, trimmed; a secret one must be 0600.
Result<std::string> CredentialLine(const std::string& path, bool secret) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  if (secret && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return MakeError(ErrorCode::kRefused, path +
                                              ": secret ID file is accessible by group or "
                                              "others (mode " +
                                              std::string(mode) + "); chmod 600 it");
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.empty()) return MakeError(ErrorCode::kRefused, path + ": empty");
  return line;
}

}  // namespace

Result<std::string> AppRoleToken(const std::string& address, const AppRoleFiles& files,
                                 const std::string& ca_file) {
  static std::mutex mutex;
  static std::map<std::string, std::string> tokens;  // by files and address
  const std::string key =
      files.role_id_file + '\n' + files.secret_id_file + '\n' + files.mount + '\n' + address;
  const std::lock_guard lock(mutex);
  if (auto it = tokens.find(key); it != tokens.end()) return it->second;
  TRESOR_ASSIGN_OR_RETURN(const std::string role_id, CredentialLine(files.role_id_file, false));
  std::string secret_id;
  if (!files.secret_id_file.empty()) {
    auto read = CredentialLine(files.secret_id_file, true);
    if (files.remove_secret_id_file && ::unlink(files.secret_id_file.c_str()) != 0 &&
        errno != ENOENT) {
      return MakeError(
          ErrorCode::kIo,
          files.secret_id_file + ": cannot delete the secret ID file: " + std::strerror(errno));
    }
    TRESOR_ASSIGN_OR_RETURN(secret_id, std::move(read));
  }
  const Json body{{"role_id", role_id}, {"secret_id", secret_id}};
  std::fill(secret_id.begin(), secret_id.end(), '\0');
  TRESOR_ASSIGN_OR_RETURN(
      Json reply, CallServer(address, "POST", "auth/" + files.mount + "/login", body, "", ca_file));
  const Json& auth = reply["auth"];
  if (!auth.is_object() || !auth.contains("client_token") || !auth["client_token"].is_string()) {
    return MakeError(ErrorCode::kIo, address + ": the AppRole login gave no token");
  }
  return tokens[key] = auth["client_token"].get<std::string>();
}

namespace {
// The highest X-Vault-Index this process was given.
std::atomic<uint64_t>& SeenIndex() {
  static std::atomic<uint64_t> index = 0;
  return index;
}
}  // namespace

Result<Json> CallServer(const std::string& address, const std::string& method,
                        const std::string& path, const Json& body, const std::string& token,
                        const std::string& ca_file,
                        const std::vector<std::pair<std::string, std::string>>& extra) {
  return CallServerWithBytes(address, method, path, body.is_null() ? "" : body.dump(), token,
                             ca_file, extra);
}

Result<Json> CallServerWithBytes(const std::string& address, const std::string& method,
                                 const std::string& path, const std::string& payload,
                                 const std::string& token, const std::string& ca_file,
                                 const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> headers = extra;
  if (!token.empty()) headers.emplace_back("X-Vault-Token", token);
  if (const uint64_t seen = SeenIndex().load(); seen > 0) {
    headers.emplace_back("X-Vault-Index", std::to_string(seen));
  }
  std::optional<Result<http::ClientResponse>> fetched;
  std::stringstream nodes(address);
  for (std::string node; std::getline(nodes, node, ',');) {
    fetched = http::Fetch(node, method, "/v1/" + path, headers, payload,
                          http::FetchOptions{.ca_file = ca_file});
    // Passed over: a node that was not reached, or that is sealed or cut off
    // from its store (503: it did nothing). Anything else is the answer.
    if (fetched->has_value() ? (*fetched)->status != 503
                             : fetched->error().code != ErrorCode::kUnavailable) {
      break;
    }
  }
  if (!fetched) return MakeError(ErrorCode::kInvalidArgument, "no server address given");
  TRESOR_ASSIGN_OR_RETURN(http::ClientResponse response, std::move(*fetched));
  uint64_t index = 0;
  if (std::from_chars(response.index.data(), response.index.data() + response.index.size(), index)
          .ec == std::errc()) {
    uint64_t seen = SeenIndex().load();
    while (seen < index && !SeenIndex().compare_exchange_weak(seen, index)) {
    }
  }
  if (response.status == 204) return Json::object();
  // Any size the transport took in, but nesting bounded: what a hostile or
  // broken server sends costs no recursion in the program using this.
  static constexpr formats::JsonLimits kAnswerLimits{.max_depth = 512,
                                                     .max_string_bytes = SIZE_MAX,
                                                     .max_object_entries = SIZE_MAX,
                                                     .max_array_elements = SIZE_MAX,
                                                     .max_values = SIZE_MAX};
  Result<Json> parsed = formats::ParseBoundedJson(response.body, kAnswerLimits);
  if (response.status >= 200 && response.status < 300) {
    if (!parsed) {
      return MakeError(ErrorCode::kIo,
                       address + ": not a JSON answer (" + parsed.error().message + ")");
    }
    return std::move(parsed).value();
  }
  std::string message;
  if (parsed && parsed->contains("errors") && (*parsed)["errors"].is_array()) {
    for (const Json& e : (*parsed)["errors"]) {
      if (!e.is_string()) continue;
      if (!message.empty()) message.append("; ");
      message.append(e.get<std::string>());
    }
  }
  if (message.empty()) message = response.status == 404 ? "not found" : "request failed";
  const ErrorCode code = response.status == 400   ? ErrorCode::kInvalidArgument
                         : response.status == 403 ? ErrorCode::kRefused
                         : response.status == 404 ? ErrorCode::kNotFound
                                                  : ErrorCode::kIo;
  return MakeError(code, path + ": " + std::to_string(response.status) + ": " + message);
}

}  // namespace tresor::client
