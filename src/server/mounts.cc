#include "server/mounts.h"

#include <algorithm>
#include <mutex>

#include "server/records.h"

namespace tresor::server {

bool WellFormedMountPath(const std::string& path) {
  if (path.size() < 2 || path.size() > 128 || path.back() != '/' || path.front() == '/' ||
      path.find("//") != std::string::npos) {
    return false;
  }
  return std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

namespace {

constexpr char kTablePath[] = "core/mounts";

bool ValidMountPath(const std::string& path) {
  for (const char* reserved : {"sys/", "auth/", "cubbyhole/", "identity/"}) {
    if (path.starts_with(reserved)) return false;
  }
  return WellFormedMountPath(path);
}

// A mount's entry in the stored table (a KV mount's without its type, as
// tables before transit have them).
Json Entry(const Mount& m) {
  if (m.type->name == std::string_view("kv")) {
    return Json{{"version", m.version}, {"description", m.description}};
  }
  Json entry{{"type", m.type->name}, {"description", m.description}};
  if (m.version != 0) entry["version"] = m.version;
  return entry;
}

}  // namespace

std::shared_ptr<Mount> MountTable::Make(const std::string& path, const engines::Type& type,
                                        int version, const std::string& description) const {
  auto m = std::make_shared<Mount>();
  m->path = path;
  m->type = &type;
  m->version = type.default_version == 0 ? 0 : version;
  m->description = description;
  m->engine = type.make(barrier_, m->prefix(), m->version);
  return m;
}

Result<void> MountTable::Load() {
  TRESOR_ASSIGN_OR_RETURN(auto stored, GetRecordAt(barrier_, kTablePath));
  std::map<std::string, std::shared_ptr<Mount>> loaded;
  if (!stored.record) {
    loaded["secret/"] = Make("secret/", *engines::FindType("kv"), 2, "key/value secret storage");
  } else {
    try {
      for (const auto& [path, m] : stored.record->items()) {
        const engines::Type* type = engines::FindType(m.value("type", "kv"));
        if (type == nullptr) throw std::exception();
        loaded[path] = Make(path, *type, type->default_version ? m.at("version").get<int>() : 0,
                            m.at("description").get<std::string>());
      }
    } catch (const std::exception&) {
      return MakeError(ErrorCode::kIntegrity, std::string(kTablePath) + ": malformed record");
    }
  }
  for (auto& [path, m] : loaded) TRESOR_RETURN_IF_ERROR(m->engine->Load());
  const std::unique_lock lock(mutex_);
  // Loads may overlap (the watch's, a conflicting change's): the newest wins.
  if (stored.revision < table_revision_) return {};
  mounts_ = std::move(loaded);
  table_revision_ = stored.revision;
  return {};
}

std::shared_ptr<const Mount> MountTable::Find(const std::string& path, std::string* rest) const {
  const std::shared_lock lock(mutex_);
  // Mounts never nest, so at most one is a prefix of `path`.
  auto it = mounts_.upper_bound(path);
  if (it != mounts_.begin() && path.starts_with(std::prev(it)->first)) {
    --it;
    *rest = path.substr(it->first.size());
    return it->second;
  }
  // The mount itself without its slash ("kv1"): rare, so only now the copy.
  if (auto exact = mounts_.find(path + "/"); exact != mounts_.end()) {
    rest->clear();
    return exact->second;
  }
  return nullptr;
}

Json MountTable::TableLocked() const {
  Json table = Json::object();
  for (const auto& [path, m] : mounts_) {
    table[path] = Entry(*m);
  }
  return table;
}

Result<void> MountTable::Change(
    const std::function<Result<std::vector<store::Write>>(Json& table)>& change,
    const std::function<void()>& applied) {
  for (int attempt = 0; attempt < kChangeAttempts; ++attempt) {
    Json table;
    uint64_t revision = 0;
    std::vector<store::Write> writes;
    {
      const std::shared_lock lock(mutex_);
      table = TableLocked();
      revision = table_revision_;
      TRESOR_ASSIGN_OR_RETURN(writes, change(table));
    }
    writes.insert(writes.begin(), SealRecord(barrier_, kTablePath, table));
    // Stored only if the table is still the one changed: two nodes adding
    // mounts at once cannot both write a table without the other's.
    auto result = barrier_.ApplyIf({{kTablePath, revision}}, std::move(writes));
    if (!result) return MakeError(result.error().code, "storage refused the mount table change");
    if (result->applied) {
      {
        const std::unique_lock lock(mutex_);
        if (table_revision_ == revision) {
          applied();
          table_revision_ = result->revision;
          return {};
        }
      }
      return Load();  // stored, and the map moved meanwhile: from the store
    }
    TRESOR_RETURN_IF_ERROR(Load());  // changed meanwhile: from the store, then again
  }
  return MakeError(ErrorCode::kUnavailable, "the mount table keeps changing; retry");
}

Result<void> MountTable::Add(std::string path, const std::string& type, int version,
                             const std::string& description) {
  if (!path.empty() && path.back() != '/') path.push_back('/');
  if (!ValidMountPath(path)) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid mount path \"" + path + "\"");
  }
  const engines::Type* found = engines::FindType(type);
  if (found == nullptr) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "only " + engines::TypeNames() + " secrets engines can be mounted, not \"" + type + "\"");
  }
  if (found->default_version != 0 && version == 0) version = found->default_version;
  if (found->default_version != 0 && version != 1 && version != 2) {
    return MakeError(ErrorCode::kInvalidArgument, type + " version must be 1 or 2");
  }
  const std::shared_ptr<Mount> made = Make(path, *found, version, description);
  return Change(
      [&](Json& table) -> Result<std::vector<store::Write>> {
        TRESOR_RETURN_IF_ERROR(RefuseNested(mounts_, path));
        // Records left by an earlier mount at this path were deleted with it.
        table[path] = Entry(*made);
        return std::vector<store::Write>{};
      },
      [&] { mounts_[path] = made; });
}

