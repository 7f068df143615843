#include "server/api.h"

#include <sodium.h>

#include "crypto/random.h"

namespace tresor::server {
namespace {

constexpr std::string_view kKvMount = "secret/";

std::string RequestId() {
  uint8_t b[16];
  crypto::FillRandom(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // UUID version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

http::Response JsonResponse(int status, const Json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump() + "\n";
  return r;
}

// Vault's envelope around a "data" object.
http::Response Envelope(int status, const Json& data) {
  return JsonResponse(status, Json{{"request_id", RequestId()},
                                   {"lease_id", ""},
                                   {"renewable", false},
                                   {"lease_duration", 0},
                                   {"data", data},
                                   {"wrap_info", nullptr},
                                   {"warnings", nullptr},
                                   {"auth", nullptr}});
}

http::Response FromOutcome(const KvOutcome& o) {
  if (o.status == 204) {
    http::Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  if (!o.data.is_null()) return Envelope(o.status, o.data);
  return JsonResponse(o.status, Json{{"errors", o.errors}});
}

http::Response Error(int status, std::string_view message) {
  return JsonResponse(status, Json{{"errors", Json::array({std::string(message)})}});
}

bool IsList(const http::Request& r) {
  if (r.method == "LIST") return true;
  const std::string* list = r.Query("list");
  return r.method == "GET" && list != nullptr && (*list == "true" || *list == "1");
}

bool IsWrite(const http::Request& r) { return r.method == "PUT" || r.method == "POST"; }

Json MountsData() {
  const Json kv{{"type", "kv"},
                {"description", "key/value secret storage"},
                {"options", {{"version", "2"}}},
                {"local", false},
                {"seal_wrap", false},
                {"config", {{"default_lease_ttl", 0}, {"max_lease_ttl", 0}}}};
  const Json sys{{"type", "system"},
                 {"description", "system endpoints used for control, policy and debugging"},
                 {"options", nullptr},
                 {"local", false},
                 {"seal_wrap", false},
                 {"config", {{"default_lease_ttl", 0}, {"max_lease_ttl", 0}}}};
  return Json{{std::string(kKvMount), kv}, {"sys/", sys}};
}

}  // namespace

std::string NewToken() {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out = "tr.";
  while (out.size() < 35) {
    uint8_t b = 0;
    crypto::FillRandom({&b, 1});
    if (b < 248) out.push_back(kAlphabet[b % 62]);  // no modulo bias
  }
  return out;
}

http::Response Api::Handle(const http::Request& request) {
  if (!request.path.starts_with("/v1/")) return Error(404, "unsupported path");
  const std::string path = request.path.substr(4);
  if (path == "sys/health" || path == "sys/seal-status") return Sys(request, path);

  const std::string* token = request.Header("x-vault-token");
  std::string bearer;
  if (token == nullptr) {
    const std::string* auth = request.Header("authorization");
    if (auth != nullptr && auth->starts_with("Bearer ")) {
      bearer = auth->substr(7);
      token = &bearer;
    }
  }
  const std::string& root = options_.root_token;
  if (token == nullptr || token->size() != root.size() ||
      sodium_memcmp(token->data(), root.data(), root.size()) != 0) {
    return Error(403, "permission denied");
  }

  Json body = Json::object();
  if (!request.body.empty() && request.method != "GET" && request.method != "HEAD") {
    body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return Error(400, "failed to parse JSON input");
  }
  if (path.starts_with(kKvMount)) return Kv(request, path.substr(kKvMount.size()), body);
  if (path.starts_with("sys/")) return Sys(request, path);
  return Error(404, "no handler for route \"" + path + "\"");
}

http::Response Api::Sys(const http::Request& request, const std::string& path) {
  if (path == "sys/health") {
    return JsonResponse(200, Json{{"initialized", true},
                                  {"sealed", false},
                                  {"standby", false},
                                  {"performance_standby", false},
                                  {"replication_performance_mode", "disabled"},
                                  {"replication_dr_mode", "disabled"},
                                  {"server_time_utc", static_cast<int64_t>(std::time(nullptr))},
                                  {"version", options_.version},
                                  {"cluster_name", "tresor-dev"}});
  }
  if (path == "sys/seal-status") {
    return JsonResponse(200, Json{{"type", "shamir"},
                                  {"initialized", true},
                                  {"sealed", false},
                                  {"t", 1},
                                  {"n", 1},
                                  {"progress", 0},
                                  {"nonce", ""},
                                  {"version", options_.version},
                                  {"migration", false},
                                  {"recovery_seal", false},
                                  {"storage_type", "inmem"}});
  }
  if (path == "sys/mounts" && request.method == "GET") {
    Json body = MountsData();
    Json envelope = Json::parse(Envelope(200, MountsData()).body);
    for (auto& [k, v] : body.items()) envelope[k] = v;  // Vault repeats them at the top
    return JsonResponse(200, envelope);
  }
  if (path == "sys/internal/ui/mounts/" + std::string(kKvMount) ||
      path == "sys/internal/ui/mounts/" + std::string(kKvMount.substr(0, kKvMount.size() - 1)) ||
      path.starts_with("sys/internal/ui/mounts/" + std::string(kKvMount))) {
    return Envelope(200, Json{{"type", "kv"},
                              {"path", std::string(kKvMount)},
                              {"options", {{"version", "2"}}},
                              {"description", "key/value secret storage"}});
  }
  return Error(404, "no handler for route \"" + path + "\"");
}

http::Response Api::Kv(const http::Request& request, const std::string& path, const Json& body) {
  auto split = [&](std::string_view prefix) -> std::optional<std::string> {
    if (path == prefix.substr(0, prefix.size() - 1)) return std::string();
    if (!path.starts_with(prefix)) return std::nullopt;
    return path.substr(prefix.size());
  };
  const std::string* version = request.Query("version");
  if (auto key = split("data/")) {
    if (request.method == "GET" && !IsList(request)) {
      return FromOutcome(kv_.Read(*key, version ? std::atoll(version->c_str()) : 0));
    }
    if (key->empty() || key->back() == '/') return Error(400, "invalid secret path");
    if (IsWrite(request)) return FromOutcome(kv_.Write(*key, body));
    if (request.method == "DELETE") return FromOutcome(kv_.DeleteLatest(*key));
  } else if (auto mkey = split("metadata/")) {
    if (IsList(request)) return FromOutcome(kv_.List(*mkey));
    if (request.method == "GET") return FromOutcome(kv_.ReadMetadata(*mkey));
    if (IsWrite(request)) return FromOutcome(kv_.WriteMetadata(*mkey, body));
    if (request.method == "DELETE") return FromOutcome(kv_.DeleteMetadata(*mkey));
  } else if (auto dkey = split("delete/"); dkey && IsWrite(request)) {
    return FromOutcome(kv_.DeleteVersions(*dkey, body));
  } else if (auto ukey = split("undelete/"); ukey && IsWrite(request)) {
    return FromOutcome(kv_.Undelete(*ukey, body));
  } else if (auto xkey = split("destroy/"); xkey && IsWrite(request)) {
    return FromOutcome(kv_.Destroy(*xkey, body));
  } else if (path == "config") {
    if (request.method == "GET") return FromOutcome(kv_.ReadConfig());
    if (IsWrite(request)) return FromOutcome(kv_.WriteConfig(body));
  }
  return Error(405, "unsupported operation");
}

}  // namespace tresor::server
