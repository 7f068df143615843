#include "server/kv2.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "server/responses.h"

namespace tresor::server {
namespace {

constexpr int64_t kDefaultMaxVersions = 10;

// The version numbers of a {"versions": [..]} body.
std::optional<std::vector<int64_t>> VersionList(const Json& body) {
  if (!body.is_object() || !body.contains("versions")) return std::nullopt;
  const Json& v = body["versions"];
  std::vector<int64_t> out;
  if (v.is_array()) {
    for (const Json& n : v) {
      if (n.is_number_integer()) {
        out.push_back(n.get<int64_t>());
      } else if (n.is_string()) {
        out.push_back(std::atoll(n.get<std::string>().c_str()));
      } else {
        return std::nullopt;
      }
    }
  } else if (v.is_number_integer()) {
    out.push_back(v.get<int64_t>());
  } else {
    return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

Json ChildNames(const std::vector<std::string>& paths, const std::string& dir) {
  Json keys = Json::array();
  std::string last;
  for (const std::string& path : paths) {
    const std::string rest = path.substr(dir.size());
    const size_t slash = rest.find('/');
    const std::string entry = slash == std::string::npos ? rest : rest.substr(0, slash + 1);
    if (entry.empty() || entry == last) continue;
    keys.push_back(entry);
    last = entry;
  }
  return keys;
}

KvOutcome KvStatus(int status, std::string message) {
  KvOutcome out{status, "", {}};
  if (!message.empty()) out.errors.push_back(std::move(message));
  return out;
}

KvOutcome KvStorageFailure() { return KvStatus(500, "internal error reading storage"); }

KvOutcome KvUnmounted() { return KvStatus(404, "the secrets engine was unmounted"); }

std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() %
      1000000000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(nanos));
  return buf;
}

Json KvV2::VersionMetadata(const Key& key, int64_t number, const Version& v) {
  return Json{{"created_time", v.created_time},
              {"custom_metadata", key.custom_metadata},
              {"deletion_time", v.deletion_time},
              {"destroyed", v.destroyed},
              {"version", number}};
}

int64_t KvV2::MaxVersions(const Key& key) const {
  if (key.max_versions > 0) return key.max_versions;
  return max_versions_ > 0 ? max_versions_ : kDefaultMaxVersions;
}

void KvV2::TrimVersions(Key& key) const {
  while (static_cast<int64_t>(key.versions.size()) > MaxVersions(key)) {
    key.versions.erase(key.versions.begin());
    key.oldest_version = key.versions.begin()->first;
  }
}

KvOutcome KvV2::Write(const std::string& path, const Json& body) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object()) {
    return KvStatus(400, "no data provided");
  }
  std::optional<int64_t> cas;
  if (body.contains("options") && body["options"].is_object() && body["options"].contains("cas")) {
    const Json& c = body["options"]["cas"];
    if (!c.is_number_integer() || c.get<int64_t>() < 0) return KvStatus(400, "invalid cas value");
    cas = c.get<int64_t>();
  }
  const std::lock_guard lock(mutex_);
  if (closed_) return KvUnmounted();
  auto found = FindLocked(path);
  if (!found) return KvStorageFailure();
  Key* existing = *found;
  const int64_t current = existing == nullptr ? 0 : existing->current_version;
  const bool required = cas_required_ || (existing != nullptr && existing->cas_required);
  if (required && !cas) return KvStatus(400, "check-and-set parameter required for this call");
  if (cas && *cas != current) {
    return KvStatus(400, "check-and-set parameter did not match the current version");
  }
  const std::string now = NowRfc3339();
  Key& key = existing != nullptr ? *existing : keys_.Put(path, Key{});
  if (key.created_time.empty()) key.created_time = now;
  key.updated_time = now;
  const int64_t number = ++key.current_version;
  key.versions[number] = Version{now, "", false, body["data"]};
  if (key.oldest_version == 0) key.oldest_version = number;
  TrimVersions(key);
  KvOutcome out{200, Dump(VersionMetadata(key, number, key.versions[number])), {}};
  PersistLocked(path, key);
  return out;
}

