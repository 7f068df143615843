// server.toml: the persistent server's settings (see docs/server.md).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>

#include "cli/files.h"
#include "cli/server_command.h"
#include "crypto/secret_file.h"
#include "formats/document.h"
#include "formats/duration.h"
#include "formats/format.h"

namespace tresor::cli {

namespace {

// Each seal type takes its own settings, all of them, and no other's.
Result<void> CheckSealSettings(const std::string& path, const ServerOptions& o) {
  const std::map<std::string, std::vector<std::pair<std::string, const std::string*>>> needs{
      {"shamir", {}},
      {"age", {{"age_identity_file", &o.age_identity_file}}},
      {"transit",
       {{"address", &o.transit.address},
        {"key_name", &o.transit.key_name},
        {"token_file", &o.transit.token_file}}},
  };
  auto it = needs.find(o.seal_type);
  if (it == needs.end()) {
    return MakeError(ErrorCode::kSyntax, path +
                                             ": seal.type must be \"shamir\", \"age\" or "
                                             "\"transit\", not \"" +
                                             o.seal_type + "\"");
  }
  for (const auto& [name, value] : it->second) {
    if (value->empty()) {
      return MakeError(ErrorCode::kSyntax,
                       path + ": seal.type \"" + o.seal_type + "\" needs seal." + name);
    }
  }
  const bool transit_set = !o.transit.address.empty() || !o.transit.key_name.empty() ||
                           !o.transit.token_file.empty() || !o.transit.ca_file.empty() ||
                           o.transit.mount_path != "transit";
  if ((o.seal_type != "age" && !o.age_identity_file.empty()) ||
      (o.seal_type != "transit" && transit_set)) {
    return MakeError(
        ErrorCode::kSyntax,
        path + ": [seal] has settings of another seal type than \"" + o.seal_type + "\"");
  }
  return {};
}

}  // namespace

Result<void> LoadServerConfig(const std::string& path, ServerOptions& o) {
  // It says where secrets are kept and who may connect.
  TRESOR_RETURN_IF_ERROR(RefuseIfOthersCanChange(path, "the server's settings file"));
  TRESOR_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, size_t{1} << 20));
  const formats::Format* toml = formats::FormatForFile("server.toml");
  auto doc = toml->Parse(text);
  if (!doc) return WithPlace(path, std::move(doc).error());
  using Setter = std::function<bool(const std::string&, formats::ValueType)>;
  auto text_of = [](std::string* field) -> Setter {
    return [field](const std::string& v, formats::ValueType t) {
      *field = v;
      return t == formats::ValueType::kString;
    };
  };
  auto int_of = [](int* field, long max = 1000000) -> Setter {
    return [field, max](const std::string& v, formats::ValueType t) {
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      *field = static_cast<int>(n);
      return t == formats::ValueType::kNumber && *end == '\0' && n >= 0 && n <= max;
    };
  };
  const std::map<std::string, Setter> settings{
      {"listen", text_of(&o.listen)},
      {"data_dir", text_of(&o.data_dir)},
      {"audit_file", text_of(&o.audit_file)},
      {"cluster_name", text_of(&o.cluster_name)},
      {"node_name", text_of(&o.node_name)},
      {"api_addr", text_of(&o.api_addr)},
      {"insecure_listen",
       [&o](const std::string& v, formats::ValueType t) {
         o.insecure_listen = v == "true";
         return t == formats::ValueType::kBool;
       }},
      {"tls.cert_file", text_of(&o.tls_cert_file)},
      {"tls.key_file", text_of(&o.tls_key_file)},
      {"seal.type", text_of(&o.seal_type)},
      {"seal.age_identity_file", text_of(&o.age_identity_file)},
      {"seal.address", text_of(&o.transit.address)},
      {"seal.mount_path", text_of(&o.transit.mount_path)},
      {"seal.key_name", text_of(&o.transit.key_name)},
      {"seal.token_file", text_of(&o.transit.token_file)},
      {"seal.tls_ca_cert", text_of(&o.transit.ca_file)},
      {"limits.request_timeout", text_of(&o.request_timeout)},
      {"limits.idle_timeout", text_of(&o.idle_timeout)},
      {"limits.max_connections", int_of(&o.max_connections)},
      {"limits.threads", int_of(&o.threads)},
      {"storage.type", text_of(&o.storage_type)},
      {"storage.prefix", text_of(&o.etcd_prefix)},
      {"storage.ca_file", text_of(&o.etcd_ca_file)},
      {"storage.cert_file", text_of(&o.etcd_cert_file)},
      {"storage.key_file", text_of(&o.etcd_key_file)},
      {"storage.dial_timeout", text_of(&o.etcd_dial_timeout)},
      {"storage.request_timeout", text_of(&o.etcd_request_timeout)},
      {"storage.lease_ttl", text_of(&o.etcd_lease_ttl)},
      {"storage.max_request_bytes", int_of(&o.etcd_max_request_bytes, 1L << 30)},
      {"snapshots.interval", text_of(&o.snapshot_interval)},
      {"snapshots.keep", int_of(&o.snapshot_keep)},
      {"snapshots.dir", text_of(&o.snapshot_dir)},
  };
  o.etcd_endpoints.clear();
  o.snapshot_recipients.clear();
  for (const formats::Value& value : doc->values) {
    const std::string where = path + ":" + formats::Position(text, value.literal.begin);
    const std::string literal =
        text.substr(value.literal.begin, value.literal.end - value.literal.begin);
    if (value.path.starts_with("storage.endpoints[")) {
      if (value.type != formats::ValueType::kString) {
        return MakeError(ErrorCode::kSyntax, where + ": storage.endpoints: strings expected");
      }
      o.etcd_endpoints.push_back(toml->Decode(literal, value.type));
      continue;
    }
    if (value.path.starts_with("snapshots.recipients[")) {
      if (value.type != formats::ValueType::kString) {
        return MakeError(ErrorCode::kSyntax, where + ": snapshots.recipients: strings expected");
      }
      o.snapshot_recipients.push_back(toml->Decode(literal, value.type));
      continue;
    }
    auto it = settings.find(value.path);
    if (it == settings.end()) {
      return MakeError(ErrorCode::kSyntax, where + ": unknown setting " + value.path);
    }
    if (!it->second(toml->Decode(literal, value.type), value.type)) {
      return MakeError(ErrorCode::kSyntax, where + ": " + value.path + ": wrong type or range");
    }
  }
  TRESOR_RETURN_IF_ERROR(CheckSealSettings(path, o));
  const bool snapshots =
      !o.snapshot_interval.empty() || !o.snapshot_dir.empty() || !o.snapshot_recipients.empty();
  if (snapshots && (o.snapshot_interval.empty() || o.snapshot_dir.empty() ||
                    o.snapshot_recipients.empty() || o.snapshot_keep < 1)) {
    return MakeError(ErrorCode::kSyntax, path +
                                             ": [snapshots] needs interval, dir and recipients "
                                             "(and keep, if given, at least 1)");
  }
  if (o.storage_type == "etcd") {
    if (o.etcd_endpoints.empty()) {
      return MakeError(ErrorCode::kSyntax,
                       path + ": storage.type \"etcd\" needs storage.endpoints");
    }
    return {};
  }
  if (o.storage_type != "sqlite") {
    return MakeError(
        ErrorCode::kSyntax,
        path + ": storage.type must be \"sqlite\" or \"etcd\", not \"" + o.storage_type + "\"");
  }
  if (o.data_dir.empty()) return MakeError(ErrorCode::kSyntax, path + ": data_dir is required");
  return {};
}

