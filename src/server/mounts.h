// The secrets engines mounted, by path: KV version 2 at "secret/" unless
// changed, and whatever sys/mounts adds (KV version 1 or 2, transit). The
// table is stored through the barrier at "core/mounts"; each mount's
// records live under its type's prefix and its path ("kv/secret/",
// "transit/transit/"). Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "server/kv1.h"
#include "server/kv2.h"
#include "server/transit/transit.h"
#include "store/barrier.h"

namespace tresor::server {

// A mount path's form, for secrets engines and auth methods alike: 2 to 128
// of letters, digits, '-', '_', '.' and '/', ending with '/', without an
// empty segment.
bool WellFormedMountPath(const std::string& path);

struct Mount {
  std::string path;         // "secret/"
  std::string type = "kv";  // "kv" or "transit"
  int version = 2;          // the KV version (0 for other engines)
  std::string description;
  std::shared_ptr<KvV2> v2;                   // set for KV version 2
  std::shared_ptr<KvV1> v1;                   // set for KV version 1
  std::shared_ptr<transit::Transit> transit;  // set for transit
  // Where the mount's records are stored ("kv/secret/").
  std::string prefix() const { return (type == "kv" ? "kv/" : type + "/") + path; }
};

class MountTable {
 public:
  explicit MountTable(store::Barrier& barrier) : barrier_(barrier) {}
  // Reads the table (once, after unsealing): "secret/" (KV v2) if none.
  Result<void> Load();

  // The mount whose path begins `path` ("secret/data/x"), and in `rest`
  // what follows its path; null if none.
  std::shared_ptr<const Mount> Find(const std::string& path, std::string* rest) const;
  // `type` "kv" (with `version` 1 or 2) or "transit". kInvalidArgument for
  // a bad path, type or version; kRefused if the path, or one inside or
  // around it, is in use.
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
  std::shared_ptr<Mount> Make(const std::string& path, const std::string& type, int version,
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
