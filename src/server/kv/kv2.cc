#include "server/kv/kv2.h"

#include <algorithm>
#include <chrono>
#include <optional>

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

// A delete_version_after value as it is kept: its text, or "Ns" for a
// number; kInvalidArgument "delete_version_after: ..." if it is neither.
Result<std::string> DeleteVersionAfterSetting(const Json& value) {
  auto seconds = DurationSeconds(value);
  if (!seconds) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "delete_version_after: " + seconds.error().message);
  }
  if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
  return std::to_string(*seconds) + "s";
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

KvOutcome KvStorageFailure(const tresor::Error& error) {
  // A remote store that did not answer: the client may try another node.
  if (error.code == ErrorCode::kUnavailable) return KvStatus(503, "storage did not answer");
  return KvStatus(500, "internal error reading storage");
}
KvOutcome KvContended() {
  return KvStatus(503, "the key keeps changing under this write (other writers); retry");
}

KvOutcome KvUnmounted() { return KvStatus(404, "the secrets engine was unmounted"); }

Json KvV2::VersionMetadata(const Key& key, int64_t number, const Version& v) {
  return Json{{"created_time", v.created_time},
              {"custom_metadata", key.custom_metadata},
              {"deletion_time", v.deletion_time},
              {"destroyed", v.destroyed},
              {"version", number}};
}

bool KvV2::Deleted(const Version& v, const std::string& now) {
  return !v.deletion_time.empty() && v.deletion_time <= now;
}

int64_t KvV2::DeleteVersionAfter(const Key& key) const {
  // Both were checked when they were set; an unreadable one counts as unset.
  const auto own_setting = DurationSeconds(key.delete_version_after);
  const auto mount_setting = DurationSeconds(delete_version_after_);
  const int64_t own = own_setting ? *own_setting : 0;
  const int64_t mount = mount_setting ? *mount_setting : 0;
  if (own == 0 || mount == 0) return std::max(own, mount);
  return std::min(own, mount);
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

namespace {

// A data write's body: data (an object) and options.cas, if given, into
// `cas`; the 400 it gets otherwise.
std::optional<KvOutcome> CheckWriteBody(const Json& body, std::optional<int64_t>* cas) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object()) {
    return KvStatus(400, "no data provided");
  }
  if (body.contains("options") && body["options"].is_object() && body["options"].contains("cas")) {
    const Json& c = body["options"]["cas"];
    if (!c.is_number_integer() || c.get<int64_t>() < 0) return KvStatus(400, "invalid cas value");
    *cas = c.get<int64_t>();
  }
  return std::nullopt;
}

}  // namespace

KvOutcome KvV2::Write(const std::string& path, const Json& body) {
  return WriteVersion(path, body, [&](const Key&, bool) -> Result<Json> { return body["data"]; });
}

KvOutcome KvV2::WriteVersion(const std::string& path, const Json& body,
                             const std::function<Result<Json>(const Key&, bool)>& data_of) {
  std::optional<int64_t> cas;
  if (auto refused = CheckWriteBody(body, &cas)) return *refused;
  int64_t number = 0;
  return Update(
      path, true,
      [&](Key& key, bool existed) -> std::optional<KvOutcome> {
        auto data = data_of(key, existed);
        if (!data) return KvStatus(404);
        const int64_t current = existed ? key.current_version : 0;
        const bool required = cas_required_ || key.cas_required;
        if (required && !cas) {
          return KvStatus(400, "check-and-set parameter required for this call");
        }
        if (cas && *cas != current) {
          return KvStatus(400, "check-and-set parameter did not match the current version");
        }
        number = AddVersion(key, std::move(*data));
        return std::nullopt;
      },
      [&](const Key& key) {
        return KvOutcome{200, Dump(VersionMetadata(key, number, key.versions.at(number))), {}};
      });
}

int64_t KvV2::AddVersion(Key& key, Json data) {
  const auto time = now_();
  const std::string now = Rfc3339(time);
  if (key.created_time.empty()) key.created_time = now;
  key.updated_time = now;
  const int64_t number = ++key.current_version;
  const int64_t after = DeleteVersionAfter(key);
  key.versions[number] = Version{now, after > 0 ? Rfc3339(time + std::chrono::seconds(after)) : "",
                                 false, std::move(data)};
  if (key.oldest_version == 0) key.oldest_version = number;
  TrimVersions(key);
  return number;
}

KvOutcome KvV2::Patch(const std::string& path, const Json& body) {
  return WriteVersion(path, body, [&](const Key& key, bool existed) -> Result<Json> {
    // Only a live latest version can be patched (Vault answers 404).
    const auto latest = existed ? key.versions.find(key.current_version) : key.versions.end();
    if (latest == key.versions.end() || latest->second.destroyed ||
        (!latest->second.deletion_time.empty() && Deleted(latest->second, Now()))) {
      return MakeError(ErrorCode::kNotFound, "no live latest version");
    }
    Json data = latest->second.data;
    data.merge_patch(body["data"]);  // RFC 7386: null removes a key
    return data;
  });
}

