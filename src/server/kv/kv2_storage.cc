// KvV2's storage side, through the barrier: each key's metadata as one
// record (PREFIX k/PATH: its settings and each version's times and state)
// and each version's data as a record of its own (PREFIX v/PATH\x1fN), so
// that no record grows with a key's history; and the bounded memory cache
// in front of them. Records with the data inline (a new key's first version,
// and records from before the split) are read as they are and split by the
// key's next write.
#include <charconv>

#include "server/kv/kv2.h"
#include "server/records.h"

namespace tresor::server {

KvV2::KvV2(store::Barrier* barrier, std::string prefix, size_t cache_limit, Clock now)
    : barrier_(barrier),
      prefix_(std::move(prefix)),
      now_(now ? std::move(now) : [] { return std::chrono::system_clock::now(); }),
      keys_(barrier != nullptr ? cache_limit : SIZE_MAX) {}

namespace {

// The metadata record's layout: versions' data in records of their own.
constexpr int kSplitLayout = 2;

}  // namespace

std::string KvV2::VersionPrefix(const std::string& path) const {
  std::string key = prefix_;
  key.append("v/").append(path).push_back(kVersionSeparator);
  return key;
}

bool KvV2::ValidPath(const std::string& path) {
  for (const char c : path) {
    if (static_cast<unsigned char>(c) < 0x20) return false;  // the separator among them
  }
  return true;
}

Json KvV2::ToJson(const Key& key) {
  Json versions = Json::object();
  for (const auto& [n, v] : key.versions) {
    versions[std::to_string(n)] = Json{{"created_time", v.created_time},
                                       {"deletion_time", v.deletion_time},
                                       {"destroyed", v.destroyed}};
  }
  return Json{{"layout", kSplitLayout},
              {"created_time", key.created_time},
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
    // Before the split the data is here; after it, in its own record.
    key.versions[std::stoll(n)] =
        Version{v.at("created_time").get<std::string>(), v.at("deletion_time").get<std::string>(),
                v.at("destroyed").get<bool>(), v.contains("data") ? v.at("data") : Json()};
  }
  return key;
}

Result<void> KvV2::LoadVersions(const std::string& path, Key& key) {
  const std::string prefix = VersionPrefix(path);
  std::set<int64_t> found;
  TRESOR_RETURN_IF_ERROR(
      barrier_->Scan(prefix, [&](const std::string& stored, crypto::SecretBytes plain) {
        int64_t n = 0;
        const std::string number = stored.substr(prefix.size());
        if (std::from_chars(number.data(), number.data() + number.size(), n).ec != std::errc()) {
          return true;  // not a version record
        }
        auto v = key.versions.find(n);
        if (v == key.versions.end() || v->second.destroyed) return true;  // not (any more) in use
        const auto text = plain.Reveal();
        v->second.data = Json::parse(text.begin(), text.end(), nullptr, false);
        if (!v->second.data.is_discarded()) found.insert(n);
        return true;
      }));
  for (auto v = key.versions.begin(); v != key.versions.end();) {
    if (v->second.destroyed || found.contains(v->first)) {
      ++v;
    } else if (v->first != key.current_version) {
      // Trimmed by a write that came between the two reads: gone now, as
      // the watch will say (and a write from this copy finds it stale).
      v = key.versions.erase(v);
    } else {
      return MakeError(
          ErrorCode::kUnavailable,
          prefix_ + "k/" + path + ": version " + std::to_string(v->first) + " changed while read");
    }
  }
  key.stored_data = std::move(found);
  return {};
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
  // The metadata, then the versions' data: read again if a write by
  // another node came between the two.
  Result<RecordAt> stored = MakeError(ErrorCode::kUnavailable, "");
  Key key;
  for (int attempt = 1;; ++attempt) {
    stored = GetRecordAt(*barrier_, prefix_ + "k/" + path);
    if (!stored || !stored->record) break;
    try {
      key = FromJson(*stored->record);
    } catch (const std::exception&) {
      lock.lock();
      return MakeError(ErrorCode::kIntegrity, prefix_ + "k/" + path + ": malformed record");
    }
    key.revision = stored->revision;
    key.data_inline = stored->record->value("layout", 1) != kSplitLayout;
    if (key.data_inline) break;
    auto versions = LoadVersions(path, key);
    if (versions) break;
    if (versions.error().code != ErrorCode::kUnavailable || attempt == 3) {
      lock.lock();
      return std::move(versions).error();
    }
  }
  lock.lock();
  // Another request may have brought it in, or written it, meanwhile.
  if (Key* cached = keys_.Find(path)) return cached->stored ? cached : nullptr;
  if (!stored) return std::move(stored).error();
  if (!stored->record) {
    keys_.Put(path, Absent());
    return static_cast<Key*>(nullptr);
  }
  return &keys_.Put(path, std::move(key));
}

// A new key's first version: its data inline, in the metadata record (the
// layout from before the split, which every reader takes), so that a new
// key costs one record; the key's next write moves the data to a record of
// its own.
std::optional<Json> KvV2::InlineRecord(const Key& key) {
  if (key.revision != 0 || key.versions.size() != 1) return std::nullopt;
  const auto& [n, v] = *key.versions.begin();
  if (v.destroyed || v.data.is_null()) return std::nullopt;
  Json record = ToJson(key);
  record.erase("layout");
  record["versions"][std::to_string(n)]["data"] = v.data;
  return record;
}

KvV2::Stored KvV2::Store(const std::string& path, Key& key, const Key* before) {
  const std::string stored = prefix_ + "k/" + path;
  std::vector<store::Write> writes;
  // The versions whose data has a record of its own once this is stored.
  std::set<int64_t> data;
  const std::optional<Json> inlined = InlineRecord(key);
  if (inlined) {
    writes.push_back(SealRecord(*barrier_, stored, *inlined));
  } else {
    writes.push_back(SealRecord(*barrier_, stored, ToJson(key)));
    // New versions' data (every version's, the first time a record with
    // data inline is written), and the data of versions gone or destroyed.
    for (const auto& [n, v] : key.versions) {
      if (v.destroyed || v.data.is_null()) continue;
      data.insert(n);
      if (!key.stored_data.contains(n)) {
        writes.push_back(SealRecord(*barrier_, VersionPrefix(path) + std::to_string(n), v.data));
      }
    }
    for (const int64_t n : key.stored_data) {
      if (!data.contains(n)) {
        writes.push_back(store::Write{VersionPrefix(path) + std::to_string(n), std::nullopt});
      }
    }
  }
  if (TooLarge(*barrier_, writes)) {
    if (before == nullptr) return Stored::kTooLarge;
    // The data kept inline goes to records of its own in a write that
    // changes nothing else; then this write, without it.
    Key split = *before;
    split.data_inline = false;
    if (const Stored moved = Store(path, split); moved != Stored::kYes) return moved;
    key.revision = split.revision;
    key.stored_data = std::move(split.stored_data);
    return Store(path, key);
  }
  auto result = barrier_->ApplyIf({{stored, key.revision}}, std::move(writes));
  if (!result) return Stored::kRefused;
  if (!result->applied) return Stored::kConflict;
  key.revision = result->revision;
  key.stored = true;
  key.stored_data = std::move(data);
  key.data_inline = inlined.has_value();
  return Stored::kYes;
}

void KvV2::ForgetLocked(const std::string& path) {
  keys_.Put(path, Absent());
  if (barrier_ == nullptr) return;
  std::vector<store::Write> writes{store::Write{prefix_ + "k/" + path, std::nullopt}};
  auto versions = barrier_->Keys(VersionPrefix(path));
  if (versions) {
    for (std::string& key : *versions) writes.push_back(store::Write{std::move(key), std::nullopt});
  }
  (void)barrier_->Apply(std::move(writes));
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
  if (!rest.starts_with("k/")) {
    // A version's data: nothing cached by its own key (its metadata's
    // change, in the same transaction, evicts the key); forget the note.
    (void)barrier_->local_writes().IsNews(prefix_ + rest, revision);
    return;
  }
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