Result<void> MountTable::Move(std::string from, std::string to) {
  for (std::string* path : {&from, &to}) {
    if (!path->empty() && path->back() != '/') path->push_back('/');
  }
  if (!ValidMountPath(to)) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid mount path \"" + to + "\"");
  }
  std::shared_ptr<Mount> moved;
  std::shared_ptr<Mount> made;
  auto changed = Change(
      [&](Json& table) -> Result<std::vector<store::Write>> {
        auto it = mounts_.find(from);
        if (it == mounts_.end()) {
          return MakeError(ErrorCode::kNotFound, "no secrets engine is mounted at " + from);
        }
        TRESOR_RETURN_IF_ERROR(RefuseNested(mounts_, to, from));
        if (to == from) return MakeError(ErrorCode::kRefused, "path is already in use at " + to);
        moved = it->second;
        Close(*moved);
        made = Make(to, *moved->type, moved->version, moved->description);
        table.erase(from);
        table[to] = Entry(*made);
        // Each record sealed again: a record is bound to its key.
        const std::string old_prefix = moved->prefix();
        TRESOR_ASSIGN_OR_RETURN(auto keys, barrier_.Keys(old_prefix));
        std::vector<store::Write> writes;
        for (std::string& key : keys) {
          TRESOR_ASSIGN_OR_RETURN(auto plaintext, barrier_.Get(key));
          if (!plaintext) continue;  // deleted since the listing
          writes.push_back(
              barrier_.Seal(made->prefix() + key.substr(old_prefix.size()), plaintext->Reveal()));
          writes.push_back(store::Write{std::move(key), std::nullopt});
        }
        return writes;
      },
      [&] {
        mounts_.erase(from);
        mounts_[to] = made;
      });
  if (!changed && moved) Reopen(from, moved);
  return changed;
}

Result<void> MountTable::Tune(std::string path, const std::string& description) {
  if (!path.empty() && path.back() != '/') path.push_back('/');
  return Change(
      [&](Json& table) -> Result<std::vector<store::Write>> {
        if (!table.contains(path)) {
          return MakeError(ErrorCode::kNotFound, "no secrets engine is mounted at " + path);
        }
        table[path]["description"] = description;
        return std::vector<store::Write>{};
      },
      [&] {
        // The same engines under a new description.
        auto tuned = std::make_shared<Mount>(*mounts_.at(path));
        tuned->description = description;
        mounts_[path] = std::move(tuned);
      });
}

