#include <algorithm>
#include <set>

#include "crypto/random.h"
#include "formats/ascii.h"
#include "http/request_parser.h"
#include "server/api.h"
#include "server/jwt/jwt_auth.h"
#include "server/records.h"
#include "server/responses.h"
#include "server/times.h"
#include "server/tools.h"

namespace tresor::server {
namespace {}  // namespace

const std::string* RequestToken(const http::Request& request, std::string* bearer) {
  if (const std::string* token = request.Header("x-vault-token")) return token;
  const std::string* auth = request.Header("authorization");
  if (auth == nullptr || !auth->starts_with("Bearer ")) return nullptr;
  *bearer = auth->substr(7);
  return bearer;
}

std::string NewToken() {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out = "tr.";
  uint8_t bytes[64];  // 32 are needed; 1 in 32 is rejected below
  while (out.size() < 35) {
    crypto::FillRandom(bytes);
    for (uint8_t b : bytes) {
      // 248 = 4 * 62: no modulo bias
      if (b < 248 && out.size() < 35) out.push_back(kAlphabet[b % 62]);
    }
  }
  return out;
}

bool IsList(const http::Request& r) {
  if (r.method == "LIST") return true;
  if (r.method != "GET") return false;
  const std::string* list = r.Query("list");
  // Vault's reading of a boolean (Go's strconv.ParseBool).
  static const std::set<std::string_view> kTrue{"1", "t", "T", "TRUE", "true", "True"};
  return list != nullptr && kTrue.contains(*list);
}

bool IsWrite(const http::Request& r) { return r.method == "PUT" || r.method == "POST"; }

Core::Core(std::shared_ptr<store::Barrier> barrier)
    : barrier_(std::move(barrier)),
      audit_key_(barrier_->keyring()->DeriveKey("tresor audit hmac").Reveal()),
      mounts_(*barrier_),
      policies_(barrier_.get()),
      tokens_(nullptr, barrier_.get()),
      token_roles_(barrier_.get()),
      auth_(auth::Services{barrier_.get(), NowUnix, jwt::FetchJwksOverHttp}) {}

Result<Json> Core::OpenEncryptedWrite(const http::Request& request, const Mount* mount,
                                      const std::string& rest, const Json& body) const {
  const std::string& flag = *request.Header("x-tresor-encrypted");
  if (flag != "true") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "X-Tresor-Encrypted: \"" + flag.substr(0, 16) + "\": expected true");
  }
  Json opened = body;
  Json* fields = mount == nullptr ? nullptr : mount->engine->EncryptedValues(request, rest, opened);
  if (fields == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "X-Tresor-Encrypted: only a KV write (KV v2 data/, KV v1) takes values "
                     "encrypted to the server");
  }
  if (!fields->is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "no data to write");
  }
  for (auto& [name, value] : fields->items()) {
    if (!value.is_string()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "field " + name + ": an encrypted value is a string (an age ciphertext)");
    }
    auto plaintext = identity_->Open(value.get_ref<const std::string&>());
    if (!plaintext) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "field " + name + ": " + plaintext.error().message);
    }
    if (!http::IsValidUtf8(*plaintext)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "field " + name + ": the decrypted value is not UTF-8 text");
    }
    value = std::move(*plaintext);
  }
  return opened;
}

Result<std::unique_ptr<Core>> Core::Load(std::shared_ptr<store::Barrier> barrier) {
  // What is loaded below is at least as new as this revision; the watch
  // brings every change after it (some a second time, which is harmless).
  TRESOR_ASSIGN_OR_RETURN(const uint64_t revision, barrier->storage().Revision());
  barrier->local_writes().Clear();
  std::unique_ptr<Core> core(new Core(std::move(barrier)));
  TRESOR_RETURN_IF_ERROR(core->mounts_.Load());
  TRESOR_RETURN_IF_ERROR(core->policies_.Load());
  TRESOR_RETURN_IF_ERROR(core->tokens_.Load());
  TRESOR_ASSIGN_OR_RETURN(ServerIdentity identity, ServerIdentity::LoadOrCreate(*core->barrier_));
  core->identity_.emplace(std::move(identity));
  TRESOR_RETURN_IF_ERROR(core->auth_.Load());
  TRESOR_RETURN_IF_ERROR(core->Follow(revision));
  return core;
}

bool IsRoot(const std::vector<std::string>& policies) {
  return std::find(policies.begin(), policies.end(), "root") != policies.end();
}

bool Core::HasSudo(const Caller& caller, const std::string& path) {
  return IsRoot(caller.info.policies) ||
         (policies_.AclFor(caller.info.policies)->Capabilities(path) & acl::kSudo) != 0;
}

Result<acl::Capability> Core::Needed(const http::Request& request, const std::string& path) {
  if (IsList(request)) return acl::kList;
  if (request.method == "GET" || request.method == "HEAD") return acl::kRead;
  if (request.method == "DELETE") return acl::kDelete;
  if (request.method == "PATCH") return acl::kPatch;
  // A write creates or updates: for KV values, by whether the key exists.
  std::string rest;
  if (auto mount = mounts_.Find(path, &rest)) {
    TRESOR_ASSIGN_OR_RETURN(const bool creates, mount->engine->WriteCreates(rest));
    return creates ? acl::kCreate : acl::kUpdate;
  }
  return acl::kUpdate;
}