KvOutcome KvV2::Subkeys(const std::string& path, int64_t version, int64_t depth) {
  const KvOutcome read = Read(path, version);
  if (read.status != 200) return read.status == 404 ? KvStatus(404) : read;
  const Json version_read = Json::parse(read.data);
  // The data's keys with null leaves, `depth` levels deep (0: all), built
  // without recursion (the data's nesting is the client's).
  Json subkeys = Json::object();
  std::vector<std::tuple<const Json*, Json*, int64_t>> pending{
      {&version_read["data"], &subkeys, 1}};
  while (!pending.empty()) {
    auto [from, to, level] = pending.back();
    pending.pop_back();
    for (const auto& [name, value] : from->items()) {
      if (value.is_object() && !value.empty() && (depth == 0 || level < depth)) {
        Json& child = (*to)[name] = Json::object();
        pending.emplace_back(&value, &child, level + 1);
      } else {
        (*to)[name] = nullptr;
      }
    }
  }
  return KvOutcome{
      200, Dump(Json{{"subkeys", subkeys}, {"metadata", version_read["metadata"]}}), {}};
}

KvOutcome KvV2::Read(const std::string& path, int64_t version) {
  std::unique_lock lock(mutex_);
  auto found = FindLocked(path, lock);
  if (!found) return KvStorageFailure(found.error());
  if (*found == nullptr) return KvStatus(404);
  const Key& key = **found;
  const int64_t number = version > 0 ? version : key.current_version;
  auto v = key.versions.find(number);
  if (v == key.versions.end()) return KvStatus(404);
  // {"data": ..., "metadata": ...}; Vault's 404 has the metadata too. The
  // clock is read only for a version that has a deletion time.
  const Version& found_version = v->second;
  const bool gone = found_version.destroyed ||
                    (!found_version.deletion_time.empty() && Deleted(found_version, Now()));
  KvOutcome out{gone ? 404 : 200, "{\"data\":", {}};
  out.data += gone ? "null" : Dump(found_version.data);
  out.data += ",\"metadata\":";
  out.data += Dump(VersionMetadata(key, number, found_version));
  out.data += '}';
  return out;
}

KvOutcome KvV2::Update(const std::string& path, bool create,
                       const std::function<std::optional<KvOutcome>(Key&, bool)>& change,
                       const std::function<KvOutcome(const Key&)>& answer) {
  if (!ValidPath(path)) return KvStatus(400, "invalid secret path");
  // Unmounting waits for this write to be stored or refused.
  const std::shared_lock writing(writing_);
  const bool remote = barrier_ != nullptr && barrier_->storage().remote();
  for (int attempt = 1;; ++attempt) {
    std::unique_lock lock(mutex_);
    if (closed_) return KvUnmounted();
    // On a remote store, a key this node has not seen is first written as
    // new (create-if-absent: one round trip instead of a read and a write);
    // if it was not new after all, or the change refuses what it took for a
    // new key, the next attempt reads it.
    const bool guess = remote && create && attempt == 1 && keys_.Find(path) == nullptr;
    auto found = guess ? Result<Key*>(static_cast<Key*>(nullptr)) : FindLocked(path, lock);
    if (!found) return KvStorageFailure(found.error());
    const bool existed = *found != nullptr;
    if (!existed && !create) return KvStatus(204);
    Key copy = existed ? **found : Key{};
    // Kept as stored in case its inline data has to move out first.
    const std::optional<Key> before =
        existed && (*found)->data_inline ? std::optional<Key>(**found) : std::nullopt;
    if (auto refused = change(copy, existed)) {
      if (guess) continue;
      return *refused;
    }
    if (barrier_ == nullptr) return answer(keys_.Put(path, std::move(copy)));  // memory only
    // A remote store's round trip is made without the lock, so that writes
    // to other keys overlap with it; a local store answers at once.
    if (remote) lock.unlock();
    const Stored stored = Store(path, copy, before ? &*before : nullptr);
    if (remote) lock.lock();
    switch (stored) {
      case Stored::kYes: {
        Key* cached = keys_.Find(path);
        if (cached != nullptr && cached->stored && cached->revision >= copy.revision) {
          return answer(copy);  // a newer write is already here
        }
        return answer(keys_.Put(path, std::move(copy)));
      }
      case Stored::kRefused:  // noted for the request, which fails
        return answer(copy);
      case Stored::kConflict:
        keys_.Erase(path);  // read it again from the store
        break;
      case Stored::kTooLarge:  // nothing written but, perhaps, inline data moved out
        keys_.Erase(path);
        return KvStatus(413,
                        "the secret's new version is larger than the storage takes in one "
                        "write (" +
                            std::to_string(barrier_->storage().max_value_bytes()) + " bytes)");
    }
    if (attempt == kWriteAttempts) return KvContended();
  }
}

