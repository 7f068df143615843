// tresor workload: what a workload (a service, a job) needs on the server,
// made and removed in one step: its secrets under MOUNT/workloads/NAME
// (written from ciphertexts only the server opens), a policy that reads
// exactly them, and an AppRole role it logs in with (docs/workloads.md).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "age/base64.h"
#include "cli/client_commands.h"
#include "cli/confirm.h"
#include "cli/files.h"
#include "cli/output.h"
#include "client/session.h"
#include "crypto/kdf.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;

namespace {

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name != "." && name != "..";
}

struct Names {
  std::string secrets;   // secret/data/workloads/NAME
  std::string metadata;  // secret/metadata/workloads/NAME
  std::string policy;    // workload-NAME
  std::string role;      // auth/approle/role/workload-NAME
};

Result<Names> NamesOf(const ClientOptions& o) {
  if (!ValidName(o.name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "workload name \"" + o.name.substr(0, 64) +
                         "\": letters, digits, '-', '_' and '.' only, at most 100");
  }
  return Names{o.mount + "/data/workloads/" + o.name, o.mount + "/metadata/workloads/" + o.name,
               "workload-" + o.name, "auth/approle/role/workload-" + o.name};
}

// KEY=@FILE or KEY=CIPHERTEXT: the ciphertext as the server takes it
// (binary age files as base64).
Result<Json> Ciphertexts(const std::vector<std::string>& pairs) {
  Json data = Json::object();
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return MakeError(ErrorCode::kInvalidArgument, "--secret \"" + pair.substr(0, eq) +
                                                        "\": expected KEY=@FILE or "
                                                        "KEY=CIPHERTEXT");
    }
    std::string value = pair.substr(eq + 1);
    if (value.starts_with('@')) {
      TRESOR_ASSIGN_OR_RETURN(value, ReadTextFile(value.substr(1), 16 << 20));
    }
    if (value.starts_with("age-encryption.org/v1\n")) {
      value = age::EncodeBase64Padded(crypto::AsBytes(value));
    }
    data[pair.substr(0, eq)] = value;
  }
  return data;
}

Result<void> WritePrivate(const std::string& path, const std::string& line) {
  TRESOR_ASSIGN_OR_RETURN(auto out, AtomicOutput::Create(path, OutputPolicy{.plaintext = true}));
  TRESOR_RETURN_IF_ERROR(out->Write(crypto::AsBytes(line + "\n")));
  return out->Commit();
}

Result<void> EnableAppRole(const std::string& address) {
  TRESOR_ASSIGN_OR_RETURN(Json methods, CallServer(address, "GET", "sys/auth"));
  if (methods.contains("data") && methods["data"].contains("approle/")) return {};
  TRESOR_ASSIGN_OR_RETURN(Json done,
                          CallServer(address, "POST", "sys/auth/approle", {{"type", "approle"}}));
  (void)done;
  return {};
}

}  // namespace

Result<void> RunWorkloadRegister(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(const Names names, NamesOf(o));
  if (o.workload_secrets.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "give the workload's secrets: --secret KEY=@value.age (encrypted with "
                     "tresor kv encrypt-value or to tresor operator recipient)");
  }
  TRESOR_ASSIGN_OR_RETURN(const Json data, Ciphertexts(o.workload_secrets));
  const std::string address = ServerAddress(o.address);
  const std::vector<std::pair<std::string, std::string>> encrypted{{"X-Tresor-Encrypted", "true"}};
  TRESOR_ASSIGN_OR_RETURN(Json written,
                          CallServer(address, "POST", names.secrets, Json{{"data", data}},
                                     client::ClientToken(), client::CaCertFile(), encrypted));
  const std::string rule = "path \"" + names.secrets + "\" {\n  capabilities = [\"read\"]\n}\n";
  TRESOR_ASSIGN_OR_RETURN(
      Json policy,
      CallServer(address, "PUT", "sys/policies/acl/" + names.policy, Json{{"policy", rule}}));
  TRESOR_RETURN_IF_ERROR(EnableAppRole(address));
  Json role{{"token_policies", Json::array({names.policy})}};
  if (!o.ttl.empty()) role["token_ttl"] = o.ttl;
  TRESOR_ASSIGN_OR_RETURN(Json made, CallServer(address, "POST", names.role, role));
  TRESOR_ASSIGN_OR_RETURN(Json role_id, CallServer(address, "GET", names.role + "/role-id"));
  TRESOR_ASSIGN_OR_RETURN(Json secret_id,
                          CallServer(address, "POST", names.role + "/secret-id", Json::object()));
  const std::string id = role_id["data"].value("role_id", "");
  const std::string secret = secret_id["data"].value("secret_id", "");
  if (!o.role_id_file.empty()) TRESOR_RETURN_IF_ERROR(WritePrivate(o.role_id_file, id));
  if (!o.secret_id_file.empty()) TRESOR_RETURN_IF_ERROR(WritePrivate(o.secret_id_file, secret));
  const int64_t version = written["data"].value("version", int64_t{0});
  if (o.json) {
    Json out{{"name", o.name},         {"secrets", names.secrets}, {"version", version},
             {"policy", names.policy}, {"role", names.role},       {"role_id", id}};
    if (o.secret_id_file.empty()) out["secret_id"] = secret;
    std::printf("%s\n", out.dump(2).c_str());
    return {};
  }
  std::printf("workload %s: %zu secret%s at %s (version %lld), policy %s, role %s\n",
              o.name.c_str(), data.size(), data.size() == 1 ? "" : "s", names.secrets.c_str(),
              static_cast<long long>(version), names.policy.c_str(), names.role.c_str());
  std::printf(o.role_id_file.empty() ? "role_id: %s\n" : "role_id: written to %s\n",
              o.role_id_file.empty() ? id.c_str() : o.role_id_file.c_str());
  if (o.secret_id_file.empty()) {
    std::printf("secret_id: %s\n", secret.c_str());
  } else {
    std::printf("secret_id: written to %s\n", o.secret_id_file.c_str());
  }
  return {};
}

