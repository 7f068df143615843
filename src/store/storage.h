// Where the server keeps its records: a sorted map from string keys to byte
// values, changed by transactions. Implementations: MemoryStorage (the
// development server and tests), SqliteStorage (the embedded default) and,
// for several server nodes, etcd. tests/store/conformance_test.cc holds
// every implementation to the contract below.
//
// Revisions. Every applied transaction that writes gets a revision of the
// store (1, 2, ...) higher than those of every transaction that finished
// before it began; transactions made at once may share one (etcd applies
// them together). Each record carries the revision that last changed it. A transaction has
// preconditions (a key is absent, or was last changed at revision R) that the store checks
// atomically with its writes, so a read-modify-write is safe however many processes share the
// store.
//
// Durability. Transact returns as soon as the outcome is known; for SQLite
// that is before the fsync, so many writers share one (group commit), and
// WhenDurable says when a revision is safely stored. Reads already see
// every applied transaction, durable or not. After a failed commit (a full
// disk, an I/O error) the storage refuses writes until Recover, and what
// was not yet durable is gone: the caller reloads its state first.
//
// Watch. An ordered stream of the durable changes under a prefix, each with
// its revision, resumable from any revision the store still remembers.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "store/membership.h"

namespace tresor::store {

using Bytes = std::vector<uint8_t>;

// One change: a value to store under `key`, or nullopt to delete it.
struct Write {
  std::string key;
  std::optional<Bytes> value;
};

// A stored value and the revision of the transaction that last changed it.
struct Record {
  Bytes value;
  uint64_t revision = 0;
};

// A precondition: `key` is absent (revision 0), or was last changed at
// `revision`.
struct Condition {
  std::string key;
  uint64_t revision = 0;
};

struct Txn {
  std::vector<Condition> conditions;
  std::vector<Write> writes;
};

struct TxnResult {
  bool applied = false;  // every condition held, and the writes were made
  // Applied: the revision of these writes (the store's current one if there
  // were none). Not applied: the revision the conditions were checked at.
  uint64_t revision = 0;
  size_t failed = 0;  // not applied: the index of the first condition that did not hold
};

// What one transaction changed under a watched prefix; or, instead, why
// the watch ended (`error`: kCompacted when the history it asked for is
// gone, kUnavailable when the store cannot be reached). Nothing follows an
// error.
struct Change {
  uint64_t revision = 0;
  std::vector<Write> writes;
  std::optional<Error> error;
};

// A running watch; destroying it stops the deliveries (waiting for one in
// progress, unless called from within it).
class Watch {
 public:
  virtual ~Watch() = default;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The record at `key`, nothing if absent.
  virtual Result<std::optional<Record>> Read(const std::string& key) = 0;
  // Up to `limit` keys (0: all) that start with `prefix` and sort after
  // `start_after`, sorted bytewise. Reads keys only, never values.
  virtual Result<std::vector<std::string>> List(const std::string& prefix,
                                                const std::string& start_after, size_t limit) = 0;
  // Calls `visit` with each key that starts with `prefix` and its record, in
  // key order; stops early when `visit` returns false. The records are one
  // view of the store, as of one revision (a snapshot can rely on it), but
  // for SQLite's writes still on their way to disk in the scanning process.
  virtual Result<void> Scan(
      const std::string& prefix,
      const std::function<bool(const std::string&, const Record&)>& visit) = 0;

  // Checks the conditions and, if all hold, applies the writes, all
  // together or not at all. kIo while the storage has failed; kUnavailable
  // when a remote store gave no answer (the outcome is then unknown).
  virtual Result<TxnResult> Transact(Txn txn) = 0;
  // Calls `done(true)` once `revision` and all before it are durable, or
  // `done(false)` if one of them failed; at once (on this thread) if that is
  // already known, else later on the storage's own thread. `done` must be
  // quick and must not call back into the storage.
  virtual void WhenDurable(uint64_t revision, std::function<void(bool)> done) = 0;
  virtual bool IsDurable(uint64_t revision) = 0;
  // The store's latest revision (0 when nothing was ever written).
  virtual Result<uint64_t> Revision() = 0;

  // Calls `on_change`, on a thread of the storage and in revision order,
  // with every durable change under `prefix` after revision `after`: first
  // those already made (kCompacted, delivered as the first Change, if the
  // store no longer keeps them), then each new one. `on_change` must not
  // destroy its own watch's storage.
  virtual Result<std::unique_ptr<Watch>> WatchPrefix(
      const std::string& prefix, uint64_t after, std::function<void(const Change&)> on_change) = 0;

  // Forgets the history up to `revision` (at most the current one): a
  // watch from before it gets kCompacted. Records are unaffected.
  virtual Result<void> Compact(uint64_t revision) = 0;

  // Transactions applied, and commits that made them durable (metrics).
  virtual uint64_t submitted() const = 0;
  virtual uint64_t transactions() const = 0;

  // True when every call is a network round trip (etcd): callers then
  // make them without holding their own locks.
  virtual bool remote() const { return false; }

  // The largest value a record may hold (0: no limit): etcd refuses a
  // request larger than its --max-request-bytes.
  virtual size_t max_value_bytes() const { return 0; }

  // "inmem", "sqlite" or "etcd", as sys/seal-status reports it.
  virtual std::string type() const = 0;

  // Why the store cannot be reached now (a remote store that has said
  // nothing for too long), or nothing: the server then answers 503 rather
  // than serve from caches it can no longer keep current.
  virtual std::optional<std::string> Unreachable() { return std::nullopt; }

  // Joins the nodes sharing this store as `name` (unique among them), with
  // `info` for the others to read; the work only one node may run is run
  // by the one whose membership leads. Alone on the store by default.
  virtual std::unique_ptr<Membership> Join(const std::string& name, const std::string& info) {
    return std::make_unique<SoleMembership>(name, info);
  }

  // The reason of the failed commit that stopped writes, or nothing.
  virtual std::optional<std::string> Failure() { return std::nullopt; }
  // Lets writes through again after a failure, once the caller's state
  // agrees with what is stored. kIo if the storage sees it cannot write yet
  // (no free space); the next commit is the real test.
  virtual Result<void> Recover() { return {}; }
  // `on_failure` is called, on the storage's thread, with the reason of
  // each failed commit (for the log). Set it before writing.
  virtual void SetFailureHandler(std::function<void(const std::string&)> on_failure) {
    (void)on_failure;
  }

  // Conveniences over the above.
  Result<std::optional<Bytes>> Get(const std::string& key);
  Result<std::vector<std::string>> Keys(const std::string& prefix) { return List(prefix, "", 0); }
  // An unconditional transaction; its revision.
  Result<uint64_t> Submit(std::vector<Write> writes);
  // Transacts and waits until durable: for start-up and administrative
  // writes. kIo if the commit failed.
  Result<TxnResult> Commit(Txn txn);
  Result<void> Commit(std::vector<Write> writes);
};

}  // namespace tresor::store
