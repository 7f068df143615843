#include "server/approle/approle.h"

#include <algorithm>

#include "crypto/random.h"
#include "formats/bounded_json.h"
#include "server/approle/cidr.h"
#include "server/auth_settings.h"
#include "server/records.h"

namespace tresor::server::approle {
namespace {

using Json = nlohmann::json;

// The kinds of records, under the mount's prefix ("auth/approle/").
constexpr std::string_view kRoles = "role/";
constexpr std::string_view kRoleIds = "role-id/";
constexpr std::string_view kSecretIds = "secret-id/";
constexpr std::string_view kAccessors = "accessor/";
// Deletions of a role's secret IDs go in transactions of this many writes
// (etcd refuses more than 128 operations in one by default).
constexpr size_t kDeleteChunk = 64;

tresor::Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}
tresor::Error Denied() { return MakeError(ErrorCode::kRefused, "invalid role or secret ID"); }

// A random version 4 UUID, straight from the kernel's generator.
std::string NewUuid() {
  uint8_t b[16];
  crypto::FillRandom(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  const std::string hex = crypto::HexEncode(b);
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < hex.size(); ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(hex[i]);
  }
  return out;
}

Result<std::vector<std::string>> CheckedCidrs(std::vector<std::string> list, const char* field) {
  for (const std::string& block : list) {
    if (auto cidr = Cidr::Parse(block); !cidr) {
      return Invalid(std::string(field) + ": " + cidr.error().message);
    }
  }
  return list;
}

Json RoleJson(const Role& r) {
  return Json{{"role_id", r.role_id},
              {"policies", r.policies},
              {"token_ttl", r.token_ttl},
              {"token_max_ttl", r.token_max_ttl},
              {"token_num_uses", r.token_num_uses},
              {"token_no_default_policy", r.token_no_default_policy},
              {"bind_secret_id", r.bind_secret_id},
              {"secret_id_ttl", r.secret_id_ttl},
              {"secret_id_num_uses", r.secret_id_num_uses},
              {"secret_id_bound_cidrs", r.secret_id_bound_cidrs}};
}

Role RoleFrom(const std::string& name, const Json& j) {
  Role r;
  r.name = name;
  r.role_id = j.at("role_id").get<std::string>();
  r.policies = j.at("policies").get<std::vector<std::string>>();
  r.token_ttl = j.at("token_ttl").get<int64_t>();
  r.token_max_ttl = j.at("token_max_ttl").get<int64_t>();
  r.token_num_uses = j.at("token_num_uses").get<int64_t>();
  r.token_no_default_policy = j.at("token_no_default_policy").get<bool>();
  r.bind_secret_id = j.at("bind_secret_id").get<bool>();
  r.secret_id_ttl = j.at("secret_id_ttl").get<int64_t>();
  r.secret_id_num_uses = j.at("secret_id_num_uses").get<int64_t>();
  r.secret_id_bound_cidrs = j.at("secret_id_bound_cidrs").get<std::vector<std::string>>();
  return r;
}

Json SecretJson(const SecretId& s) {
  return Json{{"accessor", s.accessor},
              {"creation_time", s.creation_time},
              {"expiration_time", s.expiration_time},
              {"num_uses", s.num_uses},
              {"cidr_list", s.cidr_list},
              {"metadata", s.metadata}};
}

SecretId SecretFrom(const Json& j) {
  SecretId s;
  s.accessor = j.at("accessor").get<std::string>();
  s.creation_time = j.at("creation_time").get<int64_t>();
  s.expiration_time = j.at("expiration_time").get<int64_t>();
  s.num_uses = j.at("num_uses").get<int64_t>();
  s.cidr_list = j.at("cidr_list").get<std::vector<std::string>>();
  s.metadata = j.at("metadata").get<std::map<std::string, std::string>>();
  return s;
}

// Settings tresor does not implement, refused rather than ignored.
std::string Unsupported(const Json& body) {
  for (const char* name :
       {"token_bound_cidrs", "token_period", "token_explicit_max_ttl", "bound_cidr_list",
        "local_secret_ids", "enable_local_secret_ids", "period"}) {
    if (body.contains(name) && !body[name].is_null() && body[name] != false && body[name] != 0 &&
        body[name] != "" && body[name] != Json::array()) {
      return name;
    }
  }
  if (body.contains("token_type") && body["token_type"] != "default" &&
      body["token_type"] != "service" && !body["token_type"].is_null()) {
    return "token_type";
  }
  return "";
}

}  // namespace