KvOutcome KvV2::Read(const std::string& path, int64_t version) {
  const std::lock_guard lock(mutex_);
  auto found = FindLocked(path);
  if (!found) return KvStorageFailure();
  if (*found == nullptr) return KvStatus(404);
  const Key& key = **found;
  const int64_t number = version > 0 ? version : key.current_version;
  auto v = key.versions.find(number);
  if (v == key.versions.end()) return KvStatus(404);
  // {"data": ..., "metadata": ...}; Vault's 404 has the metadata too.
  const bool gone = !v->second.deletion_time.empty() || v->second.destroyed;
  KvOutcome out{gone ? 404 : 200, "{\"data\":", {}};
  out.data += gone ? "null" : Dump(v->second.data);
  out.data += ",\"metadata\":";
  out.data += Dump(VersionMetadata(key, number, v->second));
  out.data += '}';
  return out;
}

KvOutcome KvV2::DeleteLatest(const std::string& path) {
  const std::lock_guard lock(mutex_);
  if (closed_) return KvUnmounted();
  auto found = FindLocked(path);
  if (!found) return KvStorageFailure();
  if (*found == nullptr) return KvStatus(204);
  Key& key = **found;
  auto v = key.versions.find(key.current_version);
  if (v != key.versions.end() && v->second.deletion_time.empty()) {
    v->second.deletion_time = NowRfc3339();
    PersistLocked(path, key);
  }
  return KvStatus(204);
}

// action: 0 delete, 1 undelete, 2 destroy
KvOutcome KvV2::ChangeVersions(const std::string& path, const Json& body, int action) {
  const auto versions = VersionList(body);
  if (!versions) return KvStatus(400, "no version number provided");
  const std::lock_guard lock(mutex_);
  if (closed_) return KvUnmounted();
  auto found = FindLocked(path);
  if (!found) return KvStorageFailure();
  if (*found == nullptr) return KvStatus(204);
  Key& key = **found;
  const std::string now = NowRfc3339();
  for (int64_t n : *versions) {
    auto v = key.versions.find(n);
    if (v == key.versions.end() || v->second.destroyed) continue;
    if (action == 0 && v->second.deletion_time.empty()) v->second.deletion_time = now;
    if (action == 1) v->second.deletion_time.clear();
    if (action == 2) {
      v->second.destroyed = true;
      v->second.data = nullptr;
    }
  }
  PersistLocked(path, key);
  return KvStatus(204);
}

KvOutcome KvV2::DeleteVersions(const std::string& path, const Json& body) {
  return ChangeVersions(path, body, 0);
}
KvOutcome KvV2::Undelete(const std::string& path, const Json& body) {
  return ChangeVersions(path, body, 1);
}
KvOutcome KvV2::Destroy(const std::string& path, const Json& body) {
  return ChangeVersions(path, body, 2);
}

KvOutcome KvV2::ReadMetadata(const std::string& path) {
  const std::lock_guard lock(mutex_);
  auto found = FindLocked(path);
  if (!found) return KvStorageFailure();
  if (*found == nullptr) return KvStatus(404);
  const Key& key = **found;
  Json versions = Json::object();
  for (const auto& [n, v] : key.versions) {
    versions[std::to_string(n)] = Json{{"created_time", v.created_time},
                                       {"deletion_time", v.deletion_time},
                                       {"destroyed", v.destroyed}};
  }
  return KvOutcome{200,
                   Dump(Json{{"cas_required", key.cas_required},
                             {"created_time", key.created_time},
                             {"current_version", key.current_version},
                             {"custom_metadata", key.custom_metadata},
                             {"delete_version_after", key.delete_version_after},
                             {"max_versions", key.max_versions},
                             {"oldest_version", key.oldest_version},
                             {"updated_time", key.updated_time},
                             {"versions", versions}}),
                   {}};
}

