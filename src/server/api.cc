#include "server/api.h"

#include <chrono>

#include "crypto/random.h"
#include "formats/bounded_json.h"
#include "server/records.h"
#include "server/responses.h"
#include "server/ui/assets.h"
#include "store/pending_writes.h"

namespace tresor::server {
namespace {

std::string Operation(const http::Request& request) {
  if (IsList(request)) return "list";
  if (request.method == "GET") return "read";
  if (request.method == "DELETE") return "delete";
  if (request.method == "PATCH") return "patch";
  return "update";
}

// Appends the audit line of a response.
bool AuditResponse(audit::AuditLog& audit, const Json& about, const Json& auth,
                   const http::Response& response, const crypto::HmacSha256Key& key) {
  Json logged{{"time", NowRfc3339()},
              {"type", "response"},
              {"auth", auth},
              {"request", about},
              {"response", {{"status", response.status}}}};
  if (!response.body.empty()) {
    // Our own JSON, so parsing it is bounded; every string in it, error
    // messages too (they may quote a request's path or values), is HMAC'd.
    Json body = Json::parse(response.body, nullptr, false);
    if (body.is_object()) {
      Json errors = body.contains("errors") ? body["errors"] : Json(nullptr);
      body.erase("errors");
      if (!body.empty()) logged["response"]["body"] = audit::HmacStrings(body, key);
      if (!errors.is_null()) logged["response"]["errors"] = audit::HmacStrings(errors, key);
    }
  }
  return audit.Append(std::move(logged)).has_value();
}

}  // namespace

Api::Api(ApiOptions options)
    : options_(std::move(options)),
      seal_(options_.storage, options_.root_key_wrapper),
      sealed_audit_key_(std::make_shared<crypto::HmacSha256Key>(crypto::RandomSecret(32).Reveal())),
      login_throttle_(options_.login_limits),
      login_pool_(options_.login_threads > 0
                      ? options_.login_threads
                      : std::max<size_t>(1, std::thread::hardware_concurrency() / 2),
                  options_.login_queue) {}

Result<void> Api::Open(std::shared_ptr<store::Barrier> barrier, bool only_if_sealed) {
  TRESOR_ASSIGN_OR_RETURN(std::shared_ptr<Core> core, Core::Load(std::move(barrier)));
  if (options_.audit) TRESOR_RETURN_IF_ERROR(CheckAuditHead(*core));
  if (!only_if_sealed) {
    std::atomic_store(&core_, core);
    return {};
  }
  // Never in place of a core that init (or an unseal) put there meanwhile.
  std::shared_ptr<Core> none;
  std::atomic_compare_exchange_strong(&core_, &none, core);
  return {};
}

// Calls `finish` on the response the client will get: now, or when a
// deferred one is ready (from the thread that readies it).
// A template, so that the usual case (not deferred) makes no std::function.
template <typename Finish>
void OnFinal(http::Response& response, Finish finish) {
  if (!response.defer) return finish(response);
  response.defer = [finish = std::move(finish),
                    inner = std::move(response.defer)](http::Reply reply) {
    inner([finish, reply = std::move(reply)](http::Response done) {
      finish(done);
      reply(std::move(done));
    });
  };
}

http::Response Api::Handle(const http::Request& request) {
  // The UI's files: public, the same whatever the seal, never audited.
  if (!request.path.starts_with("/v1/")) {
    if (auto file = ui::Serve(request)) return std::move(*file);
  }
  if (!joined_.load(std::memory_order_acquire)) return Error(503, "the server is starting");
  if (auto held = AwaitIndex(request)) return std::move(*held);
  const auto started = std::chrono::steady_clock::now();
  http::Response response = Audited(request);
  if (!response.defer) {  // the hot path: nothing captured, nothing allocated
    metrics_->Count(request.method, response.status, std::chrono::steady_clock::now() - started);
    return response;
  }
  OnFinal(response, [metrics = metrics_, method = request.method, started](http::Response& done) {
    metrics->Count(method, done.status, std::chrono::steady_clock::now() - started);
  });
  return response;
}

namespace {

// Paths (relative to /v1/) whose handlers read no JSON body (a restore reads
// a snapshot stream), and check the token themselves where they need one.
bool TakesNoBody(std::string_view path) {
  return path == "sys/health" || path == "sys/seal-status" || path == "sys/seal" ||
         path == "sys/metrics" || path == "sys/leader" || path == "sys/tresor/recipient" ||
         path == "sys/tresor/snapshot";
}

// Paths answered without a token. What they take is small (unseal keys,
// init settings, a password), so so is their body limit.
// (Logins, under auth/, are found in the core's table of auth methods.)
bool AnswersWithoutToken(std::string_view path) {
  return path == "sys/init" || path == "sys/unseal" || path.starts_with("sys/generate-root/") ||
         path.starts_with("sys/rekey/") || path == "sys/wrapping/lookup" ||
         path == "sys/wrapping/unwrap";
}

// The auth method whose login `path` is, and in `rest` what follows its
// mount's path; null if `path` is no login.
std::shared_ptr<const auth::Mount> LoginMount(Core* core, std::string_view path,
                                              std::string* rest) {
  if (core == nullptr || !path.starts_with("auth/")) return nullptr;
  auto mount = core->auth().Find(path, rest);
  return mount != nullptr && mount->method->IsLogin(*rest) ? mount : nullptr;
}
constexpr size_t kBodyLimitWithoutToken = 64 * 1024;

// What the audit line says of a body it does not hold in full: its size and
// a MAC, enough to match it against a known body, and no larger whatever
// the body's size.
Json BodyDigest(const http::Request& request, const crypto::HmacSha256Key& key) {
  return Json{{"bytes", request.body.size()}, {"hmac", audit::HmacString(request.body, key)}};
}

}  // namespace

std::optional<http::Response> Api::Admit(const http::Request& request, Core* core, Json* auth) {
  if (!request.path.starts_with("/v1/")) return Error(404, "unsupported path");
  const std::string_view path = std::string_view(request.path).substr(4);
  // Checked before anything is done: a request that asks for wrapping gets
  // its answer wrapped or not at all, never in the clear.
  std::string rest;
  const auto login = LoginMount(core, path, &rest);
  if (const std::string* wrap = request.Header("x-vault-wrap-ttl")) {
    if (auto ttl = WrapTtl(*wrap); !ttl) return Error(400, ttl.error().message);
    if (login != nullptr && login->method->SlowLogin()) {  // answered later, from the pool
      return Error(400, "response wrapping is not supported for " + login->type + " logins");
    }
    if (path == "sys/tresor/snapshot") {  // checked now: a restore cannot be undone after
      return Error(400, "response wrapping is not supported for a restore");
    }
  }
  if (TakesNoBody(path)) return std::nullopt;
  if (AnswersWithoutToken(path) || login != nullptr) {
    if (request.body.size() > kBodyLimitWithoutToken) {
      return Error(413, "request body too large");
    }
    return std::nullopt;
  }
  if (core == nullptr) return Error(503, "Vault is sealed");
  std::string bearer;
  const std::string* token = RequestToken(request, &bearer);
  auto found = token ? core->tokens().Lookup(*token) : std::nullopt;
  if (!found) return Error(403, "permission denied");
  (*auth)["display_name"] = found->second.display_name;
  (*auth)["accessor"] = found->second.accessor;
  return std::nullopt;
}

http::Response Api::Audited(const http::Request& request) {
  (void)store::TakeNotedWrites();  // nothing is carried over from another request
  const auto core = this->core();  // the audit key stays alive with it
  // Both stay alive as long as the deferred response below may need them.
  std::shared_ptr<const crypto::HmacSha256Key> sealed_key = sealed_audit_key_;
  const crypto::HmacSha256Key& key = core ? core->audit_key() : *sealed_key;
  std::string bearer;
  const std::string* token = RequestToken(request, &bearer);
  Json auth{{"client_token", token ? Json(audit::HmacString(*token, key)) : Json()}};
  // Who is asking is settled before the body is parsed: a request refused
  // here costs no more than its bytes, whatever its body holds.
  std::optional<http::Response> refused = Admit(request, core.get(), &auth);
  Json body = Json::object();
  bool parsed = false;
  const std::string_view path =
      std::string_view(request.path)
          .substr(request.path.starts_with("/v1/") ? 4 : request.path.size());
  if (!refused && !request.body.empty() && request.method != "GET" && request.method != "HEAD" &&
      !TakesNoBody(path)) {
    Result<Json> given = formats::ParseBoundedJson(request.body);
    if (!given) {
      refused = Error(400, "failed to parse JSON input: " + given.error().message);
    } else if (!given->is_object()) {
      refused = Error(400, "failed to parse JSON input: the body is not a JSON object");
    } else {
      body = std::move(*given);
      parsed = true;
    }
  }
  if (options_.audit) {
    const Json about{{"id", RequestId()},
                     {"operation", Operation(request)},
                     {"path", request.path},
                     {"remote_address", request.remote_addr}};
    Json entry{{"time", NowRfc3339()}, {"type", "request"}, {"auth", auth}, {"request", about}};
    if (parsed) {
      entry["request"]["data"] = audit::HmacStrings(body, key);
    } else if (!request.body.empty()) {
      entry["request"]["body"] = BodyDigest(request, key);
    }
    if (!options_.audit->Append(std::move(entry)).has_value()) {
      return Error(500, "audit log write failed");
    }
    http::Response response =
        refused ? std::move(*refused) : AwaitWrites(Wrapped(request, Serve(request, body)));
    // The response line is written when the response is final.
    OnFinal(
        response, [audit = options_.audit, about, auth, core, sealed_key](http::Response& done) {
          if (!AuditResponse(*audit, about, auth, done, core ? core->audit_key() : *sealed_key)) {
            done = Error(500, "audit log write failed");
          }
        });
    return response;
  }
  return refused ? std::move(*refused) : AwaitWrites(Wrapped(request, Serve(request, body)));
}

http::Response Api::Wrapped(const http::Request& request, http::Response response) {
  const std::string* wrap = request.Header("x-vault-wrap-ttl");
  if (wrap == nullptr || response.status != 200 || request.path.starts_with("/v1/sys/wrapping/")) {
    return response;  // nothing to wrap (errors are answered as they are)
  }
  auto core = this->core();
  if (core == nullptr || response.defer) {
    return Error(400, "response wrapping is not supported for this request");
  }
  // A token the response carries (token create, logins) is named by its
  // accessor, as Vault's wrapped_accessor.
  const Result<Json> answer = formats::ParseBoundedJson(response.body);
  std::string accessor;
  if (answer && answer->is_object() && answer->contains("auth") && (*answer)["auth"].is_object()) {
    accessor = (*answer)["auth"].value("accessor", "");
  }
  return WrapResponse(core->tokens(), core->barrier(), response.body, WrapTtl(*wrap).value(),
                      request.path.substr(4), accessor);
}

http::Response Api::AwaitWrites(http::Response response) {
  const store::NotedWrites noted = store::TakeNotedWrites();
  if (noted.failed) {
    state_stale_ = true;  // the engines may hold what was refused
    if (noted.unreachable)
      return Error(503, "storage did not answer; the write may not have been stored");
    return Error(500, "storage write failed");
  }
  // The revision the response reflects: the request's writes, else what
  // this node has applied (OpenBao's header: clients send it back).
  if (auto core = this->core(); core != nullptr || noted.seq != 0) {
    const uint64_t index = noted.seq != 0 ? noted.seq : core->applied();
    response.headers.emplace_back("X-Vault-Index", std::to_string(index));
  }
  if (noted.seq == 0 || options_.storage->IsDurable(noted.seq)) return response;
  http::Response held;
  held.defer = [this, storage = options_.storage, seq = noted.seq,
                ready = std::move(response)](http::Reply reply) mutable {
    storage->WhenDurable(seq, [this, ready = std::move(ready), reply = std::move(reply)](bool ok) {
      if (!ok) state_stale_ = true;
      reply(ok ? ready : Error(500, "storage write failed"));
    });
  };
  return held;
}

http::Response Api::Serve(const http::Request& request, const Json& body) {
  const std::string path = request.path.substr(4);
  if (path == "sys/health") return Health(request);
  if (path == "sys/seal-status") return SealStatusResponse();
  if (path == "sys/init") return Init(request, body);
  if (path == "sys/unseal") {
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    return Unseal(body);
  }
  if (path == "sys/seal") return SealNow(request);
  if (path == "sys/metrics") return MetricsResponse(request);
  if (path == "sys/leader") return LeaderResponse(request);
  auto core = this->core();
  if (core == nullptr) return Error(503, "Vault is sealed");
  // Cut off from a shared store, this node's caches may be behind the
  // other nodes' writes: it serves nothing from them.
  if (auto why = options_.storage->Unreachable()) {
    return Error(503, "storage cannot be reached: " + *why);
  }
  std::string rest;
  if (auto mount = core->auth().Find(path, &rest)) {
    if (mount->method->IsLogin(rest)) {
      return Login(std::move(core), std::move(mount), request, path, rest, body);
    }
    if (mount->method->Blocks(request, rest)) {  // off the worker, as slow logins are
      return OnLoginPool([core = std::move(core), request, path, body] {
        return core->Route(request, path, body);
      });
    }
  }
  if (path == "sys/generate-root/attempt" || path == "sys/generate-root/update") {
    return GenerateRoot(*core, request, path, body);
  }
  if (path == "sys/rekey/init" || path == "sys/rekey/update")
    return RekeyHandler(request, path, body);
  if (path.starts_with("sys/wrapping/")) {
    std::string bearer;
    return WrappingEndpoint(core->tokens(), core->barrier(), request, path, body,
                            RequestToken(request, &bearer));
  }
  if (path == "sys/ha-status") return HaStatus(request, *core);
  if (path == "sys/tresor/snapshot") return RestoreSnapshot(request);
  if (path == "sys/tresor/recipient") {  // public: anyone may encrypt to the server
    if (request.method != "GET") return Error(405, "unsupported operation");
    return Envelope(200, Json{{"recipient", core->identity().recipient()}});
  }
  if (path == "sys/audit" || path.starts_with("sys/audit/")) {
    return AuditDevices(*core, request, path);
  }
  if (path == "sys/audit-head") return AuditHead(*core, request);
  if (path == "sys/audit-log") return AuditLogView(*core, request);
  return core->Route(request, path, body);
}

http::Response Api::MetricsResponse(const http::Request& request) {
  if (request.method != "GET") return Error(405, "unsupported operation");
  auto core = this->core();
  if (core == nullptr) return Error(503, "Vault is sealed");
  if (!core->Authorize(request, "sys/metrics", acl::kRead)) return Error(403, "permission denied");
  std::vector<Metrics::Gauge> gauges{
      {"tresor_sealed", "1 while the server is sealed.", 0},
      {"tresor_tokens", "Tokens in the store.", static_cast<double>(core->tokens().size())},
      {"tresor_kv_cached_keys", "KV keys held in memory.",
       static_cast<double>(core->kv_cached_keys())},
      {"tresor_storage_batches_total", "Write batches submitted to storage.",
       static_cast<double>(options_.storage->submitted())},
      {"tresor_storage_transactions_total", "Storage transactions committed (group commit).",
       static_cast<double>(options_.storage->transactions())},
  };
  if (options_.snapshots) {
    const auto s = options_.snapshots->stats();
    gauges.push_back({"tresor_snapshots_total", "Scheduled snapshots written or failed.",
                      static_cast<double>(s.runs)});
    gauges.push_back({"tresor_snapshot_failures_total", "Scheduled snapshots that failed.",
                      static_cast<double>(s.failures)});
    gauges.push_back({"tresor_snapshot_last_success_seconds",
                      "When the last scheduled snapshot was written (Unix time; 0: none yet).",
                      s.last_success});
  }
  const std::string* format = request.Query("format");
  http::Response response;
  if (format != nullptr && *format == "prometheus") {
    response.content_type = "text/plain; version=0.0.4";
    response.body = metrics_->Prometheus(gauges);
  } else {
    response.body = metrics_->Json(gauges);
  }
  return response;
}

}  // namespace tresor::server