std::string AppRole::Key(std::string_view kind, const std::string& a, const std::string& b) const {
  std::string key = prefix_;
  key.append(kind).append(a);
  if (!b.empty()) key.append("/").append(b);
  return key;
}

AppRole::AppRole(store::Barrier* barrier, std::string prefix, std::function<int64_t()> now)
    : barrier_(barrier),
      prefix_(std::move(prefix)),
      now_(std::move(now)),
      hmac_key_(barrier->keyring()->DeriveKey("tresor approle hmac").Reveal()) {}

std::string AppRole::Mac(const std::string& value) const {
  return crypto::HexEncode(hmac_key_.Mac(crypto::AsBytes(value)));
}

Result<void> AppRole::WriteRole(const std::string& name, const Json& body) {
  if (!ValidRoleName(name)) {
    return Invalid("role name \"" + name.substr(0, 64) +
                   "\": letters, digits, '-', '_' and '.' only, at most 128");
  }
  if (const std::string unsupported = Unsupported(body); !unsupported.empty()) {
    return Invalid(unsupported + " is not supported");
  }
  TRESOR_ASSIGN_OR_RETURN(auto bind, OptionalFlag(body, "bind_secret_id"));
  TRESOR_ASSIGN_OR_RETURN(auto no_default, OptionalFlag(body, "token_no_default_policy"));
  TRESOR_ASSIGN_OR_RETURN(auto secret_uses, OptionalCount(body, "secret_id_num_uses"));
  TRESOR_ASSIGN_OR_RETURN(auto token_uses, OptionalCount(body, "token_num_uses"));
  TRESOR_ASSIGN_OR_RETURN(auto secret_ttl, OptionalSeconds(body, "secret_id_ttl"));
  TRESOR_ASSIGN_OR_RETURN(auto ttl, OptionalSeconds(body, "token_ttl"));
  TRESOR_ASSIGN_OR_RETURN(auto max_ttl, OptionalSeconds(body, "token_max_ttl"));
  std::optional<std::vector<std::string>> cidrs;
  if (auto given = StringList(body, "secret_id_bound_cidrs")) {
    TRESOR_ASSIGN_OR_RETURN(cidrs, CheckedCidrs(std::move(*given), "secret_id_bound_cidrs"));
  }
  const std::string key = Key(kRoles, name);
  for (int attempt = 0; attempt < kUseAttempts; ++attempt) {
    TRESOR_ASSIGN_OR_RETURN(RecordAt stored, GetRecordAt(*barrier_, key));
    Role role;
    if (stored.record) {
      TRESOR_ASSIGN_OR_RETURN(role, ParseRecord<Role>(key, *stored.record, [&](const Json& j) {
                                return RoleFrom(name, j);
                              }));
    } else {
      role.name = name;
      role.role_id = NewUuid();
    }
    if (bind) role.bind_secret_id = *bind;
    if (no_default) role.token_no_default_policy = *no_default;
    if (secret_uses) role.secret_id_num_uses = *secret_uses;
    if (token_uses) role.token_num_uses = *token_uses;
    if (secret_ttl) role.secret_id_ttl = *secret_ttl;
    if (ttl) role.token_ttl = *ttl;
    if (max_ttl) role.token_max_ttl = *max_ttl;
    if (cidrs) role.secret_id_bound_cidrs = *cidrs;
    if (auto policies = PolicyList(body)) role.policies = std::move(*policies);
    if (!role.bind_secret_id && role.secret_id_bound_cidrs.empty()) {
      return Invalid(
          "at least one constraint should be enabled on the role (bind_secret_id or "
          "secret_id_bound_cidrs)");
    }
    std::vector<store::Write> writes{SealRecord(*barrier_, key, RoleJson(role))};
    if (!stored.record) {
      writes.push_back(
          SealRecord(*barrier_, Key(kRoleIds, Mac(role.role_id)), Json{{"role", name}}));
    }
    TRESOR_ASSIGN_OR_RETURN(auto applied, barrier_->ApplyIf({{key, stored.revision}}, writes));
    if (applied.applied) return {};
  }
  return MakeError(ErrorCode::kUnavailable, "role " + name + " kept changing; try again");
}

