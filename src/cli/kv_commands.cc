// tresor kv: KV version 2 through the server's API.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "age/base64.h"
#include "age/encrypt.h"
#include "age/x25519.h"
#include "cli/client_commands.h"
#include "cli/files.h"
#include "cli/pairs.h"
#include "client/session.h"
#include "crypto/kdf.h"
#include "formats/bounded_json.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;

namespace {

std::string Address(const ClientOptions& o) { return ServerAddress(o.address); }

// The mount and the secret's path under it.
struct Target {
  std::string mount;
  std::string path;
};

// As vault kv does: --mount if given; else the KV mount that PATH starts
// with, among those the token may use (sys/internal/ui/mounts); else
// secret/. Asked once (one command per process).
const Target& TargetOf(const ClientOptions& o) {
  static const Target target = [&o] {
    // "/app" and "app" name one secret, and "/" is the mount's root (kv list /).
    std::string path = o.path;
    while (path.starts_with('/')) path.erase(0, 1);
    if (o.mount_given || path.find('/') == std::string::npos) return Target{o.mount, path};
    auto mounts = CallServer(Address(o), "GET", "sys/internal/ui/mounts");
    std::string best;
    if (mounts && (*mounts)["data"].contains("secret")) {
      for (const auto& [mount, about] : (*mounts)["data"]["secret"].items()) {
        if (path.starts_with(mount) && mount.size() > best.size() && about.is_object() &&
            about.value("type", "") == "kv") {
          best = mount;
        }
      }
    }
    if (best.empty()) return Target{o.mount, path};
    return Target{best.substr(0, best.size() - 1), path.substr(best.size())};
  }();
  return target;
}

// "secret/app", for messages.
std::string Where(const ClientOptions& o) { return TargetOf(o).mount + "/" + TargetOf(o).path; }

std::string Path(const ClientOptions& o, const char* kind) {
  return TargetOf(o).mount + "/" + kind + "/" + TargetOf(o).path;
}

Result<void> PrintJson(const Json& j) {
  std::printf("%s\n", j.dump(2).c_str());
  return {};
}

Json VersionsBody(const ClientOptions& o) { return Json{{"versions", o.versions}}; }

Result<void> RequireVersions(const ClientOptions& o) {
  if (o.versions.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "give the versions: --versions 1,2");
  }
  return {};
}

}  // namespace

// The data of kv put and kv patch: KEY=VALUE pairs, or one @FILE.json
// holding the data as a JSON object.
Result<Json> KvData(const std::vector<std::string>& pairs) {
  if (pairs.size() == 1 && pairs[0].starts_with('@') && pairs[0].find('=') == std::string::npos) {
    const std::string file = pairs[0].substr(1);
    TRESOR_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(file, 16 << 20));
    auto data = formats::ParseBoundedJson(text);  // bounded depth: no recursion on input
    if (!data || !data->is_object()) {
      return MakeError(ErrorCode::kInvalidArgument, file + ": not a JSON object");
    }
    return std::move(*data);
  }
  return ParsePairs(pairs);
}

Result<void> RunKvPut(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json data, KvData(o.pairs));
  std::vector<std::pair<std::string, std::string>> headers;
  if (o.encrypted) {
    // Binary age files (from @FILE) go as base64; armored ones as they are.
    for (auto& [key, value] : data.items()) {
      if (!value.is_string()) continue;  // the server names it
      const std::string& text = value.get_ref<const std::string&>();
      if (text.starts_with("age-encryption.org/v1\n"))
        value = age::EncodeBase64Padded(crypto::AsBytes(text));
    }
    headers.emplace_back("X-Tresor-Encrypted", "true");
  }
  Json body{{"data", data}};
  if (o.cas >= 0) body["options"] = Json{{"cas", o.cas}};
  TRESOR_ASSIGN_OR_RETURN(
      Json reply, CallServer(Address(o), "POST", Path(o, "data"), body, client::ClientToken(),
                             client::CaCertFile(), headers));
  if (o.json) return PrintJson(reply["data"]);
  std::printf("%s: version %lld\n", Where(o).c_str(),
              static_cast<long long>(reply["data"]["version"].get<int64_t>()));
  return {};
}

// One value from stdin encrypted to the server's recipient (or -r), printed
// as the base64 of the age file on one line: safe to commit, opened only by
// the server when it is written with kv put --encrypted.
Result<void> RunKvEncryptValue(const ClientOptions& o) {
  std::string recipient_text = o.recipient;
  if (recipient_text.empty()) {
    TRESOR_ASSIGN_OR_RETURN(Json reply,
                            CallServer(Address(o), "GET", "sys/tresor/recipient", nullptr, ""));
    recipient_text = reply["data"].value("recipient", "");
  }
  TRESOR_ASSIGN_OR_RETURN(const age::X25519Recipient recipient,
                          age::X25519Recipient::Parse(recipient_text));
  std::string value((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (value.ends_with('\n')) value.pop_back();
  age::SpanSource in(value);
  age::VectorSink out;
  const age::Recipient* recipients[] = {&recipient};
  TRESOR_RETURN_IF_ERROR(age::Encrypt(recipients, in, out));
  std::fill(value.begin(), value.end(), '\0');
  std::printf("%s\n", age::EncodeBase64Padded(out.data()).c_str());
  return {};
}

// A new version with the latest one's data changed by KEY=VALUE pairs (a
// JSON merge patch: KEY:=null removes KEY); --cas as for put.
Result<void> RunKvPatch(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json data, KvData(o.pairs));
  Json body{{"data", data}};
  if (o.cas >= 0) body["options"] = Json{{"cas", o.cas}};
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "PATCH", Path(o, "data"), body));
  if (o.json) return PrintJson(reply["data"]);
  std::printf("%s: version %lld\n", Where(o).c_str(),
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
      return MakeError(ErrorCode::kNotFound, Where(o) + ": no field " + o.field);
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
  std::printf("%s: version %lld (a copy of version %lld)\n", Where(o).c_str(),
              static_cast<long long>(reply["data"]["version"].get<int64_t>()),
              static_cast<long long>(o.version));
  return {};
}

}  // namespace tresor::cli
