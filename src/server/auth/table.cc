#include "server/auth/table.h"

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "server/mounts.h"
#include "server/records.h"
#include "server/type_names.h"

namespace tresor::server::auth {
namespace {

using Json = nlohmann::json;

constexpr char kTablePath[] = "core/auth-methods";
// Deletions of a disabled method's records go in transactions of this many
// writes (etcd refuses more than 128 operations in one by default).
constexpr size_t kDeleteChunk = 64;

// "corp" or "corp/" as "corp/".
std::string Normalized(std::string path) {
  if (!path.empty() && path.back() != '/') path.push_back('/');
  return path;
}

// Deletes every record under `prefix`, a chunk at a time.
Result<void> DeleteUnder(store::Barrier& barrier, const std::string& prefix) {
  TRESOR_ASSIGN_OR_RETURN(std::vector<std::string> keys, barrier.Keys(prefix));
  for (size_t at = 0; at < keys.size(); at += kDeleteChunk) {
    std::vector<store::Write> deletes;
    for (size_t i = at; i < std::min(keys.size(), at + kDeleteChunk); ++i) {
      deletes.push_back({keys[i], std::nullopt});
    }
    TRESOR_RETURN_IF_ERROR(barrier.Apply(std::move(deletes)));
  }
  return {};
}

}  // namespace

std::shared_ptr<Mount> Table::Make(const std::string& path, const Type& type,
                                   const std::string& description, std::string storage) const {
  auto mount = std::make_shared<Mount>();
  mount->path = path;
  mount->type = type.name;
  mount->description = description;
  mount->storage = std::move(storage);
  mount->method = type.make(services_, mount->prefix());
  return mount;
}

Table::Map Table::FromRecord(const Json& record, const Map& kept) {
  Map out;
  if (!record.is_object()) return out;
  // A mount already there with the same type and storage keeps its
  // instance, and what it holds, wherever it is served now; its path and
  // description are taken from the record.
  const auto mount = [&](const std::string& path, const Type& type, std::string description,
                         std::string storage) {
    if (storage.empty()) storage = "auth/" + path;
    for (const auto& [at, m] : kept) {
      if (m->storage != storage || m->type != type.name) continue;
      auto same = std::make_shared<Mount>(*m);
      same->path = path;
      same->description = std::move(description);
      return same;
    }
    return Make(path, type, description, std::move(storage));
  };
  const auto text = [](const Json& object, const char* name) {
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (const auto mounts = record.find("mounts"); mounts != record.end() && mounts->is_object()) {
    for (const auto& [path, entry] : mounts->items()) {
      const Type* type = entry.is_object() ? FindType(text(entry, "type")) : nullptr;
      if (type != nullptr) {
        out[path] = mount(path, *type, text(entry, "description"), text(entry, "storage"));
      }
    }
    return out;
  }
  // The form before several mounts: each type at its own name.
  const auto descriptions = record.find("descriptions");
  for (const Type& type : Types()) {
    const auto on = record.find(type.name);
    if (on == record.end() || !on->is_boolean() || !on->get<bool>()) continue;
    const bool described = descriptions != record.end() && descriptions->is_object();
    out[std::string(type.name) + "/"] = mount(std::string(type.name) + "/", type,
                                              described ? text(*descriptions, type.name) : "", "");
  }
  return out;
}

Json Table::RecordOf(const Map& map) {
  Json mounts = Json::object();
  for (const auto& [path, m] : map) {
    mounts[path] = Json{{"type", m->type}, {"description", m->description}};
    if (m->storage != "auth/" + path) mounts[path]["storage"] = m->storage;
  }
  return Json{{"mounts", std::move(mounts)}};
}

Result<void> Table::Load() {
  TRESOR_ASSIGN_OR_RETURN(auto stored, GetRecordAt(*services_.barrier, kTablePath));
  Map loaded = stored.record ? FromRecord(*stored.record, Map()) : Map();
  for (auto& [path, mount] : loaded) TRESOR_RETURN_IF_ERROR(mount->method->Load());
  const std::unique_lock lock(mutex_);
  if (stored.revision < revision_) return {};  // loads may overlap: the newest wins
  mounts_ = std::move(loaded);
  revision_ = stored.revision;
  return {};
}

Result<void> Table::Change(const std::function<Result<void>(Map& mounts)>& change) {
  store::Barrier& barrier = *services_.barrier;
  for (int attempt = 0; attempt < kChangeAttempts; ++attempt) {
    Map next;
    uint64_t revision = 0;
    {
      const std::shared_lock lock(mutex_);
      next = mounts_;
      revision = revision_;
    }
    TRESOR_RETURN_IF_ERROR(change(next));
    auto result = barrier.ApplyIf({{kTablePath, revision}},
                                  {SealRecord(barrier, kTablePath, RecordOf(next))});
    if (!result) return MakeError(result.error().code, "storage refused the auth table change");
    if (result->applied) {
      const std::unique_lock lock(mutex_);
      if (revision_ == revision) {
        mounts_ = std::move(next);
        revision_ = result->revision;
        return {};
      }
    }
    // Changed meanwhile (by another node, or stored and overtaken): from
    // the store, then, unless it was stored, again.
    TRESOR_RETURN_IF_ERROR(Load());
    if (result->applied) return {};
  }
  return MakeError(ErrorCode::kUnavailable, "the auth table kept changing; try again");
}

std::shared_ptr<const Mount> Table::Find(std::string_view path, std::string* rest) const {
  if (!path.starts_with("auth/")) return nullptr;
  path.remove_prefix(5);
  const std::shared_lock lock(mutex_);
  // Paths do not nest: at most one is a prefix of `path`.
  auto it = mounts_.upper_bound(path);
  if (it == mounts_.begin()) return nullptr;
  --it;
  if (!path.starts_with(it->first)) return nullptr;
  *rest = std::string(path.substr(it->first.size()));
  return it->second;
}

std::shared_ptr<const Mount> Table::At(std::string path) const {
  path = Normalized(std::move(path));
  const std::shared_lock lock(mutex_);
  const auto it = mounts_.find(path);
  return it == mounts_.end() ? nullptr : it->second;
}

Result<void> Table::Enable(std::string path, const std::string& type_name,
                           const std::string& description) {
  path = Normalized(std::move(path));
  if (!WellFormedMountPath(path)) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid auth path \"" + path + "\"");
  }
  const Type* type = FindType(type_name);
  if (type == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, "only the " + JoinNames(Types()) +
                                                      " auth methods can be enabled, not \"" +
                                                      type_name + "\"");
  }
  if (path.starts_with("token/") || std::string("token/").starts_with(path)) {
    return MakeError(ErrorCode::kRefused, "path is already in use at token/");
  }
  const std::lock_guard serial(change_mutex_);
  return Change([&](Map& mounts) -> Result<void> {
    TRESOR_RETURN_IF_ERROR(RefuseNested(mounts, path));
    // Its own records' place, unless a moved mount's records are there,
    // or inside or around it.
    std::string storage = "auth/" + path;
    for (const auto& [existing, m] : mounts) {
      if (m->storage.starts_with(storage) || storage.starts_with(m->storage)) {
        storage = "auth/~" + crypto::HexEncode(crypto::RandomSecret(8).Reveal()) + "/";
        break;
      }
    }
    std::shared_ptr<Mount> made = Make(path, *type, description, std::move(storage));
    TRESOR_RETURN_IF_ERROR(DeleteUnder(*services_.barrier, made->prefix()));
    TRESOR_RETURN_IF_ERROR(made->method->Load());
    mounts[path] = std::move(made);
    return {};
  });
}