std::shared_ptr<server::RootKeyWrapper> SealWrapper(const ServerOptions& o) {
  if (o.seal_type == "age") return server::AgeRootKeyWrapper(o.age_identity_file);
  if (o.seal_type == "transit") return server::TransitRootKeyWrapper(o.transit);
  return nullptr;
}

Result<void> CheckServerSettings(const ServerOptions& o) {
  for (const std::string* duration : {&o.request_timeout, &o.idle_timeout}) {
    TRESOR_RETURN_IF_ERROR(formats::ParseDuration(*duration));
  }
  if (!o.snapshot_interval.empty())
    TRESOR_RETURN_IF_ERROR(formats::ParseDuration(o.snapshot_interval));
  for (const std::string* file :
       {&o.tls_cert_file, &o.tls_key_file, &o.age_identity_file, &o.transit.token_file,
        &o.transit.ca_file, &o.etcd_ca_file, &o.etcd_cert_file, &o.etcd_key_file}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
      return MakeError(ErrorCode::kIo, *file + ": cannot read: " + std::strerror(errno));
    }
  }
  if (!o.dev && o.storage_type != "etcd") {
    TRESOR_RETURN_IF_ERROR(crypto::CheckPrivateDirectory(o.data_dir));
  }
  if (!o.snapshot_dir.empty()) {
    TRESOR_RETURN_IF_ERROR(crypto::CheckPrivateDirectory(o.snapshot_dir));
  }
  std::printf("%s: ok\n", o.config.empty() ? "--dev" : o.config.c_str());
  return {};
}

}  // namespace tresor::cli
