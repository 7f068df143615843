#include "runtime/store_reader.h"

#include <nlohmann/json.hpp>

#include "client/session.h"
#include "keys/agent_client.h"

namespace tresor::runtime {
namespace {

using Json = nlohmann::json;

Error Prefixed(std::string_view reference, ErrorCode code, std::string_view what) {
  std::string message(reference);
  return MakeError(code, message.append(": ").append(what));
}

bool Unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/';
}

// The request target for PATH: the path percent-encoded, a query kept.
Result<std::string> Target(std::string_view reference, std::string_view path) {
  std::string out;
  const size_t query = path.find('?');
  for (size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c <= ' ' || c == 0x7f) {
      return Prefixed(reference, ErrorCode::kInvalidArgument,
                      "a path holds no spaces or control characters");
    }
    if (i >= query || Unreserved(static_cast<char>(c))) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    constexpr char kHex[] = "0123456789ABCDEF";
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// A field's value as a program reads it: strings as they are, anything else
// as JSON (numbers, true/false, null, objects).
std::string FieldText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

Result<ServerSession> OpenServerSession(const ServerOptions& options) {
  ServerSession session;
  session.address = client::ServerAddress(options.address);
  session.ca_file = options.ca_file.empty() ? client::CaCertFile() : options.ca_file;
  session.token = options.token;
  if (!session.token.empty()) return session;
  client::AppRoleFiles files{options.role_id_file, options.secret_id_file,
                             options.remove_secret_id_file};
  if (files.role_id_file.empty()) files = client::AppRoleFilesFromEnvironment();
  if (files.role_id_file.empty()) {
    session.token = client::ClientToken();
    // No token in the environment or a file: the one `tresor login --agent` gave the agent.
    if (session.token.empty()) session.token = keys::AgentToken(session.address);
  } else {
    TRESOR_ASSIGN_OR_RETURN(session.token,
                            client::AppRoleToken(session.address, files, session.ca_file));
  }
  return session;
}

Result<const StoreReader::Fields*> StoreReader::Secret(std::string_view reference,
                                                       const std::string& path) {
  if (auto it = secrets_.find(path); it != secrets_.end()) return &it->second;
  TRESOR_ASSIGN_OR_RETURN(const std::string target, Target(reference, path));
  auto session = OpenServerSession(options_);
  if (!session) return Prefixed(reference, session.error().code, session.error().message);
  auto answer = client::CallServer(session->address, "GET", target, nullptr, session->token,
                                   session->ca_file);
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      return Prefixed(reference, ErrorCode::kNotFound, "no secret at " + path);
    }
    return Prefixed(reference, answer.error().code, answer.error().message);
  }
  const Json* data = answer->contains("data") ? &(*answer)["data"] : nullptr;
  // KV v2 answers {data: {data: {...}, metadata: {...}}}; a deleted
  // version has data: null.
  if (data != nullptr && data->is_object() && data->contains("metadata") &&
      (*data)["metadata"].is_object() && data->contains("data")) {
    data = &(*data)["data"];
  }
  if (data == nullptr || !data->is_object()) {
    return Prefixed(reference, ErrorCode::kNotFound, "no secret data at " + path);
  }
  Fields fields;
  for (const auto& [key, value] : data->items()) fields.emplace(key, FieldText(value));
  return &secrets_.emplace(path, std::move(fields)).first->second;
}

Result<std::string> StoreReader::Read(std::string_view reference, std::string_view name) {
  const size_t hash = name.rfind('#');
  if (hash == std::string_view::npos || hash == 0 || hash + 1 == name.size()) {
    return Prefixed(reference, ErrorCode::kInvalidArgument,
                    "expected PATH#FIELD (e.g. $store{secret/data/app#password})");
  }
  const std::string path(name.substr(0, hash));
  const std::string_view field = name.substr(hash + 1);
  TRESOR_ASSIGN_OR_RETURN(const Fields* fields, Secret(reference, path));
  const auto it = fields->find(field);
  if (it != fields->end()) return it->second;
  std::string known;
  for (const auto& [key, value] : *fields) known.append(known.empty() ? "" : ", ").append(key);
  return Prefixed(reference, ErrorCode::kNotFound,
                  path + " has no field " + std::string(field) +
                      (known.empty() ? " (it has none)" : " (it has: " + known + ")"));
}

}  // namespace tresor::runtime
