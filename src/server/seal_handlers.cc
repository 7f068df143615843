// The seal endpoints: sys/health, sys/seal-status, sys/init, sys/unseal,
// sys/seal; and the start-up paths (development server, auto-unseal).
#include <sodium.h>

#include <ctime>

#include "age/base64.h"
#include "crypto/kdf.h"
#include "server/api.h"
#include "server/responses.h"
#include "store/pending_writes.h"

namespace tresor::server {
namespace {

// An unseal key as a client sends it: hex or base64 (Vault accepts both).
std::optional<crypto::SecretBytes> DecodeKey(const std::string& text) {
  crypto::SecretBytes out(text.size());
  size_t size = 0;
  const char* end = nullptr;
  const bool hex = text.size() % 2 == 0 &&
                   sodium_hex2bin(out.Mutable().data(), out.size(), text.data(), text.size(),
                                  nullptr, &size, &end) == 0 &&
                   end == text.data() + text.size();
  if (!hex) {
    for (int variant :
         {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
      if (sodium_base642bin(out.Mutable().data(), out.size(), text.data(), text.size(), nullptr,
                            &size, &end, variant) == 0 &&
          end == text.data() + text.size()) {
        break;
      }
      size = 0;
    }
  }
  if (size == 0) return std::nullopt;
  out.Truncate(size);
  return out;
}

// The unseal key and the nonce of a sys/generate-root or sys/rekey update.
Result<std::pair<crypto::SecretBytes, std::string>> KeyAndNonce(const Json& body) {
  if (!body.contains("key") || !body["key"].is_string()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "'key' must be specified in request body as JSON");
  }
  auto key = DecodeKey(body["key"].get<std::string>());
  if (!key)
    return MakeError(ErrorCode::kInvalidArgument, "'key' must be a valid hex or base64 string");
  std::string nonce =
      body.contains("nonce") && body["nonce"].is_string() ? body["nonce"].get<std::string>() : "";
  return std::pair{std::move(*key), std::move(nonce)};
}

int QueryCode(const http::Request& request, const char* name, int fallback) {
  const std::string* value = request.Query(name);
  if (value == nullptr) return fallback;
  const int code = std::atoi(value->c_str());
  return code >= 200 && code <= 599 ? code : fallback;
}

}  // namespace

http::Response Api::Health(const http::Request& request) {
  const SealStatus status = seal_.Status(sealed());
  const int code = !status.initialized ? QueryCode(request, "uninitcode", 501)
                   : status.sealed     ? QueryCode(request, "sealedcode", 503)
                                       : QueryCode(request, "activecode", 200);
  http::Response response =
      JsonResponse(code, Json{{"initialized", status.initialized},
                              {"sealed", status.sealed},
                              {"standby", false},
                              {"performance_standby", false},
                              {"replication_performance_mode", "disabled"},
                              {"replication_dr_mode", "disabled"},
                              {"server_time_utc", static_cast<int64_t>(std::time(nullptr))},
                              {"version", options_.version},
                              {"cluster_name", options_.cluster_name}});
  if (request.method == "HEAD") response.body.clear();
  return response;
}

http::Response Api::SealStatusResponse() {
  const SealStatus s = seal_.Status(sealed());
  Json body{{"type", s.type},
            {"initialized", s.initialized},
            {"sealed", s.sealed},
            {"t", s.threshold},
            {"n", s.shares},
            {"progress", s.progress},
            {"nonce", ""},
            {"version", options_.version},
            {"migration", false},
            {"recovery_seal", false},
            {"storage_type", options_.storage->type()}};
  if (!s.sealed) body["cluster_name"] = options_.cluster_name;
  return JsonResponse(200, body);
}

http::Response Api::Init(const http::Request& request, const Json& body) {
  if (request.method == "GET") {
    auto initialized = seal_.Initialized();
    if (!initialized) return Error(500, "storage read failed");
    return JsonResponse(200, Json{{"initialized", *initialized}});
  }
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  auto number = [&](const char* name) -> int {
    return body.contains(name) && body[name].is_number_integer() ? body[name].get<int>() : 0;
  };
  // Options that would change how the keys are handed out (encrypted to
  // PGP keys, a recovery seal) are not built: refused, never ignored (the
  // keys would be printed in the clear to someone who asked otherwise).
  for (const char* option : {"pgp_keys", "root_token_pgp_key", "recovery_shares",
                             "recovery_threshold", "recovery_pgp_keys", "stored_shares"}) {
    const auto given = body.find(option);
    if (given == body.end() || given->is_null() || *given == 0 || *given == "" ||
        *given == Json::array()) {
      continue;
    }
    return Error(400, std::string(option) + " is not supported by this server");
  }
  auto result = seal_.Init(number("secret_shares"), number("secret_threshold"));
  if (!result) {
    if (result.error().code == ErrorCode::kRefused)
      return Error(400, "Vault is already initialized");
    if (result.error().code == ErrorCode::kInvalidArgument ||
        result.error().code == ErrorCode::kIntegrity) {
      return Error(400, result.error().message);
    }
    return Error(500, "initialization failed: " + result.error().message);
  }
  auto core = Core::Load(result->barrier);
  if (!core) return Error(500, "initialization failed: " + core.error().message);
  TokenRequest root;
  root.policies = {"root"};
  root.display_name = "root";
  root.path = "auth/token/root";
  auto created = (*core)->tokens().Create(root, "");
  if (!created) return Error(500, "initialization failed: " + created.error().message);
  const std::string& token = created->first;
  Json keys = Json::array();
  Json keys_base64 = Json::array();
  for (const auto& share : result->shares) {
    keys.push_back(crypto::HexEncode(share.Reveal()));
    keys_base64.push_back(age::EncodeBase64Padded(share.Reveal()));
  }
  // An auto-unseal seal opens itself; Shamir shares are given out, and the
  // server stays sealed until they come back.
  if (seal_.unseals_itself()) std::atomic_store(&core_, std::shared_ptr<Core>(std::move(*core)));
  return JsonResponse(200, Json{{"keys", keys},
                                {"keys_base64", keys_base64},
                                {"recovery_keys", Json::array()},
                                {"recovery_keys_base64", Json::array()},
                                {"root_token", token}});
}

http::Response Api::Unseal(const Json& body) {
  if (body.contains("reset") && body["reset"].is_boolean() && body["reset"].get<bool>()) {
    seal_.ResetProgress();
    return SealStatusResponse();
  }
  if (!sealed()) return SealStatusResponse();
  if (!body.contains("key") || !body["key"].is_string()) {
    return Error(400, "'key' must be specified in request body as JSON, or 'reset' set to true");
  }
  auto key = DecodeKey(body["key"].get<std::string>());
  if (!key) return Error(400, "'key' must be a valid hex or base64 string");
  auto barrier = seal_.AddShare(key->Reveal());
  if (!barrier) return Error(400, barrier.error().message);
  if (*barrier != nullptr) {
    if (auto opened = Open(std::move(*barrier)); !opened) {
      return Error(500, "unseal failed: " + opened.error().message);
    }
  }
  return SealStatusResponse();
}

http::Response Api::GenerateRoot(Core& core, const http::Request& request, const std::string& path,
                                 const Json& body) {
  const SealStatus seal = seal_.Status(false);
  if (seal.type != "shamir") {
    return Error(400, "generate-root needs unseal keys; this server unseals with its age identity");
  }
  const auto answer = [](const RootGenerationStatus& s) {
    Json out{{"started", s.started},
             {"nonce", s.nonce},
             {"progress", s.progress},
             {"required", s.required},
             {"complete", s.complete},
             {"encoded_token", s.encoded_token},
             {"encoded_root_token", s.encoded_token},
             {"pgp_fingerprint", ""},
             {"otp", s.otp},
             {"otp_length", RootGeneration::kOtpLength}};
    return JsonResponse(200, out);
  };
  if (path == "sys/generate-root/attempt") {
    if (request.method == "GET") return answer(root_generation_.Status(seal.threshold));
    if (request.method == "DELETE") {
      root_generation_.Cancel();
      return NoContent();
    }
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    for (const char* option : {"pgp_key", "otp"}) {
      if (body.contains(option) && body[option] != "" && !body[option].is_null()) {
        return Error(400, std::string(option) +
                              " is not supported: the server makes the one-time pad and "
                              "answers it once");
      }
    }
    auto started = root_generation_.Start(seal.threshold);
    if (!started) return Error(400, started.error().message);
    return answer(*started);
  }
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  auto given = KeyAndNonce(body);
  if (!given) return Error(400, given.error().message);
  auto& [key, nonce] = *given;
  auto added =
      root_generation_.Add(nonce, std::move(key), seal.threshold,
                           [&](std::vector<crypto::SecretBytes> keys) -> Result<std::string> {
                             TRESOR_RETURN_IF_ERROR(seal_.VerifyShares(std::move(keys)));
                             TokenRequest root;
                             root.policies = {"root"};
                             root.display_name = "root";
                             root.path = "auth/token/root";
                             TRESOR_ASSIGN_OR_RETURN(auto created, core.tokens().Create(root, ""));
                             return created.first;
                           });
  if (!added) return Error(400, added.error().message);
  return answer(*added);
}

http::Response Api::RekeyHandler(const http::Request& request, const std::string& path,
                                 const Json& body) {
  const SealStatus seal = seal_.Status(false);
  if (seal.type != "shamir") {
    return Error(400, "rekey needs unseal keys; this server unseals with its age identity");
  }
  const auto answer = [](const RekeyStatus& s) {
    Json out{{"started", s.started},
             {"nonce", s.nonce},
             {"t", s.threshold},
             {"n", s.shares},
             {"progress", s.progress},
             {"required", s.required},
             {"pgp_fingerprints", nullptr},
             {"backup", false},
             {"verification_required", false}};
    if (s.complete) {
      out = Json{{"complete", true},
                 {"nonce", s.nonce},
                 {"keys", s.keys_hex},
                 {"keys_base64", s.keys_base64},
                 {"pgp_fingerprints", nullptr},
                 {"backup", false},
                 {"verification_required", false}};
    }
    return JsonResponse(200, out);
  };
  if (path == "sys/rekey/init") {
    if (request.method == "GET") return answer(rekey_.Status(seal.threshold));
    if (request.method == "DELETE") {
      rekey_.Cancel();
      return NoContent();
    }
    if (!IsWrite(request)) return Error(405, "unsupported operation");
    for (const char* option : {"pgp_keys", "backup", "require_verification"}) {
      if (body.contains(option) && !body[option].is_null() && body[option] != false &&
          body[option] != Json::array()) {
        return Error(400, std::string(option) + " is not supported");
      }
    }
    const int shares = body.value("secret_shares", 0);
    const int threshold = body.value("secret_threshold", 0);
    if (auto valid = Seal::CheckShares(shares, threshold); !valid) {
      return Error(400, valid.error().message);
    }
    auto started = rekey_.Start(shares, threshold, seal.threshold);
    if (!started) return Error(400, started.error().message);
    return answer(*started);
  }
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  auto given = KeyAndNonce(body);
  if (!given) return Error(400, given.error().message);
  auto& [key, nonce] = *given;
  auto added = rekey_.Add(nonce, std::move(key), seal.threshold,
                          [&](std::vector<crypto::SecretBytes> keys, int shares, int threshold) {
                            return seal_.Rekey(std::move(keys), shares, threshold);
                          });
  if (!added) return Error(400, added.error().message);
  return answer(*added);
}

http::Response Api::SealNow(const http::Request& request) {
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  auto core = this->core();
  if (core == nullptr) return NoContent();
  if (!core->Authorize(request, "sys/seal", acl::kUpdate)) return Error(403, "permission denied");
  std::atomic_store(&core_, std::shared_ptr<Core>());
  return NoContent();
}

Result<crypto::SecretBytes> Api::StartDev(const std::string& root_token) {
  TRESOR_ASSIGN_OR_RETURN(auto result, seal_.Init(1, 1));
  TRESOR_RETURN_IF_ERROR(Open(result.barrier));
  core()->tokens().AddRoot(root_token);
  (void)store::TakeNotedWrites();
  return std::move(result.shares.front());
}

Result<void> Api::AutoUnseal() {
  if (!sealed()) return {};
  TRESOR_ASSIGN_OR_RETURN(auto barrier, seal_.UnsealWithWrapper());
  return Open(std::move(barrier), /*only_if_sealed=*/true);
}

}  // namespace tresor::server
