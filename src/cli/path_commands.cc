// tresor read|write|list|delete PATH for any API path, tresor unwrap, and
// tresor auth and secrets (enable, disable, list): the Vault CLI's verbs,
// so that an operator needs no curl.
#include <cstdio>
#include <iostream>

#include "cli/client_commands.h"
#include "cli/pairs.h"
#include "client/session.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;

namespace {

std::string Address(const ClientOptions& o) { return ServerAddress(o.address); }

std::string Text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A response's data as KEY=VALUE lines (sorted), or one field, or JSON.
Result<void> PrintData(const Json& reply, const ClientOptions& o) {
  if (o.json) {
    std::printf("%s\n", reply.dump(2).c_str());
    return {};
  }
  const Json& data = reply.contains("wrap_info") && reply["wrap_info"].is_object()
                         ? reply["wrap_info"]
                     : reply.contains("data") && reply["data"].is_object() ? reply["data"]
                     : reply.contains("auth") && reply["auth"].is_object() ? reply["auth"]
                                                                           : reply;
  if (!o.field.empty()) {
    if (!data.contains(o.field)) {
      return MakeError(ErrorCode::kNotFound, "no field " + o.field + " in the answer");
    }
    std::printf("%s\n", Text(data[o.field]).c_str());
    return {};
  }
  for (const auto& [key, value] : data.items()) {
    std::printf("%s=%s\n", key.c_str(), Text(value).c_str());
  }
  return {};
}

// The request's headers: X-Vault-Wrap-TTL with --wrap-ttl.
std::vector<std::pair<std::string, std::string>> WrapHeader(const ClientOptions& o) {
  if (o.wrap_ttl.empty()) return {};
  return {{"X-Vault-Wrap-TTL", o.wrap_ttl}};
}

}  // namespace

Result<void> RunRead(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(Address(o), "GET", o.path, nullptr, client::ClientToken(),
                                     client::CaCertFile(), WrapHeader(o)));
  return PrintData(reply, o);
}

// The response a wrapping token holds, once: TOKEN given, or the client's
// own token.
Result<void> RunUnwrap(const ClientOptions& o) {
  std::string token = o.name;
  if (token == "-" && !std::getline(std::cin, token)) {
    return MakeError(ErrorCode::kInvalidArgument, "no wrapping token on stdin");
  }
  const Json body = token.empty() ? Json::object() : Json{{"token", token}};
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(Address(o), "POST", "sys/wrapping/unwrap", body,
                                     token.empty() ? client::ClientToken() : std::string()));
  std::fill(token.begin(), token.end(), '\0');
  return PrintData(reply, o);
}

Result<void> RunWrite(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(const Json body, ParsePairs(o.pairs));
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(Address(o), "POST", o.path, body, client::ClientToken(),
                                     client::CaCertFile(), WrapHeader(o)));
  if (reply.empty() && !o.json) {
    std::printf("%s: written\n", o.path.c_str());
    return {};
  }
  return PrintData(reply, o);
}

Result<void> RunList(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "LIST", o.path));
  if (o.json) {
    std::printf("%s\n", reply["data"]["keys"].dump(2).c_str());
    return {};
  }
  for (const Json& key : reply["data"]["keys"]) std::printf("%s\n", Text(key).c_str());
  return {};
}

Result<void> RunDelete(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "DELETE", o.path));
  (void)reply;
  std::printf("%s: deleted\n", o.path.c_str());
  return {};
}

// tresor auth enable|disable|list and tresor secrets enable|disable|list.
Result<void> RunAuthEnable(const ClientOptions& o) {
  const std::string path = o.mount_path.empty() ? o.name : o.mount_path;
  Json body{{"type", o.name}};
  if (o.description) body["description"] = *o.description;
  TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(Address(o), "POST", "sys/auth/" + path, body));
  (void)done;
  std::printf("auth method %s enabled at %s/\n", o.name.c_str(), path.c_str());
  return {};
}