KvOutcome KvV2::WriteMetadata(const std::string& path, const Json& body) {
  if (!body.is_object()) return KvStatus(400, "invalid request body");
  const std::lock_guard lock(mutex_);
  if (closed_) return KvUnmounted();
  auto found = FindLocked(path);
  if (!found) return KvStorageFailure();
  // Validated on a copy: a refused body changes nothing.
  Key key = *found != nullptr ? **found : Key{};
  const std::string now = NowRfc3339();
  if (key.created_time.empty()) key.created_time = now;
  key.updated_time = now;
  if (body.contains("max_versions")) {
    if (!body["max_versions"].is_number_integer() || body["max_versions"].get<int64_t>() < 0) {
      return KvStatus(400, "max_versions must be a non-negative integer");
    }
    key.max_versions = body["max_versions"].get<int64_t>();
  }
  if (body.contains("cas_required")) {
    if (!body["cas_required"].is_boolean()) return KvStatus(400, "cas_required must be a boolean");
    key.cas_required = body["cas_required"].get<bool>();
  }
  if (body.contains("delete_version_after") && body["delete_version_after"].is_string()) {
    key.delete_version_after = body["delete_version_after"].get<std::string>();
  }
  if (body.contains("custom_metadata")) {
    const Json& custom = body["custom_metadata"];
    if (!custom.is_null() && !custom.is_object()) {
      return KvStatus(400, "custom_metadata must be an object of strings");
    }
    if (custom.is_object()) {
      for (const auto& entry : custom) {
        if (!entry.is_string())
          return KvStatus(400, "custom_metadata must be an object of strings");
      }
    }
    key.custom_metadata = custom;
  }
  TrimVersions(key);
  Key& kept = keys_.Put(path, std::move(key));
  PersistLocked(path, kept);
  return KvStatus(204);
}

KvOutcome KvV2::DeleteMetadata(const std::string& path) {
  const std::lock_guard lock(mutex_);
  if (closed_) return KvUnmounted();
  ForgetLocked(path);
  return KvStatus(204);
}

KvOutcome KvV2::List(const std::string& prefix) {
  std::string dir = prefix;
  if (!dir.empty() && dir.back() != '/') dir.push_back('/');
  std::vector<std::string> paths;
  if (barrier_ != nullptr) {
    const std::string stored = prefix_ + "k/";
    auto listed = barrier_->Keys(stored + dir);
    if (!listed) return KvStorageFailure();
    for (std::string& key : *listed) paths.push_back(key.substr(stored.size()));
  } else {
    const std::lock_guard lock(mutex_);
    keys_.ForEachWithPrefix(dir, [&](const std::string& path, const Key& key) {
      if (key.stored) paths.push_back(path);
    });
  }
  Json keys = ChildNames(paths, dir);
  if (keys.empty()) return KvStatus(404);
  return KvOutcome{200, Dump(Json{{"keys", keys}}), {}};
}

void KvV2::Close() {
  const std::lock_guard lock(mutex_);
  closed_ = true;
}

bool KvV2::Exists(const std::string& path) {
  const std::lock_guard lock(mutex_);
  auto found = FindLocked(path);
  return found && *found != nullptr && (*found)->current_version > 0;
}

KvOutcome KvV2::ReadConfig() {
  const std::lock_guard lock(mutex_);
  return KvOutcome{200,
                   Dump(Json{{"cas_required", cas_required_},
                             {"delete_version_after", delete_version_after_},
                             {"max_versions", max_versions_}}),
                   {}};
}

KvOutcome KvV2::WriteConfig(const Json& body) {
  if (!body.is_object()) return KvStatus(400, "invalid request body");
  const std::lock_guard lock(mutex_);
  if (closed_) return KvUnmounted();
  if (body.contains("max_versions") && body["max_versions"].is_number_integer()) {
    max_versions_ = body["max_versions"].get<int64_t>();
  }
  if (body.contains("cas_required") && body["cas_required"].is_boolean()) {
    cas_required_ = body["cas_required"].get<bool>();
  }
  if (body.contains("delete_version_after") && body["delete_version_after"].is_string()) {
    delete_version_after_ = body["delete_version_after"].get<std::string>();
  }
  PersistConfigLocked();
  return KvStatus(204);
}

}  // namespace tresor::server
