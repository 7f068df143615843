// A KV version 2 secrets engine (Vault's API semantics): versioned values
// with soft delete, undelete, destroy, check-and-set and per-key metadata.
//
// Each key (its metadata and every version kept) is one record in the
// storage barrier under PREFIX "k/" PATH, rewritten by every change; the
// mount's settings are PREFIX "config". Keys read once stay in a memory
// cache of bounded size that drops the least recently used key, so repeated
// reads of the keys in use cost no storage access. Without a barrier, the
// cache holds everything (tests). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "server/lru_map.h"
#include "server/times.h"
#include "store/barrier.h"

namespace tresor::server {

using Json = nlohmann::json;

// What an operation answers: an HTTP status, the response's "data" as
// compact JSON ("" for none: serialised where it is made, under the mount's
// lock, rather than copied out) and, for errors, messages.
struct KvOutcome {
  int status = 200;
  std::string data;
  std::vector<std::string> errors;
};

class KvV2 {
 public:
  // `barrier` may be null (memory only); `prefix` is this mount's storage
  // prefix ("kv/secret/"); at most `cache_limit` keys stay in memory.
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `now` gives the time (tests pass their own; null: the system clock).
  explicit KvV2(store::Barrier* barrier = nullptr, std::string prefix = "kv/secret/",
                size_t cache_limit = 200000, Clock now = nullptr);
  // Reads the mount's settings (once, after unsealing).
  Result<void> Load();

  // PUT/POST data/PATH {"data": {...}, "options": {"cas": N}}
  KvOutcome Write(const std::string& path, const Json& body);
  // GET data/PATH?version=N (0 or absent: the latest)
  KvOutcome Read(const std::string& path, int64_t version);
  // PATCH data/PATH: a new version, the latest's data merged with
  // body.data as a JSON merge patch (RFC 7386), options.cas as for Write.
  // 404 if there is no live latest version.
  KvOutcome Patch(const std::string& path, const Json& body);
  // subkeys/PATH: the version's keys with null leaves, `depth` levels (0:
  // all), and its metadata.
  KvOutcome Subkeys(const std::string& path, int64_t version, int64_t depth);
  // DELETE data/PATH: the latest version; POST delete/PATH {"versions": [...]}
  KvOutcome DeleteLatest(const std::string& path);
  KvOutcome DeleteVersions(const std::string& path, const Json& body);
  KvOutcome Undelete(const std::string& path, const Json& body);
  KvOutcome Destroy(const std::string& path, const Json& body);
  // GET, POST and DELETE metadata/PATH; LIST metadata/PATH
  KvOutcome ReadMetadata(const std::string& path);
  // `patch` (PATCH metadata/PATH): the key must exist, and custom_metadata
  // is merged into what it has (a null value removes a key).
  KvOutcome WriteMetadata(const std::string& path, const Json& body, bool patch = false);
  KvOutcome DeleteMetadata(const std::string& path);
  KvOutcome List(const std::string& prefix);
  // False for a path with control characters (refused with 400).
  static bool ValidPath(const std::string& path);
  // True if `path` has any version.
  Result<bool> Exists(const std::string& path);
  // Refuses every later change (404), so that once the operations in
  // flight have finished no record of this mount is written again: the
  // unmount's deletions are then final.
  void Close();
  // Keys held in memory (metrics).
  // Another node changed the record at PREFIX `rest` ("k/PATH" or
  // "config"): the cached copy goes (the next read fetches it).
  void Changed(const std::string& rest, uint64_t revision);
  size_t cached_keys();
  // GET and POST config
  KvOutcome ReadConfig();
  KvOutcome WriteConfig(const Json& body);