Result<std::optional<Role>> AppRole::ReadRole(const std::string& name) {
  if (!ValidRoleName(name)) return std::optional<Role>();
  const std::string key = Key(kRoles, name);
  TRESOR_ASSIGN_OR_RETURN(auto record, GetRecord(*barrier_, key));
  if (!record) return std::optional<Role>();
  TRESOR_ASSIGN_OR_RETURN(
      Role role, ParseRecord<Role>(key, *record, [&](const Json& j) { return RoleFrom(name, j); }));
  return std::optional<Role>(std::move(role));
}

Result<std::vector<std::string>> AppRole::ListRoles() {
  return NamesUnder(*barrier_, Key(kRoles, ""));
}

Result<void> AppRole::DeleteRole(const std::string& name) {
  TRESOR_ASSIGN_OR_RETURN(auto role, ReadRole(name));
  if (!role) return MakeError(ErrorCode::kNotFound, "role " + name + " does not exist");
  // The role first, so that no login starts from here on; its secret IDs
  // after, in chunks.
  TRESOR_RETURN_IF_ERROR(barrier_->Apply(
      {{Key(kRoles, name), std::nullopt}, {Key(kRoleIds, Mac(role->role_id)), std::nullopt}}));
  std::vector<store::Write> deletes;
  for (std::string_view prefix : {kSecretIds, kAccessors}) {
    TRESOR_ASSIGN_OR_RETURN(auto keys, barrier_->Keys(Key(prefix, name) + "/"));
    for (std::string& key : keys) deletes.push_back({std::move(key), std::nullopt});
  }
  for (size_t at = 0; at < deletes.size(); at += kDeleteChunk) {
    const size_t end = std::min(deletes.size(), at + kDeleteChunk);
    TRESOR_RETURN_IF_ERROR(
        barrier_->Apply(std::vector<store::Write>(deletes.begin() + at, deletes.begin() + end)));
  }
  return {};
}

Result<void> AppRole::SetRoleId(const std::string& name, const std::string& role_id) {
  if (role_id.empty() || role_id.size() > 512) return Invalid("role_id: 1 to 512 characters");
  const std::string key = Key(kRoles, name);
  TRESOR_ASSIGN_OR_RETURN(RecordAt stored, GetRecordAt(*barrier_, key));
  if (!stored.record) return Invalid("role \"" + name + "\" does not exist");
  TRESOR_ASSIGN_OR_RETURN(Role role, ParseRecord<Role>(key, *stored.record, [&](const Json& j) {
                            return RoleFrom(name, j);
                          }));
  const std::string index = Key(kRoleIds, Mac(role_id));
  TRESOR_ASSIGN_OR_RETURN(RecordAt taken, GetRecordAt(*barrier_, index));
  if (taken.record) {
    if (taken.record->value("role", "") == name) return {};
    return Invalid("role_id is in use by another role");
  }
  const std::string old_index = Key(kRoleIds, Mac(role.role_id));
  role.role_id = role_id;
  TRESOR_ASSIGN_OR_RETURN(auto applied,
                          barrier_->ApplyIf({{key, stored.revision}, {index, 0}},
                                            {SealRecord(*barrier_, key, RoleJson(role)),
                                             {old_index, std::nullopt},
                                             SealRecord(*barrier_, index, Json{{"role", name}})}));
  if (!applied.applied) {
    return MakeError(ErrorCode::kUnavailable, "role " + name + " changed meanwhile; try again");
  }
  return {};
}

