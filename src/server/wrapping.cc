#include "server/wrapping.h"

#include <chrono>

#include "formats/duration.h"
#include "server/core.h"
#include "server/records.h"
#include "server/times.h"

namespace tresor::server {
namespace {

constexpr char kPrefix[] = "wrapping/";
constexpr int64_t kMaxWrapTtl = TokenStore::kMaxTtl;

http::Response NotValid() { return Error(400, "wrapping token is not valid or does not exist"); }

// The wrapping token `token` names and its kept response, with the
// revision the record is at; nothing if either is gone.
struct Wrapped {
  std::string key;  // the token's, in the token store
  TokenInfo info;
  nlohmann::json record;
  uint64_t revision = 0;
};

std::optional<Wrapped> Find(TokenStore& tokens, store::Barrier& barrier, const std::string& token) {
  auto found = tokens.Lookup(token);
  if (!found || found->second.policies != std::vector<std::string>{kWrappingPolicy}) {
    return std::nullopt;
  }
  auto stored = GetRecordAt(barrier, kPrefix + found->second.accessor);
  if (!stored || !stored->record) return std::nullopt;
  return Wrapped{found->first, found->second, std::move(*stored->record), stored->revision};
}

}  // namespace

Result<int64_t> WrapTtl(std::string_view header) {
  auto seconds = formats::ParseDuration(header);
  if (!seconds || *seconds < 1 || *seconds > kMaxWrapTtl) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "X-Vault-Wrap-TTL: expected a duration from 1s to 768h (\"5m\", \"300\")");
  }
  return *seconds;
}

http::Response WrapResponse(TokenStore& tokens, store::Barrier& barrier, const std::string& body,
                            int64_t ttl, const std::string& creation_path,
                            const std::string& wrapped_accessor) {
  TokenRequest request;
  request.policies = {kWrappingPolicy};
  request.ttl = ttl;
  request.explicit_max_ttl = ttl;
  request.renewable = false;
  request.orphan = true;
  request.display_name = "";
  request.path = creation_path;
  auto created = tokens.Create(request, "");
  if (!created) return Error(500, "could not make a wrapping token: " + created.error().message);
  const auto& [token, info] = *created;
  const std::string creation_time =
      Rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(info.issue_time)));
  PutRecord(barrier, kPrefix + info.accessor,
            Json{{"response", body},
                 {"creation_path", creation_path},
                 {"creation_time", creation_time},
                 {"creation_ttl", ttl},
                 {"wrapped_accessor", wrapped_accessor},
                 {"expire_time", info.expire_time}});
  Json out = EnvelopeJson(nullptr);
  out["wrap_info"] = Json{{"token", token},
                          {"accessor", info.accessor},
                          {"ttl", ttl},
                          {"creation_time", creation_time},
                          {"creation_path", creation_path},
                          {"wrapped_accessor", wrapped_accessor}};
  return JsonResponse(200, out);
}

http::Response WrappingEndpoint(TokenStore& tokens, store::Barrier& barrier,
                                const http::Request& request, const std::string& path,
                                const Json& body, const std::string* caller) {
  if (!IsWrite(request) && !(path == "sys/wrapping/lookup" && request.method == "GET")) {
    return Error(405, "unsupported operation");
  }
  if (path == "sys/wrapping/wrap") {
    const std::string* header = request.Header("x-vault-wrap-ttl");
    if (header == nullptr) return Error(400, "sys/wrapping/wrap needs X-Vault-Wrap-TTL");
    auto ttl = WrapTtl(*header);
    if (!ttl) return Error(400, ttl.error().message);
    return WrapResponse(tokens, barrier, Dump(EnvelopeJson(body)), *ttl, path, "");
  }
  std::string token;
  if (body.contains("token") && body["token"].is_string()) {
    token = body["token"].get<std::string>();
  } else if (caller != nullptr) {
    token = *caller;
  }
  auto wrapped = Find(tokens, barrier, token);
  if (!wrapped) return NotValid();
  const Json& r = wrapped->record;
  if (path == "sys/wrapping/lookup") {
    return Envelope(200, Json{{"creation_path", r.value("creation_path", "")},
                              {"creation_time", r.value("creation_time", "")},
                              {"creation_ttl", r.value("creation_ttl", int64_t{0})}});
  }
  if (path != "sys/wrapping/unwrap" && path != "sys/wrapping/rewrap") {
    return Error(404, "unsupported path");
  }
  // Taken once: of two unwraps, only the one whose delete applies answers.
  auto taken = barrier.ApplyIf({{kPrefix + wrapped->info.accessor, wrapped->revision}},
                               {store::Write{kPrefix + wrapped->info.accessor, std::nullopt}});
  if (!taken) return Error(500, "storage write failed");
  if (!taken->applied) return NotValid();
  tokens.Revoke(wrapped->key);
  if (path == "sys/wrapping/rewrap") {
    return WrapResponse(tokens, barrier, r.value("response", ""),
                        r.value("creation_ttl", int64_t{300}), r.value("creation_path", ""),
                        r.value("wrapped_accessor", ""));
  }
  http::Response unwrapped;  // as it was answered, byte for byte
  unwrapped.body = r.value("response", "");
  return unwrapped;
}

void SweepWrapped(store::Barrier& barrier) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::vector<store::Write> gone;
  (void)LoadRecords(barrier, kPrefix, [&](const std::string& accessor, const Json& record) {
    const int64_t expires = record.value("expire_time", int64_t{0});
    if (expires != 0 && expires <= now) {
      gone.push_back(store::Write{kPrefix + accessor, std::nullopt});
    }
  });
  if (!gone.empty()) (void)barrier.Apply(std::move(gone));
}

}  // namespace tresor::server
