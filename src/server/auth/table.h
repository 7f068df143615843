// The auth methods enabled, by path ("userpass/", "corp/ldap-users/"), each
// an instance of a registered type (method.h). The table is stored through
// the barrier at "core/auth-methods"; each instance's records live under
// "auth/PATH". Paths do not nest, so no instance sees another's records.
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>

#include "server/auth/method.h"

namespace tresor::server::auth {

struct Mount {
  std::string path;  // "userpass/"
  std::string type;  // "userpass"
  std::string description;
  std::shared_ptr<Method> method;
  // Where its records are kept: "auth/" + the path it was enabled at
  // ("auth/userpass/"); kept when the mount moves (sys/remount), so a move
  // is one change of the table. A path whose own would nest with another
  // mount's gets "auth/~" and 16 random hex digits.
  std::string storage;
  const std::string& prefix() const { return storage; }
};

class Table {
 public:
  explicit Table(Services services) : services_(std::move(services)) {}
  // Reads the table and each instance's records (once, after unsealing).
  Result<void> Load();

  // The mount that `path` ("auth/corp/login/alice") is under, and in
  // `rest` what follows its path ("login/alice"); null if none.
  std::shared_ptr<const Mount> Find(std::string_view path, std::string* rest) const;
  // The mount at exactly `path` ("corp" or "corp/"); null if none.
  std::shared_ptr<const Mount> At(std::string path) const;

  // kInvalidArgument for a bad path or an unknown type; kRefused if the
  // path, or one inside or around it, is in use. Records an earlier mount
  // left at the path are deleted first.
  Result<void> Enable(std::string path, const std::string& type, const std::string& description);
  // Disables the method at `path` and deletes its records (nothing to do
  // if none is there).
  Result<void> Disable(std::string path);
  // Serves the method at `from` at `to` instead, with its records (where
  // they are: nothing is copied). kNotFound if nothing is enabled at
  // `from`; kRefused if `to`, or a path inside or around it, is in use;
  // kInvalidArgument for a bad path.
  Result<void> Move(std::string from, std::string to);
  // kNotFound if nothing is enabled at `path`.
  Result<void> Tune(std::string path, const std::string& description);
  // sys/auth's answer: every method, and token/.
  nlohmann::json Describe() const;

  // Another node's change to a record under "auth/": true if the mount it
  // belongs to keeps such records in memory, which Changed then updates
  // (`record` nullopt: deleted).
  bool Caches(const std::string& key) const;
  void Changed(const std::string& key, uint64_t revision,
               const std::optional<nlohmann::json>& record);
  // Another node changed the table (at `revision`): instances are made for
  // new mounts (empty: their records follow in revision order), dropped for
  // gone ones, and kept for moved ones.
  void Reset(const std::optional<nlohmann::json>& record, uint64_t revision);

 private:
  // By path; found by a string_view without a copy.
  using Map = std::map<std::string, std::shared_ptr<Mount>, std::less<>>;
  // The mounts `record` describes (an older table's form too: {"userpass":
  // true, "descriptions": {...}}); those in `kept` of the same type and
  // storage keep their instance (at whatever path: a moved mount too).
  Map FromRecord(const nlohmann::json& record, const Map& kept);
  static nlohmann::json RecordOf(const Map& mounts);
  // Applies `change` to a copy of the map and stores the table only if it
  // is still the one the copy was made from (two nodes changing it at once
  // cannot both write a table without the other's change); else reads it
  // again and retries.
  Result<void> Change(const std::function<Result<void>(Map& mounts)>& change);
  static constexpr int kChangeAttempts = 16;
  std::shared_ptr<Mount> Make(const std::string& path, const Type& type,
                              const std::string& description, std::string storage) const;
  // The mount whose records `key` is under; null if none.
  std::shared_ptr<const Mount> StoringAt(const std::string& key) const;

  Services services_;
  std::mutex change_mutex_;  // one Enable, Disable, Move or Tune at a time
  mutable std::shared_mutex mutex_;
  uint64_t revision_ = 0;  // of the stored table the map reflects (0: none stored)
  Map mounts_;
};

}  // namespace tresor::server::auth