 private:
  struct Version {
    std::string created_time;
    std::string deletion_time;  // "" if not deleted
    bool destroyed = false;
    Json data;  // null once destroyed
  };
  struct Key {
    std::string created_time;
    std::string updated_time;
    int64_t current_version = 0;
    int64_t oldest_version = 0;
    int64_t max_versions = 0;  // 0: the mount's
    bool cas_required = false;
    std::string delete_version_after = "0s";
    Json custom_metadata;  // null or an object of strings
    std::map<int64_t, Version> versions;
    // The versions whose data has a record of its own (none for a record
    // from before the split: its next write writes them all).
    std::set<int64_t> stored_data;
    // The record holds versions' data inline (a new key's first version, or
    // a record from before the split); the next write moves it out.
    bool data_inline = false;
    // False for a cache entry that records that storage has no such key
    // (so that checking, then writing, a new key reads storage once).
    bool stored = true;
    // The revision of the stored record this entry reflects (0: none):
    // a write is stored only if the record is still at it.
    uint64_t revision = 0;
  };
  // The cache entry of a key that storage does not have.
  static Key Absent();
  static Json VersionMetadata(const Key& key, int64_t number, const Version& v);
  // Write and Patch: a new version with the data `data_of` gives for the
  // key as it is (an error: 404), after the cas checks.
  KvOutcome WriteVersion(const std::string& path, const Json& body,
                         const std::function<Result<Json>(const Key&, bool existed)>& data_of);
  // Adds the next version to `key` with `data` (times, deletion time,
  // trimming); its number.
  int64_t AddVersion(Key& key, Json data);
  KvOutcome ChangeVersions(const std::string& path, const Json& body, int action);
  // The key at `path` from the cache or storage; null if there is none.
  // Holds mutex_. kIntegrity if its record does not open.
  // The lock is let go while storage is read (a cache miss), so that a
  // remote store's round trip does not hold up the mount.
  Result<Key*> FindLocked(const std::string& path, std::unique_lock<std::mutex>& lock);
  // Writes `key` through the barrier (`key` is the cached entry).
  // Stores `key` if its record is still at key.revision, and moves that
  // on (kYes); kConflict if another writer (another node) changed it
  // first; kRefused if storage refused (noted: the request fails).
  // `before`, the key as stored when its record holds data inline: if
  // moving that data out in the same write makes it too large, it is moved
  // in a write of its own first.
  enum class Stored { kYes, kConflict, kRefused, kTooLarge };
  Stored Store(const std::string& path, Key& key, const Key* before = nullptr);
  // The record of a new key with its one version's data inline; none for
  // any other key.
  static std::optional<Json> InlineRecord(const Key& key);
  static constexpr int kWriteAttempts = 16;
  // Read-modify-write of the key at `path`: `change` edits a copy (of a
  // new key if `create` and none exists; else the answer is 204), or
  // answers instead (nothing stored); the copy is stored if the record is
  // still at the revision read, else it is all done again from a fresh
  // read. The lock is not held while storage works. `answer` gives the
  // response from what was stored.
  KvOutcome Update(const std::string& path, bool create,
                   const std::function<std::optional<KvOutcome>(Key&, bool existed)>& change,
                   const std::function<KvOutcome(const Key&)>& answer);
  // Update of an existing key, answered 204.
  KvOutcome Mutate(const std::string& path,
                   const std::function<std::optional<KvOutcome>(Key&)>& change);
  // Deletes the key from storage; the cache remembers it is gone.
  void ForgetLocked(const std::string& path);
  void PersistConfigLocked();
  // Where version N of `path` keeps its data: VersionPrefix(path) + "N".
  // Paths with control characters are refused, so the separator is unique.
  std::string VersionPrefix(const std::string& path) const;
  static constexpr char kVersionSeparator = '\x1f';
  // Reads the data of `key`'s versions (split layout). A version trimmed
  // since the metadata was read is left out; kUnavailable if the current
  // one has no data (destroyed between the two reads: read again).
  Result<void> LoadVersions(const std::string& path, Key& key);
  static Json ToJson(const Key& key);
  static Key FromJson(const Json& json);
  int64_t MaxVersions(const Key& key) const;
  // Seconds after which a new version of `key` is deleted (0: never): the
  // shorter of the key's and the mount's delete_version_after, as in Vault.
  int64_t DeleteVersionAfter(const Key& key) const;
  // True once `v`'s deletion time (set by a delete, or at its creation from
  // delete_version_after) is not after `now` (Rfc3339).
  static bool Deleted(const Version& v, const std::string& now);
  std::string Now() const { return Rfc3339(now_()); }
  // Drops the oldest versions past the key's max_versions.
  void TrimVersions(Key& key) const;

  store::Barrier* barrier_;
  std::string prefix_;
  Clock now_;
  std::mutex mutex_;
  std::shared_mutex writing_;  // shared by writes in flight; Close takes it
  bool closed_ = false;
  LruMap<Key> keys_;          // all keys without a barrier, else a cache
  int64_t max_versions_ = 0;  // mount config; 0 means 10, as Vault
  bool cas_required_ = false;
  std::string delete_version_after_ = "0s";
};

// An outcome without data: `status`, with `message` as its error if any.
KvOutcome KvStatus(int status, std::string message = "");
// A record that does not open or a store that does not answer (503: the
// client may try another node); one opaque message for the client.
KvOutcome KvStorageFailure(const tresor::Error& error);
KvOutcome KvContended();
// The answer to a change of an unmounted engine's records.
KvOutcome KvUnmounted();

// What a LIST answers for `dir`: the names just below it in `paths`
// (sorted, all under `dir`), folders with a trailing '/', each once.
Json ChildNames(const std::vector<std::string>& paths, const std::string& dir);

}  // namespace tresor::server