namespace {

// A parameter's values for policy checks: a string's content, other JSON as
// written, one per element of a list.
std::vector<std::string> ParameterTexts(const Json& value) {
  std::vector<std::string> out;
  auto text = [](const Json& v) { return v.is_string() ? v.get<std::string>() : Dump(v); };
  if (value.is_array()) {
    for (const Json& element : value) out.push_back(text(element));
  } else {
    out.push_back(text(value));
  }
  return out;
}

// The request's parameters as policies see them: its query, then the JSON
// body's members.
acl::Parameters ParametersOf(const http::Request& request, const Json& body) {
  acl::Parameters out;
  for (const auto& [name, value] : request.query)
    out.push_back({formats::AsciiLower(name), {value}});
  if (body.is_object()) {
    for (const auto& [name, value] : body.items()) {
      out.push_back({formats::AsciiLower(name), ParameterTexts(value)});
    }
  }
  return out;
}

}  // namespace

template <typename Decide>
Result<std::optional<Caller>> Core::AuthorizeWith(const http::Request& request,
                                                  const std::string& path, const Json& body,
                                                  const Decide& decide) {
  std::string bearer;
  const std::string* token = RequestToken(request, &bearer);
  auto found = token == nullptr ? std::nullopt : tokens_.Lookup(*token);
  if (!found) return std::optional<Caller>();
  const std::shared_ptr<const acl::Acl> acl = policies_.AclFor(found->second.policies);
  TRESOR_ASSIGN_OR_RETURN(const acl::Capability capability, decide(*acl));
  // Vault checks a listing against its path with a trailing slash, so that
  // a rule for "secret/metadata/app/*" allows listing secret/metadata/app.
  const bool folder = capability == acl::kList && !path.ends_with('/');
  const std::string checked = folder ? path + "/" : path;
  if (!acl->AllowsRequest(checked, capability, [&] { return ParametersOf(request, body); })) {
    return std::optional<Caller>();
  }
  if (found->second.num_uses != 0) {  // a limited-use token: this request is one use
    auto used = tokens_.Use(found->first);
    if (!used) return std::optional<Caller>();  // its last use went to a concurrent request
    found->second = std::move(*used);
  }
  return std::optional<Caller>(Caller{found->first, found->second});
}

std::optional<Caller> Core::Authorize(const http::Request& request, const std::string& path,
                                      acl::Capability capability, const Json& body) {
  auto caller = AuthorizeWith(
      request, path, body, [&](const acl::Acl&) -> Result<acl::Capability> { return capability; });
  return caller ? std::move(*caller) : std::nullopt;
}

http::Response Core::Route(const http::Request& request, const std::string& path,
                           const Json& body) {
  if (path == "sys/internal/ui/mounts") return UiMounts(request);

  // lookup-self, renew-self and revoke-self are checked against the
  // default policy like any path: a token without it cannot use them.
  // A KV write needs create or update by whether its key exists: asked of
  // the store only when the caller's policies grant one and not the other
  // (a write to a key not in the cache is then one round trip to etcd).
  auto authorized =
      AuthorizeWith(request, path, body, [&](const acl::Acl& acl) -> Result<acl::Capability> {
        constexpr uint32_t kEither = acl::kCreate | acl::kUpdate;
        if (IsWrite(request) && (acl.Capabilities(path) & kEither) == kEither) {
          return acl::kUpdate;
        }
        return Needed(request, path);
      });
  if (!authorized) {
    const KvOutcome failed = KvStorageFailure(authorized.error());
    return Error(failed.status, failed.errors.front());
  }
  if (!*authorized) return Error(403, "permission denied");
  const Caller& caller = **authorized;

  if (path == "cubbyhole" || path.starts_with("cubbyhole/")) {
    const std::string rest = path.size() > 10 ? path.substr(10) : "";  // after "cubbyhole/"
    return Cubbyhole(request, rest, body, caller);
  }
  std::string rest;
  const std::shared_ptr<const Mount> mount = mounts_.Find(path, &rest);
  if (request.Header("x-tresor-encrypted") != nullptr) {
    auto opened = OpenEncryptedWrite(request, mount.get(), rest, body);
    if (!opened) return Error(400, opened.error().message);
    return mount->engine->Handle(request, rest, *opened);
  }
  if (mount != nullptr) return mount->engine->Handle(request, rest, body);
  if (path == "sys/remount") return Remount(request, body);
  if (path == "sys/mounts" || path.starts_with("sys/mounts/") ||
      path.starts_with("sys/internal/ui/mounts/")) {
    return Mounts(request, path, body);
  }
  if (path.starts_with("auth/token/")) return Token(request, path, body, caller);
  if (path == "sys/rotate" || path == "sys/key-status") return Keys(request, path, caller);
  if (path.starts_with("sys/leases/")) return Leases(request, path, body, caller);
  if (path == "sys/capabilities" || path == "sys/capabilities-self" ||
      path == "sys/capabilities-accessor") {
    return Capabilities(request, path, body, caller);
  }
  if (path == "sys/tools/random" || path.starts_with("sys/tools/random/") ||
      path == "sys/tools/hash" || path.starts_with("sys/tools/hash/")) {
    return Tools(request, path, body);
  }
  if (path.starts_with("auth/")) {
    if (const auto method = auth_.Find(path, &rest)) {
      return method->method->Handle(request, rest, body);
    }
  }
  if (path == "sys/auth" || path.starts_with("sys/auth/")) return AuthMounts(request, path, body);
  if (path.starts_with("sys/policy") || path.starts_with("sys/policies/acl")) {
    return Policy(request, path, body);
  }
  return Error(404, "no handler for route \"" + path + "\"");
}

}  // namespace tresor::server
