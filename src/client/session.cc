#include "client/session.h"

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

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
  std::vector<std::pair<std::string, std::string>> headers = extra;
  if (!token.empty()) headers.emplace_back("X-Vault-Token", token);
  if (const uint64_t seen = SeenIndex().load(); seen > 0) {
    headers.emplace_back("X-Vault-Index", std::to_string(seen));
  }
  const std::string payload = body.is_null() ? "" : body.dump();
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
  Json parsed = Json::parse(response.body, nullptr, false);
  if (response.status >= 200 && response.status < 300) {
    if (parsed.is_discarded()) return MakeError(ErrorCode::kIo, address + ": not a JSON answer");
    return parsed;
  }
  std::string message;
  if (!parsed.is_discarded() && parsed.contains("errors") && parsed["errors"].is_array()) {
    for (const Json& e : parsed["errors"]) {
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