Result<void> RunWorkloadList(const ClientOptions& o) {
  auto listed = CallServer(ServerAddress(o.address), "LIST", o.mount + "/metadata/workloads");
  std::vector<std::string> names;
  if (listed) {
    for (const Json& key : (*listed)["data"]["keys"]) {
      std::string name = key.get<std::string>();
      if (!name.ends_with('/')) names.push_back(std::move(name));
    }
  } else if (listed.error().code != ErrorCode::kNotFound) {
    return std::move(listed).error();
  }
  if (o.json) {
    std::printf("%s\n", Json(names).dump(2).c_str());
  } else {
    for (const std::string& name : names) std::printf("%s\n", name.c_str());
  }
  return {};
}

Result<void> RunWorkloadShow(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(const Names names, NamesOf(o));
  const std::string address = ServerAddress(o.address);
  TRESOR_ASSIGN_OR_RETURN(Json metadata, CallServer(address, "GET", names.metadata));
  TRESOR_ASSIGN_OR_RETURN(Json secrets, CallServer(address, "GET", names.secrets));
  std::vector<std::string> keys;  // names only: the values are not shown
  for (const auto& [key, value] : secrets["data"]["data"].items()) keys.push_back(key);
  secrets = nullptr;
  auto role = CallServer(address, "GET", names.role);
  Json out{
      {"name", o.name},         {"secrets", names.secrets},
      {"keys", keys},           {"version", metadata["data"].value("current_version", int64_t{0})},
      {"policy", names.policy}, {"role", role ? Json(names.role) : Json(nullptr)}};
  if (role) out["token_ttl"] = (*role)["data"].value("token_ttl", int64_t{0});
  if (o.json) {
    std::printf("%s\n", out.dump(2).c_str());
    return {};
  }
  std::string joined;
  for (const std::string& key : keys) joined.append(joined.empty() ? "" : ", ").append(key);
  std::printf("secrets: %s (version %lld): %s\npolicy: %s\nrole: %s\n", names.secrets.c_str(),
              static_cast<long long>(out["version"].get<int64_t>()), joined.c_str(),
              names.policy.c_str(), role ? names.role.c_str() : "(none)");
  return {};
}

Result<void> RunWorkloadDelete(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(const Names names, NamesOf(o));
  TRESOR_RETURN_IF_ERROR(Confirm(o.yes, "workload delete " + o.name,
                                 "Delete workload " + o.name +
                                     ": every version of its secrets, policy " + names.policy +
                                     " and " + names.role + "?"));
  const std::string address = ServerAddress(o.address);
  TRESOR_ASSIGN_OR_RETURN(Json found, CallServer(address, "GET", names.metadata));
  (void)found;
  for (const std::string& path : {names.role, "sys/policies/acl/" + names.policy, names.metadata}) {
    TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(address, "DELETE", path));
    (void)done;
  }
  std::printf("workload %s: deleted (secrets, policy %s, role)\n", o.name.c_str(),
              names.policy.c_str());
  return {};
}

}  // namespace tresor::cli