Result<std::pair<std::string, SecretId>> AppRole::NewSecretId(const std::string& name,
                                                              const Json& body,
                                                              const std::string& custom) {
  TRESOR_ASSIGN_OR_RETURN(auto role, ReadRole(name));
  if (!role) return Invalid("role \"" + name + "\" does not exist");
  SecretId secret;
  secret.creation_time = now_();
  if (body.contains("metadata") && !body["metadata"].is_null()) {
    Json metadata = body["metadata"];
    if (metadata.is_string()) {  // hvac sends it as JSON text: parsed with the body's limits
      auto parsed = formats::ParseBoundedJson(metadata.get<std::string>());
      if (!parsed) return Invalid("metadata: " + parsed.error().message);
      metadata = std::move(*parsed);
    }
    if (!metadata.is_object()) return Invalid("metadata: expected a JSON object of strings");
    for (const auto& [k, v] : metadata.items()) {
      if (!v.is_string()) return Invalid("metadata: " + k + ": expected a string");
      secret.metadata[k] = v.get<std::string>();
    }
  }
  if (auto given = StringList(body, "cidr_list")) {
    TRESOR_ASSIGN_OR_RETURN(secret.cidr_list, CheckedCidrs(std::move(*given), "cidr_list"));
  }
  if (const std::string unsupported = Unsupported(body); !unsupported.empty()) {
    return Invalid(unsupported + " is not supported");
  }
  TRESOR_ASSIGN_OR_RETURN(auto ttl, OptionalSeconds(body, "ttl"));
  TRESOR_ASSIGN_OR_RETURN(auto uses, OptionalCount(body, "num_uses"));
  int64_t seconds = ttl.value_or(0);
  if (seconds == 0 || (role->secret_id_ttl > 0 && seconds > role->secret_id_ttl)) {
    if (seconds > 0) return Invalid("ttl is longer than the role's secret_id_ttl");
    seconds = role->secret_id_ttl;
  }
  secret.expiration_time = seconds > 0 ? secret.creation_time + seconds : 0;
  secret.num_uses = uses.value_or(0);
  if (role->secret_id_num_uses > 0) {
    if (secret.num_uses > role->secret_id_num_uses) {
      return Invalid("num_uses is more than the role's secret_id_num_uses");
    }
    if (secret.num_uses == 0) secret.num_uses = role->secret_id_num_uses;
  }
  if (!custom.empty() && custom.size() > 512) return Invalid("secret_id: at most 512 characters");
  const std::string value = custom.empty() ? NewUuid() : custom;
  secret.accessor = NewUuid();
  const std::string mac = Mac(value);
  const std::string key = Key(kSecretIds, name, mac);
  TRESOR_ASSIGN_OR_RETURN(
      auto applied,
      barrier_->ApplyIf({{key, 0}}, {SealRecord(*barrier_, key, SecretJson(secret)),
                                     SealRecord(*barrier_, Key(kAccessors, name, secret.accessor),
                                                Json{{"mac", mac}})}));
  if (!applied.applied) return Invalid("this secret ID is already registered");
  return std::make_pair(value, std::move(secret));
}

Result<std::vector<std::string>> AppRole::ListAccessors(const std::string& name) {
  return NamesUnder(*barrier_, Key(kAccessors, name) + "/");
}

Result<std::optional<SecretId>> AppRole::FindByMac(const std::string& name, const std::string& mac,
                                                   uint64_t* revision) {
  const std::string key = Key(kSecretIds, name, mac);
  TRESOR_ASSIGN_OR_RETURN(RecordAt stored, GetRecordAt(*barrier_, key));
  if (revision != nullptr) *revision = stored.revision;
  if (!stored.record) return std::optional<SecretId>();
  TRESOR_ASSIGN_OR_RETURN(SecretId secret, ParseRecord<SecretId>(key, *stored.record, SecretFrom));
  return std::optional<SecretId>(std::move(secret));
}

Result<std::optional<SecretId>> AppRole::LookupSecretId(const std::string& name,
                                                        const std::string& secret_id) {
  if (!ValidRoleName(name)) return std::optional<SecretId>();
  return FindByMac(name, Mac(secret_id));
}

