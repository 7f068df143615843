#include "server/api.h"

#include <chrono>

#include "crypto/random.h"
#include "server/responses.h"
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
bool AuditResponse(audit::AuditLog& audit, const Json& about, const http::Response& response,
                   const crypto::HmacSha256Key& key) {
  Json logged{{"time", NowRfc3339()},
              {"type", "response"},
              {"request", about},
              {"response", {{"status", response.status}}}};
  if (!response.body.empty()) {
    Json body = Json::parse(response.body, nullptr, false);
    if (body.is_object()) {
      // Error messages never hold a value; everything else is HMAC'd.
      Json errors = body.contains("errors") ? body["errors"] : Json(nullptr);
      body.erase("errors");
      if (!body.empty()) logged["response"]["body"] = audit::HmacStrings(body, key);
      if (!errors.is_null()) logged["response"]["errors"] = errors;
    }
  }
  return audit.Append(std::move(logged)).has_value();
}

}  // namespace

Api::Api(ApiOptions options)
    : options_(std::move(options)),
      seal_(options_.storage, options_.age_identity_file),
      sealed_audit_key_(
          std::make_shared<crypto::HmacSha256Key>(crypto::RandomSecret(32).Reveal())) {}

Result<void> Api::Open(std::shared_ptr<store::Barrier> barrier) {
  TRESOR_ASSIGN_OR_RETURN(std::shared_ptr<Core> core, Core::Load(std::move(barrier)));
  std::atomic_store(&core_, core);
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

http::Response Api::Audited(const http::Request& request) {
  // The body is parsed once, for the audit line and for the handler.
  const Json parsed =
      request.body.empty() ? Json(nullptr) : Json::parse(request.body, nullptr, false);
  (void)store::TakeNotedWrites();  // nothing is carried over from another request
  if (!options_.audit) return AwaitWrites(Serve(request, parsed));
  const auto core = this->core();  // the audit key stays alive with it
  const Json about{{"id", RequestId()}, {"operation", Operation(request)}, {"path", request.path}};
  std::string bearer;
  const std::string* token = RequestToken(request, &bearer);
  // Both stay alive as long as the deferred response below may need them.
  std::shared_ptr<const crypto::HmacSha256Key> sealed_key = sealed_audit_key_;
  const crypto::HmacSha256Key& key = core ? core->audit_key() : *sealed_key;
  Json entry{{"time", NowRfc3339()},
             {"type", "request"},
             {"auth", {{"client_token", token ? Json(audit::HmacString(*token, key)) : Json()}}},
             {"request", about}};
  if (!request.body.empty()) {
    entry["request"]["data"] =
        parsed.is_discarded() ? Json("(not JSON)") : audit::HmacStrings(parsed, key);
  }
  if (!options_.audit->Append(std::move(entry)).has_value()) {
    return Error(500, "audit log write failed");
  }
  http::Response response = AwaitWrites(Serve(request, parsed));
  // The response line is written when the response is final.
  OnFinal(response, [audit = options_.audit, about, core, sealed_key](http::Response& done) {
    if (!AuditResponse(*audit, about, done, core ? core->audit_key() : *sealed_key)) {
      done = Error(500, "audit log write failed");
    }
  });
  return response;
}

http::Response Api::AwaitWrites(http::Response response) {
  const store::NotedWrites noted = store::TakeNotedWrites();
  if (noted.failed) return Error(500, "storage write failed");
  if (noted.seq == 0 || options_.storage->IsDurable(noted.seq)) return response;
  http::Response held;
  held.defer = [storage = options_.storage, seq = noted.seq,
                ready = std::move(response)](http::Reply reply) mutable {
    storage->WhenDurable(seq, [ready = std::move(ready), reply = std::move(reply)](bool ok) {
      reply(ok ? ready : Error(500, "storage write failed"));
    });
  };
  return held;
}

http::Response Api::Serve(const http::Request& request, const Json& parsed) {
  if (!request.path.starts_with("/v1/")) return Error(404, "unsupported path");
  const std::string path = request.path.substr(4);
  Json body = Json::object();
  if (!request.body.empty() && request.method != "GET" && request.method != "HEAD") {
    if (parsed.is_discarded() || !parsed.is_object()) {
      return Error(400, "failed to parse JSON input");
    }
    body = parsed;
  }
  if (path == "sys/health") return Health(request);
  if (path == "sys/seal-status") return SealStatusResponse();
  if (path == "sys/init") return Init(request, body);
  if (path == "sys/unseal") {
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    return Unseal(body);
  }
  if (path == "sys/seal") return SealNow(request);
  if (path == "sys/metrics") return MetricsResponse(request);
  auto core = this->core();
  if (core == nullptr) return Error(503, "Vault is sealed");
  return core->Route(request, path, body);
}

http::Response Api::MetricsResponse(const http::Request& request) {
  if (request.method != "GET") return Error(405, "unsupported operation");
  auto core = this->core();
  if (core == nullptr) return Error(503, "Vault is sealed");
  if (!core->Authorize(request, "sys/metrics", acl::kRead)) return Error(403, "permission denied");
  const std::vector<Metrics::Gauge> gauges{
      {"tresor_sealed", "1 while the server is sealed.", 0},
      {"tresor_tokens", "Tokens in the store.", static_cast<double>(core->tokens().size())},
      {"tresor_kv_cached_keys", "KV keys held in memory.",
       static_cast<double>(core->kv_cached_keys())},
      {"tresor_storage_batches_total", "Write batches submitted to storage.",
       static_cast<double>(options_.storage->submitted())},
      {"tresor_storage_transactions_total", "Storage transactions committed (group commit).",
       static_cast<double>(options_.storage->transactions())},
  };
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