Result<void> Table::Disable(std::string path) {
  path = Normalized(std::move(path));
  const std::lock_guard serial(change_mutex_);
  std::shared_ptr<Mount> gone;
  TRESOR_RETURN_IF_ERROR(Change([&](Map& mounts) -> Result<void> {
    const auto it = mounts.find(path);
    gone = it == mounts.end() ? nullptr : it->second;
    if (gone != nullptr) mounts.erase(it);
    return {};
  }));
  // No request reaches it from here on; what it stored goes.
  return gone == nullptr ? Result<void>() : DeleteUnder(*services_.barrier, gone->prefix());
}

Result<void> Table::Move(std::string from, std::string to) {
  from = Normalized(std::move(from));
  to = Normalized(std::move(to));
  if (!WellFormedMountPath(to)) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid auth path \"" + to + "\"");
  }
  if (to.starts_with("token/") || std::string("token/").starts_with(to)) {
    return MakeError(ErrorCode::kRefused, "path is already in use at token/");
  }
  const std::lock_guard serial(change_mutex_);
  return Change([&](Map& mounts) -> Result<void> {
    const auto it = mounts.find(from);
    if (it == mounts.end()) {
      return MakeError(ErrorCode::kNotFound, "no auth method is enabled at auth/" + from);
    }
    TRESOR_RETURN_IF_ERROR(RefuseNested(mounts, to, from));
    if (to == from) return MakeError(ErrorCode::kRefused, "path is already in use at " + to);
    // The same instance and records, served at the new path from the
    // moment the table is stored; requests in flight at the old path
    // finish on the same records.
    auto moved = std::make_shared<Mount>(*it->second);
    moved->path = to;
    mounts.erase(it);
    mounts[to] = std::move(moved);
    return {};
  });
}

Result<void> Table::Tune(std::string path, const std::string& description) {
  path = Normalized(std::move(path));
  const std::lock_guard serial(change_mutex_);
  return Change([&](Map& mounts) -> Result<void> {
    const auto it = mounts.find(path);
    if (it == mounts.end()) {
      return MakeError(ErrorCode::kNotFound, "no auth method is enabled at " + path);
    }
    auto tuned = std::make_shared<Mount>(*it->second);  // readers keep the one they hold
    tuned->description = description;
    it->second = std::move(tuned);
    return {};
  });
}

Json Table::Describe() const {
  Json out{{"token/",
            {{"type", "token"}, {"description", "token based credentials"}, {"local", false}}}};
  const std::shared_lock lock(mutex_);
  for (const auto& [path, m] : mounts_) {
    out[path] = Json{{"type", m->type}, {"description", m->description}, {"local", false}};
  }
  return out;
}

std::shared_ptr<const Mount> Table::StoringAt(const std::string& key) const {
  const std::shared_lock lock(mutex_);
  for (const auto& [path, m] : mounts_) {
    if (key.starts_with(m->storage)) return m;  // storages do not nest
  }
  return nullptr;
}

bool Table::Caches(const std::string& key) const {
  const auto mount = StoringAt(key);
  return mount != nullptr && mount->method->Caches();
}

void Table::Changed(const std::string& key, uint64_t revision, const std::optional<Json>& record) {
  if (const auto mount = StoringAt(key)) {
    mount->method->Refresh(key.substr(mount->storage.size()), revision, record);
  }
}

void Table::Reset(const std::optional<Json>& record, uint64_t revision) {
  Map current;
  {
    const std::shared_lock lock(mutex_);
    current = mounts_;
  }
  Map given = record ? FromRecord(*record, current) : Map();
  const std::unique_lock lock(mutex_);
  if (revision < revision_) return;  // older than what the map reflects
  revision_ = revision;
  mounts_ = std::move(given);
}

}  // namespace tresor::server::auth
