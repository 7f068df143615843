// KvV2's storage side: each key as one JSON record through the barrier,
// and the bounded memory cache in front of it.
#include "server/kv2.h"
#include "server/records.h"

namespace tresor::server {

KvV2::KvV2(store::Barrier* barrier, std::string prefix, size_t cache_limit, Clock now)
    : barrier_(barrier),
      prefix_(std::move(prefix)),
      now_(now ? std::move(now) : [] { return std::chrono::system_clock::now(); }),
      keys_(barrier != nullptr ? cache_limit : SIZE_MAX) {}

Json KvV2::ToJson(const Key& key) {
  Json versions = Json::object();
  for (const auto& [n, v] : key.versions) {
    versions[std::to_string(n)] = Json{{"created_time", v.created_time},
                                       {"deletion_time", v.deletion_time},
                                       {"destroyed", v.destroyed},
                                       {"data", v.data}};
  }
  return Json{{"created_time", key.created_time},
              {"updated_time", key.updated_time},
              {"current_version", key.current_version},
              {"oldest_version", key.oldest_version},
              {"max_versions", key.max_versions},
              {"cas_required", key.cas_required},
              {"delete_version_after", key.delete_version_after},
              {"custom_metadata", key.custom_metadata},
              {"versions", versions}};
}

KvV2::Key KvV2::FromJson(const Json& j) {
  Key key;
  key.created_time = j.at("created_time").get<std::string>();
  key.updated_time = j.at("updated_time").get<std::string>();
  key.current_version = j.at("current_version").get<int64_t>();
  key.oldest_version = j.at("oldest_version").get<int64_t>();
  key.max_versions = j.at("max_versions").get<int64_t>();
  key.cas_required = j.at("cas_required").get<bool>();
  key.delete_version_after = j.at("delete_version_after").get<std::string>();
  key.custom_metadata = j.at("custom_metadata");
  for (const auto& [n, v] : j.at("versions").items()) {
    key.versions[std::stoll(n)] =
        Version{v.at("created_time").get<std::string>(), v.at("deletion_time").get<std::string>(),
                v.at("destroyed").get<bool>(), v.at("data")};
  }
  return key;
}

Result<void> KvV2::Load() {
  if (barrier_ == nullptr) return {};
  TRESOR_ASSIGN_OR_RETURN(auto config, GetRecord(*barrier_, prefix_ + "config"));
  if (!config) return {};
  const std::lock_guard lock(mutex_);
  max_versions_ = config->value("max_versions", int64_t{0});
  cas_required_ = config->value("cas_required", false);
  delete_version_after_ = config->value("delete_version_after", std::string("0s"));
  return {};
}

KvV2::Key KvV2::Absent() {
  Key key;
  key.stored = false;
  return key;
}

Result<KvV2::Key*> KvV2::FindLocked(const std::string& path, std::unique_lock<std::mutex>& lock) {
  if (Key* cached = keys_.Find(path)) return cached->stored ? cached : nullptr;
  if (barrier_ == nullptr) return static_cast<Key*>(nullptr);
  lock.unlock();
  auto stored = GetRecordAt(*barrier_, prefix_ + "k/" + path);
  lock.lock();
  // Another request may have brought it in, or written it, meanwhile.
  if (Key* cached = keys_.Find(path)) return cached->stored ? cached : nullptr;
  if (!stored) return std::move(stored).error();
  if (!stored->record) {
    keys_.Put(path, Absent());
    return static_cast<Key*>(nullptr);
  }
  Key key;
  try {
    key = FromJson(*stored->record);
  } catch (const std::exception&) {
    return MakeError(ErrorCode::kIntegrity, prefix_ + "k/" + path + ": malformed record");
  }
  key.revision = stored->revision;
  return &keys_.Put(path, std::move(key));
}

KvV2::Stored KvV2::Store(const std::string& path, Key& key) {
  const std::string stored = prefix_ + "k/" + path;
  std::vector<store::Write> writes;
  writes.push_back(SealRecord(*barrier_, stored, ToJson(key)));
  if (TooLarge(*barrier_, writes.back())) return Stored::kTooLarge;
  auto result = barrier_->ApplyIf({{stored, key.revision}}, std::move(writes));
  if (!result) return Stored::kRefused;
  if (!result->applied) return Stored::kConflict;
  key.revision = result->revision;
  key.stored = true;
  return Stored::kYes;
}

void KvV2::ForgetLocked(const std::string& path) {
  keys_.Put(path, Absent());
  if (barrier_ != nullptr) (void)barrier_->Delete(prefix_ + "k/" + path);
}

void KvV2::PersistConfigLocked() {
  if (barrier_ == nullptr) return;
  PutRecord(*barrier_, prefix_ + "config",
            Json{{"max_versions", max_versions_},
                 {"cas_required", cas_required_},
                 {"delete_version_after", delete_version_after_}});
}

void KvV2::Changed(const std::string& rest, uint64_t revision) {
  if (barrier_ == nullptr) return;
  if (rest == "config") {
    (void)Load();  // from the store, which is never behind the change
    return;
  }
  if (!rest.starts_with("k/")) return;
  // Checked before taking the lock writers hold: this node's own writes
  // (the common case) cost them nothing. Dropping an entry is always safe,
  // so a write racing with the check costs at most a read.
  if (!barrier_->local_writes().IsNews(prefix_ + rest, revision)) return;
  const std::lock_guard lock(mutex_);
  keys_.Erase(rest.substr(2));
}

size_t KvV2::cached_keys() {
  const std::lock_guard lock(mutex_);
  return keys_.size();
}

}  // namespace tresor::server
