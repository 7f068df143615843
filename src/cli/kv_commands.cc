// tresor kv: KV version 2 through the server's API.
#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/client_commands.h"
#include "cli/files.h"
#include "client/session.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;

namespace {

std::string Address(const ClientOptions& o) { return ServerAddress(o.address); }
std::string Path(const ClientOptions& o, const char* kind) {
  return o.mount + "/" + kind + "/" + o.path;
}

Result<void> PrintJson(const Json& j) {
  std::printf("%s\n", j.dump(2).c_str());
  return {};
}

// KEY=VALUE; VALUE "-" reads stdin, "@FILE" a file (so values stay off the
// command line, where other processes can see them).
Result<Json> PairsToData(const std::vector<std::string>& pairs) {
  Json data = Json::object();
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "expected KEY=VALUE, got \"" + pair.substr(0, pair.find('=')) + "\"");
    }
    const std::string key = pair.substr(0, eq);
    std::string value = pair.substr(eq + 1);
    if (value == "-") {
      value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      if (value.ends_with('\n')) value.pop_back();
    } else if (value.starts_with('@')) {
      TRESOR_ASSIGN_OR_RETURN(value, ReadTextFile(value.substr(1), 16 << 20));
    }
    data[key] = value;
  }
  return data;
}

Json VersionsBody(const ClientOptions& o) { return Json{{"versions", o.versions}}; }

Result<void> RequireVersions(const ClientOptions& o) {
  if (o.versions.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "give the versions: --versions 1,2");
  }
  return {};
}

}  // namespace

Result<void> RunKvPut(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json data, PairsToData(o.pairs));
  Json body{{"data", data}};
  if (o.cas >= 0) body["options"] = Json{{"cas", o.cas}};
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "POST", Path(o, "data"), body));
  if (o.json) return PrintJson(reply["data"]);
  std::printf("%s: version %lld\n", (o.mount + "/" + o.path).c_str(),
              static_cast<long long>(reply["data"]["version"].get<int64_t>()));
  return {};
}

Result<void> RunKvGet(const ClientOptions& o) {
  std::string path = Path(o, "data");
  if (o.version > 0) path += "?version=" + std::to_string(o.version);
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "GET", path));
  const Json& data = reply["data"]["data"];
  if (!o.field.empty()) {
    if (!data.contains(o.field)) {
      return MakeError(ErrorCode::kNotFound, o.mount + "/" + o.path + ": no field " + o.field);
    }
    const Json& v = data[o.field];
    std::printf("%s\n", v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
    return {};
  }
  if (o.json) return PrintJson(reply["data"]);
  for (const auto& [k, v] : data.items()) {
    std::printf("%s=%s\n", k.c_str(),
                v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
  }
  return {};
}

Result<void> RunKvList(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "LIST", Path(o, "metadata")));
  if (o.json) return PrintJson(reply["data"]["keys"]);
  for (const Json& k : reply["data"]["keys"]) std::printf("%s\n", k.get<std::string>().c_str());
  return {};
}

Result<void> RunKvDelete(const ClientOptions& o) {
  auto deleted = o.versions.empty()
                     ? CallServer(Address(o), "DELETE", Path(o, "data"))
                     : CallServer(Address(o), "POST", Path(o, "delete"), VersionsBody(o));
  if (!deleted) return std::move(deleted).error();
  return {};
}

Result<void> RunKvUndelete(const ClientOptions& o) {
  TRESOR_RETURN_IF_ERROR(RequireVersions(o));
  auto done = CallServer(Address(o), "POST", Path(o, "undelete"), VersionsBody(o));
  if (!done) return std::move(done).error();
  return {};
}

Result<void> RunKvDestroy(const ClientOptions& o) {
  TRESOR_RETURN_IF_ERROR(RequireVersions(o));
  auto done = CallServer(Address(o), "POST", Path(o, "destroy"), VersionsBody(o));
  if (!done) return std::move(done).error();
  return {};
}

Result<void> RunKvMetadata(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "GET", Path(o, "metadata")));
  return PrintJson(reply["data"]);
}

Result<void> RunKvHistory(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "GET", Path(o, "metadata")));
  const Json& versions = reply["data"]["versions"];
  if (o.json) return PrintJson(versions);
  for (const auto& [n, v] : versions.items()) {
    const std::string state = v["destroyed"].get<bool>()                       ? "destroyed"
                              : !v["deletion_time"].get<std::string>().empty() ? "deleted"
                                                                               : "available";
    std::printf("%s  %s  %s\n", n.c_str(), v["created_time"].get<std::string>().c_str(),
                state.c_str());
  }
  return {};
}

Result<void> RunKvRollback(const ClientOptions& o) {
  if (o.version <= 0) return MakeError(ErrorCode::kInvalidArgument, "give --version N");
  TRESOR_ASSIGN_OR_RETURN(
      Json old,
      CallServer(Address(o), "GET", Path(o, "data") + "?version=" + std::to_string(o.version)));
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "POST", Path(o, "data"),
                                                 Json{{"data", old["data"]["data"]}}));
  std::printf("%s: version %lld (a copy of version %lld)\n", (o.mount + "/" + o.path).c_str(),
              static_cast<long long>(reply["data"]["version"].get<int64_t>()),
              static_cast<long long>(o.version));
  return {};
}

}  // namespace tresor::cli