Result<std::optional<SecretId>> AppRole::LookupAccessor(const std::string& name,
                                                        const std::string& accessor) {
  if (!ValidRoleName(name)) return std::optional<SecretId>();
  TRESOR_ASSIGN_OR_RETURN(auto index, GetRecord(*barrier_, Key(kAccessors, name, accessor)));
  if (!index || !index->contains("mac")) return std::optional<SecretId>();
  return FindByMac(name, index->value("mac", ""));
}

Result<void> AppRole::DestroyByMac(const std::string& name, const std::string& mac) {
  TRESOR_ASSIGN_OR_RETURN(auto secret, FindByMac(name, mac));
  if (!secret) return MakeError(ErrorCode::kNotFound, "no such secret ID");
  TRESOR_RETURN_IF_ERROR(
      barrier_->Apply({{Key(kSecretIds, name, mac), std::nullopt},
                       {Key(kAccessors, name, secret->accessor), std::nullopt}}));
  return {};
}

Result<void> AppRole::DestroySecretId(const std::string& name, const std::string& secret_id) {
  if (!ValidRoleName(name)) return MakeError(ErrorCode::kNotFound, "no such secret ID");
  return DestroyByMac(name, Mac(secret_id));
}

Result<void> AppRole::DestroyAccessor(const std::string& name, const std::string& accessor) {
  if (!ValidRoleName(name)) return MakeError(ErrorCode::kNotFound, "no such secret ID");
  TRESOR_ASSIGN_OR_RETURN(auto index, GetRecord(*barrier_, Key(kAccessors, name, accessor)));
  if (!index) return MakeError(ErrorCode::kNotFound, "no such secret ID accessor");
  return DestroyByMac(name, index->value("mac", ""));
}

Result<void> AppRole::UseSecretId(const Role& role, const std::string& mac,
                                  const std::string& address) {
  const std::string key = Key(kSecretIds, role.name, mac);
  for (int attempt = 0; attempt < kUseAttempts; ++attempt) {
    uint64_t revision = 0;
    TRESOR_ASSIGN_OR_RETURN(auto secret, FindByMac(role.name, mac, &revision));
    if (!secret) return Denied();
    const std::string accessor = Key(kAccessors, role.name, secret->accessor);
    if (secret->expiration_time != 0 && now_() >= secret->expiration_time) {
      (void)barrier_->ApplyIf({{key, revision}}, {{key, std::nullopt}, {accessor, std::nullopt}});
      return Denied();
    }
    if (!AnyContains(secret->cidr_list, address)) return Denied();
    if (secret->num_uses == 0) return {};
    std::vector<store::Write> writes;
    if (secret->num_uses == 1) {  // the last use
      writes = {{key, std::nullopt}, {accessor, std::nullopt}};
    } else {
      --secret->num_uses;
      writes = {SealRecord(*barrier_, key, SecretJson(*secret))};
    }
    TRESOR_ASSIGN_OR_RETURN(auto applied, barrier_->ApplyIf({{key, revision}}, std::move(writes)));
    if (applied.applied) return {};
  }
  return MakeError(ErrorCode::kUnavailable, "the secret ID is being used concurrently; try again");
}

Result<Role> AppRole::Login(const std::string& role_id, const std::string& secret_id,
                            const std::string& address) {
  if (role_id.empty()) return Invalid("missing role_id");
  TRESOR_ASSIGN_OR_RETURN(auto index, GetRecord(*barrier_, Key(kRoleIds, Mac(role_id))));
  if (!index) return Denied();
  TRESOR_ASSIGN_OR_RETURN(auto role, ReadRole(index->value("role", "")));
  if (!role || role->role_id != role_id) return Denied();
  if (!AnyContains(role->secret_id_bound_cidrs, address)) return Denied();
  if (role->bind_secret_id) {
    if (secret_id.empty()) return Invalid("missing secret_id");
    TRESOR_RETURN_IF_ERROR(UseSecretId(*role, Mac(secret_id), address));
  }
  return std::move(*role);
}

}  // namespace tresor::server::approle
