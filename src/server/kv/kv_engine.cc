// The KV secrets engine: version 2's routes (data, metadata, subkeys,
// delete, undelete, destroy, config) and version 1's (the path itself).
#include "server/kv/kv_engine.h"

#include <charconv>
#include <optional>
#include <string>

#include "server/core.h"
#include "server/engines/engine.h"
#include "server/responses.h"

namespace tresor::server {
namespace {

http::Response FromOutcome(const KvOutcome& o) {
  if (o.status == 204) return NoContent();
  if (!o.data.empty()) return EnvelopeOf(o.status, o.data);
  return JsonResponse(o.status, Json{{"errors", o.errors}});
}

// Vault takes a PATCH only as a JSON merge patch (plain JSON too, here).
std::optional<http::Response> PatchMediaType(const http::Request& request) {
  const std::string* type = request.Header("content-type");
  if (type != nullptr && !type->starts_with("application/merge-patch+json") &&
      !type->starts_with("application/json")) {
    return Error(
        415, "PATCH takes Content-Type: application/merge-patch+json, not " + type->substr(0, 64));
  }
  return std::nullopt;
}

}  // namespace

http::Response HandleKv2(const http::Request& request, KvV2& kv, const std::string& path,
                         const Json& body) {
  // The key after `prefix` ("data/"), "" for the prefix itself.
  auto after = [&](std::string_view prefix) -> std::optional<std::string> {
    if (path == prefix.substr(0, prefix.size() - 1)) return std::string();
    if (!path.starts_with(prefix)) return std::nullopt;
    return path.substr(prefix.size());
  };
  const std::string* version = request.Query("version");
  if (auto key = after("data/")) {
    if (request.method == "GET" && !IsList(request)) {
      int64_t n = 0;  // none, or empty: the latest
      const char* end = version != nullptr ? version->data() + version->size() : nullptr;
      if (version != nullptr && !version->empty() &&
          (std::from_chars(version->data(), end, n).ptr != end || n < 0)) {
        return Error(400, "version: expected a version number, got \"" + *version + "\"");
      }
      return FromOutcome(kv.Read(*key, n));
    }
    if (key->empty() || key->back() == '/') return Error(400, "invalid secret path");
    if (IsWrite(request)) return FromOutcome(kv.Write(*key, body));
    if (request.method == "PATCH") {
      if (auto refused = PatchMediaType(request)) return std::move(*refused);
      return FromOutcome(kv.Patch(*key, body));
    }
    if (request.method == "DELETE") return FromOutcome(kv.DeleteLatest(*key));
  } else if (auto mkey = after("metadata/")) {
    if (IsList(request)) return FromOutcome(kv.List(*mkey));
    if (request.method == "GET") return FromOutcome(kv.ReadMetadata(*mkey));
    if (IsWrite(request)) return FromOutcome(kv.WriteMetadata(*mkey, body));
    if (request.method == "PATCH") {
      if (auto refused = PatchMediaType(request)) return std::move(*refused);
      return FromOutcome(kv.WriteMetadata(*mkey, body, true));
    }
    if (request.method == "DELETE") return FromOutcome(kv.DeleteMetadata(*mkey));
  } else if (auto skey = after("subkeys/"); skey && request.method == "GET") {
    int64_t n = 0;
    int64_t depth = 0;
    for (auto [name, into] : {std::pair{"version", &n}, std::pair{"depth", &depth}}) {
      const std::string* given = request.Query(name);
      if (given == nullptr || given->empty()) continue;
      const char* end = given->data() + given->size();
      if (std::from_chars(given->data(), end, *into).ptr != end || *into < 0) {
        return Error(400, std::string(name) + ": expected a number, got \"" + *given + "\"");
      }
    }
    return FromOutcome(kv.Subkeys(*skey, n, depth));
  } else if (auto dkey = after("delete/"); dkey && IsWrite(request)) {
    return FromOutcome(kv.DeleteVersions(*dkey, body));
  } else if (auto ukey = after("undelete/"); ukey && IsWrite(request)) {
    return FromOutcome(kv.Undelete(*ukey, body));
  } else if (auto xkey = after("destroy/"); xkey && IsWrite(request)) {
    return FromOutcome(kv.Destroy(*xkey, body));
  } else if (path == "config") {
    if (request.method == "GET") return FromOutcome(kv.ReadConfig());
    if (IsWrite(request)) return FromOutcome(kv.WriteConfig(body));
  }
  return Error(405, "unsupported operation");
}

http::Response HandleKv1(const http::Request& request, KvV1& kv, const std::string& path,
                         const Json& body) {
  if (IsList(request)) return FromOutcome(kv.List(path));
  if (request.method == "GET") return FromOutcome(kv.Read(path));
  if (IsWrite(request)) return FromOutcome(kv.Write(path, body));
  if (request.method == "DELETE") return FromOutcome(kv.Delete(path));
  return Error(405, "unsupported operation");
}

namespace {

class Kv2Engine : public engines::Engine {
 public:
  Kv2Engine(store::Barrier& barrier, const std::string& prefix) : kv_(&barrier, prefix) {}

  Result<void> Load() override { return kv_.Load(); }
  Result<bool> WriteCreates(const std::string& rest) override {
    for (std::string_view prefix : {"data/", "metadata/"}) {
      if (rest.starts_with(prefix)) {
        TRESOR_ASSIGN_OR_RETURN(const bool exists, kv_.Exists(rest.substr(prefix.size())));
        return !exists;
      }
    }
    return false;
  }
  http::Response Handle(const http::Request& request, const std::string& rest,
                        const Json& body) override {
    return HandleKv2(request, kv_, rest, body);
  }
  Json* EncryptedValues(const http::Request& request, const std::string& rest,
                        Json& body) override {
    if (!IsWrite(request) || !rest.starts_with("data/")) return nullptr;
    return &body["data"];  // null if not given: no data to write
  }
  void Close() override { kv_.Close(); }
  void Changed(const std::string& rest, uint64_t revision) override { kv_.Changed(rest, revision); }
  size_t CachedKeys() const override { return kv_.cached_keys(); }

 private:
  mutable KvV2 kv_;
};

class Kv1Engine : public engines::Engine {
 public:
  Kv1Engine(store::Barrier& barrier, const std::string& prefix) : kv_(barrier, prefix) {}

  Result<bool> WriteCreates(const std::string& rest) override {
    TRESOR_ASSIGN_OR_RETURN(const bool exists, kv_.Exists(rest));
    return !exists;
  }
  http::Response Handle(const http::Request& request, const std::string& rest,
                        const Json& body) override {
    return HandleKv1(request, kv_, rest, body);
  }
  Json* EncryptedValues(const http::Request& request, const std::string&, Json& body) override {
    return IsWrite(request) ? &body : nullptr;
  }
  void Close() override { kv_.Close(); }
  void Changed(const std::string&, uint64_t) override {}  // nothing kept in memory

 private:
  KvV1 kv_;
};

}  // namespace

std::shared_ptr<engines::Engine> engines::MakeKv(store::Barrier& barrier, const std::string& prefix,
                                                 int version) {
  if (version == 2) return std::make_shared<Kv2Engine>(barrier, prefix);
  return std::make_shared<Kv1Engine>(barrier, prefix);
}

}  // namespace tresor::server