Result<void> RunAuthDisable(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(Address(o), "DELETE", "sys/auth/" + o.name));
  (void)done;
  std::printf("auth method at %s/ disabled\n", o.name.c_str());
  return {};
}

Result<void> RunSecretsEnable(const ClientOptions& o) {
  std::string type = o.name;
  int version = o.kv_version;
  if (type == "kv-v2") {
    type = "kv";
    version = 2;
  }
  const std::string path = o.mount_path.empty() ? type : o.mount_path;
  Json body{{"type", type}};
  if (version != 0) body["options"] = Json{{"version", std::to_string(version)}};
  if (o.description) body["description"] = *o.description;
  TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(Address(o), "POST", "sys/mounts/" + path, body));
  (void)done;
  std::printf("secrets engine %s enabled at %s/\n", o.name.c_str(), path.c_str());
  return {};
}

// sys/mounts/PATH/tune: with --description, changes it; without, prints the
// settings.
namespace {

// The settings of the mount at PATH under `base` (sys/mounts/, sys/auth/),
// or a new description for it.
Result<void> RunTune(const ClientOptions& o, const std::string& base, const char* what) {
  const std::string tune = base + o.name + "/tune";
  if (!o.description) {
    TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "GET", tune));
    return PrintData(reply, o);
  }
  TRESOR_ASSIGN_OR_RETURN(Json done,
                          CallServer(Address(o), "POST", tune, {{"description", *o.description}}));
  (void)done;
  std::printf("%s at %s/ tuned\n", what, o.name.c_str());
  return {};
}

}  // namespace

Result<void> RunSecretsTune(const ClientOptions& o) {
  return RunTune(o, "sys/mounts/", "secrets engine");
}

Result<void> RunAuthTune(const ClientOptions& o) { return RunTune(o, "sys/auth/", "auth method"); }

Result<void> RunSecretsDisable(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(Address(o), "DELETE", "sys/mounts/" + o.name));
  (void)done;
  std::printf("secrets engine at %s/ disabled\n", o.name.c_str());
  return {};
}

namespace {

// sys/remount; `under` "auth/" for auth methods (given with it or without).
Result<void> RunMove(const ClientOptions& o, const std::string& under, const char* what) {
  auto full = [&](std::string path) {
    while (path.ends_with('/')) path.pop_back();
    return path.starts_with(under) ? path : under + path;
  };
  const std::string from = full(o.name), to = full(o.path);
  TRESOR_ASSIGN_OR_RETURN(
      Json done, CallServer(Address(o), "POST", "sys/remount", {{"from", from}, {"to", to}}));
  (void)done;
  std::printf("%s at %s/ moved to %s/\n", what, from.c_str(), to.c_str());
  return {};
}

}  // namespace

Result<void> RunSecretsMove(const ClientOptions& o) { return RunMove(o, "", "secrets engine"); }

Result<void> RunAuthMove(const ClientOptions& o) { return RunMove(o, "auth/", "auth method"); }

// PATH  TYPE  DESCRIPTION lines of sys/auth or sys/mounts.
Result<void> RunMountList(const ClientOptions& o, const char* what) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "GET", what));
  const Json& data = reply.contains("data") ? reply["data"] : reply;
  if (o.json) {
    std::printf("%s\n", data.dump(2).c_str());
    return {};
  }
  for (const auto& [path, mount] : data.items()) {
    std::string type = mount.value("type", "");
    if (mount.contains("options") && mount["options"].is_object() &&
        mount["options"].value("version", "") == "2") {
      type += " (version 2)";
    }
    std::printf("%-16s %-16s %s\n", path.c_str(), type.c_str(),
                mount.value("description", "").c_str());
  }
  return {};
}

Result<void> RunAuthList(const ClientOptions& o) { return RunMountList(o, "sys/auth"); }
Result<void> RunSecretsList(const ClientOptions& o) { return RunMountList(o, "sys/mounts"); }

}  // namespace tresor::cli
