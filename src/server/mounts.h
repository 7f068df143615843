// The secrets engines mounted, by path: KV version 2 at "secret/" unless
// changed, and whatever sys/mounts adds (any of engines::Types()). The
// table is stored through the barrier at "core/mounts"; each mount's
// records live under its type's prefix and its path ("kv/secret/",
// "transit/transit/"). Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <vector>

#include "server/engines/engine.h"
#include "store/barrier.h"

namespace tresor::server {

using Json = nlohmann::json;

// A mount path's form, for secrets engines and auth methods alike: 2 to 128
// of letters, digits, '-', '_', '.' and '/', ending with '/', without an
// empty segment.
bool WellFormedMountPath(const std::string& path);

// kRefused "path is already in use at P" if a path of `mounts` (a map by
// path) other than `except` is `path`, or inside or around it: mounts do
// not nest.
template <typename Map>
Result<void> RefuseNested(const Map& mounts, const std::string& path,
                          const std::string& except = "") {
  for (const auto& [existing, m] : mounts) {
    if (existing != except && (existing.starts_with(path) || path.starts_with(existing))) {
      return MakeError(ErrorCode::kRefused, "path is already in use at " + existing);
    }
  }
  return {};
}

struct Mount {
  std::string path;                     // "secret/"
  const engines::Type* type = nullptr;  // its secrets engine (engines/registry.cc)
  int version = 0;                      // options.version, for the types that take one
  std::string description;
  std::shared_ptr<engines::Engine> engine;
  // Where the mount's records are stored ("kv/secret/").
  std::string prefix() const { return type->storage_root + path; }
};

class MountTable {
 public:
  explicit MountTable(store::Barrier& barrier) : barrier_(barrier) {}
  // Reads the table (once, after unsealing): "secret/" (KV v2) if none.
  Result<void> Load();

  // The mount whose path begins `path` ("secret/data/x"), and in `rest`
  // what follows its path; null if none.
  std::shared_ptr<const Mount> Find(const std::string& path, std::string* rest) const;
  // `type` one of engines::Types() (with `version` 1 or 2 if it takes one;
  // 0: its default). kInvalidArgument for a bad path, type or version;
  // kRefused if the path, or one inside or around it, is in use.
  Result<void> Add(std::string path, const std::string& type, int version,
                   const std::string& description);
  // Unmounts and deletes the mount's records, in one batch with the
  // table's change; changes in flight on the mount are refused. kNotFound
  // if not mounted; kIo if storage refused (the mount stays).
  Result<void> Remove(std::string path);
  // Moves the mount at `from` to `to` with its records (each opened and
  // sealed again for its new key), in one batch with the table's change;
  // changes in flight on it are refused. kNotFound if nothing is at
  // `from`; kInvalidArgument for a bad `to`; kRefused if `to`, or a path
  // inside or around it, is in use.
  Result<void> Move(std::string from, std::string to);
  // Changes the description of the mount at `path`; kNotFound if none.
  Result<void> Tune(std::string path, const std::string& description);
  // sys/mounts' answer: every mount, and sys/.
  Json Describe() const;
  static Json Describe(const Mount& mount);
  // True if storage key `key` is the table or a mount's record.
  static bool Owns(const std::string& key);
  // Another node changed the record at storage key `key` ("kv/...",
  // "transit/..."): the mount it belongs to forgets its cached copy.
  void Changed(const std::string& key, uint64_t revision);
  // KV version 2 keys held in memory, over all mounts (metrics).
  size_t CachedKeys() const;

 private:
  // Refuses every later change on the mount's engines (an unmount or a
  // move is under way); Reopen puts fresh engines at `path` if `closed`
  // is still there (the change failed).
  static void Close(const Mount& mount);
  void Reopen(const std::string& path, const std::shared_ptr<Mount>& closed);
  std::shared_ptr<Mount> Make(const std::string& path, const engines::Type& type, int version,
                              const std::string& description) const;
  // The stored form of the table.
  Json TableLocked() const;
  // Changes the table (and writes `change` adds) in one transaction on the
  // table's record at the revision it was read at; `applied` (under the
  // lock) brings the map in line once stored. Read again and retried when
  // another node changed the table meanwhile.
  Result<void> Change(const std::function<Result<std::vector<store::Write>>(Json& table)>& change,
                      const std::function<void()>& applied);
  static constexpr int kChangeAttempts = 16;

  store::Barrier& barrier_;
  mutable std::shared_mutex mutex_;
  uint64_t table_revision_ = 0;  // of the stored table the map reflects (0: none stored)
  std::map<std::string, std::shared_ptr<Mount>> mounts_;
};

}  // namespace tresor::server