Result<void> MountTable::Remove(std::string path) {
  if (!path.empty() && path.back() != '/') path.push_back('/');
  std::shared_ptr<Mount> removed;
  auto changed = Change(
      [&](Json& table) -> Result<std::vector<store::Write>> {
        auto it = mounts_.find(path);
        if (it == mounts_.end()) {
          return MakeError(ErrorCode::kNotFound, "no secrets engine is mounted at " + path);
        }
        removed = it->second;
        // Closed first: a change in flight either is stored before the
        // listing below, and deleted with the rest, or is refused.
        Close(*removed);
        table.erase(path);
        // The table and the deletions in one transaction: a crash cannot
        // leave the mount's records behind for a later mount at the same
        // path to find.
        TRESOR_ASSIGN_OR_RETURN(auto keys, barrier_.Keys(removed->prefix()));
        std::vector<store::Write> writes;
        for (std::string& key : keys) writes.push_back(store::Write{std::move(key), std::nullopt});
        return writes;
      },
      [&] { mounts_.erase(path); });
  if (!changed && removed) Reopen(path, removed);  // not unmounted: open again what was closed
  return changed;
}

void MountTable::Close(const Mount& mount) { mount.engine->Close(); }

void MountTable::Reopen(const std::string& path, const std::shared_ptr<Mount>& closed) {
  const std::unique_lock lock(mutex_);
  if (auto it = mounts_.find(path); it != mounts_.end() && it->second == closed) {
    it->second = Make(path, *closed->type, closed->version, closed->description);
  }
}

Json MountTable::Describe(const Mount& m) {
  Json options = nullptr;
  if (m.type->default_version != 0) options = Json{{"version", std::to_string(m.version)}};
  return Json{{"type", m.type->name},
              {"description", m.description},
              {"options", std::move(options)},
              {"local", false},
              {"seal_wrap", false},
              {"config", {{"default_lease_ttl", 0}, {"max_lease_ttl", 0}}}};
}

void MountTable::Changed(const std::string& key, uint64_t revision) {
  if (key == kTablePath) {
    bool news = false;
    {
      const std::unique_lock lock(mutex_);
      news = barrier_.local_writes().IsNews(key, revision);
    }
    if (news) (void)Load();  // from the store, which is never behind the change
    return;
  }
  for (const engines::Type& type : engines::Types()) {
    const std::string_view root = type.storage_root;
    if (!key.starts_with(root)) continue;
    std::string rest;
    auto mount = Find(key.substr(root.size()), &rest);
    if (mount && mount->type == &type) {
      mount->engine->Changed(rest, revision);
    } else {
      (void)barrier_.local_writes().IsNews(key, revision);  // forget this node's note
    }
    return;
  }
}

bool MountTable::Owns(const std::string& key) {
  if (key == kTablePath) return true;
  for (const engines::Type& type : engines::Types()) {
    if (key.starts_with(type.storage_root)) return true;
  }
  return false;
}

size_t MountTable::CachedKeys() const {
  const std::shared_lock lock(mutex_);
  size_t n = 0;
  for (const auto& [path, m] : mounts_) n += m->engine->CachedKeys();
  return n;
}

Json MountTable::Describe() const {
  Json out = Json::object();
  {
    const std::shared_lock lock(mutex_);
    for (const auto& [path, m] : mounts_) out[path] = Describe(*m);
  }
  out["cubbyhole/"] =
      Json{{"type", "cubbyhole"}, {"description", "per-token private secret storage"},
           {"options", nullptr},  {"local", true},
           {"seal_wrap", false},  {"config", {{"default_lease_ttl", 0}, {"max_lease_ttl", 0}}}};
  out["sys/"] = Json{{"type", "system"},
                     {"description", "system endpoints used for control, policy and debugging"},
                     {"options", nullptr},
                     {"local", false},
                     {"seal_wrap", false},
                     {"config", {{"default_lease_ttl", 0}, {"max_lease_ttl", 0}}}};
  return out;
}

}  // namespace tresor::server