KvOutcome KvV2::Mutate(const std::string& path,
                       const std::function<std::optional<KvOutcome>(Key&)>& change) {
  return Update(
      path, false, [&](Key& key, bool) { return change(key); },
      [](const Key&) { return KvStatus(204); });
}

KvOutcome KvV2::DeleteLatest(const std::string& path) {
  return Mutate(path, [&](Key& key) -> std::optional<KvOutcome> {
    auto v = key.versions.find(key.current_version);
    const std::string now = Now();
    if (v == key.versions.end() || Deleted(v->second, now)) return KvStatus(204);
    v->second.deletion_time = now;
    return std::nullopt;
  });
}

// action: 0 delete, 1 undelete, 2 destroy
KvOutcome KvV2::ChangeVersions(const std::string& path, const Json& body, int action) {
  const auto versions = VersionList(body);
  if (!versions) return KvStatus(400, "no version number provided");
  return Mutate(path, [&](Key& key) -> std::optional<KvOutcome> {
    const std::string now = Now();
    for (int64_t n : *versions) {
      auto v = key.versions.find(n);
      if (v == key.versions.end() || v->second.destroyed) continue;
      if (action == 0 && !Deleted(v->second, now)) v->second.deletion_time = now;
      if (action == 1) v->second.deletion_time.clear();
      if (action == 2) {
        v->second.destroyed = true;
        v->second.data = nullptr;
      }
    }
    return std::nullopt;
  });
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
  std::unique_lock lock(mutex_);
  auto found = FindLocked(path, lock);
  if (!found) return KvStorageFailure(found.error());
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

KvOutcome KvV2::WriteMetadata(const std::string& path, const Json& body, bool patch) {
  if (!body.is_object()) return KvStatus(400, "invalid request body");
  return Update(
      path, true,
      [&](Key& key, bool existed) -> std::optional<KvOutcome> {
        if (patch && !existed) return KvStatus(404);
        const std::string now = Now();
        if (key.created_time.empty()) key.created_time = now;
        key.updated_time = now;
        if (body.contains("max_versions")) {
          if (!body["max_versions"].is_number_integer() ||
              body["max_versions"].get<int64_t>() < 0) {
            return KvStatus(400, "max_versions must be a non-negative integer");
          }
          key.max_versions = body["max_versions"].get<int64_t>();
        }
        if (body.contains("cas_required")) {
          if (!body["cas_required"].is_boolean()) {
            return KvStatus(400, "cas_required must be a boolean");
          }
          key.cas_required = body["cas_required"].get<bool>();
        }
        if (body.contains("delete_version_after")) {
          auto setting = DeleteVersionAfterSetting(body["delete_version_after"]);
          if (!setting) return KvStatus(400, setting.error().message);
          key.delete_version_after = *setting;
        }
        if (body.contains("custom_metadata")) {
          Json custom = body["custom_metadata"];
          if (patch && custom.is_object()) {  // merged: a null value removes a key
            Json merged = key.custom_metadata.is_object() ? key.custom_metadata : Json::object();
            merged.merge_patch(custom);
            custom = std::move(merged);
          }
          if (!custom.is_null() && !custom.is_object()) {
            return KvStatus(400, "custom_metadata must be an object of strings");
          }
          if (custom.is_object()) {
            for (const auto& entry : custom) {
              if (!entry.is_string()) {
                return KvStatus(400, "custom_metadata must be an object of strings");
              }
            }
          }
          key.custom_metadata = custom;
        }
        TrimVersions(key);
        return std::nullopt;
      },
      [](const Key&) { return KvStatus(204); });
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
    if (!listed) return KvStorageFailure(listed.error());
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
  const std::unique_lock writes(writing_);  // the writes in flight end first
  const std::lock_guard lock(mutex_);
  closed_ = true;
}

Result<bool> KvV2::Exists(const std::string& path) {
  std::unique_lock lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(Key * found, FindLocked(path, lock));
  return found != nullptr && found->current_version > 0;
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
  std::optional<std::string> delete_after;
  if (body.contains("delete_version_after")) {
    auto setting = DeleteVersionAfterSetting(body["delete_version_after"]);
    if (!setting) return KvStatus(400, setting.error().message);
    delete_after = *setting;
  }
  const std::lock_guard lock(mutex_);
  if (closed_) return KvUnmounted();
  if (body.contains("max_versions") && body["max_versions"].is_number_integer()) {
    max_versions_ = body["max_versions"].get<int64_t>();
  }
  if (body.contains("cas_required") && body["cas_required"].is_boolean()) {
    cas_required_ = body["cas_required"].get<bool>();
  }
  if (delete_after) delete_version_after_ = *delete_after;
  PersistConfigLocked();
  return KvStatus(204);
}

}  // namespace tresor::server
