// Where the server keeps its records: a sorted map from string keys to byte
// values, written in ordered batches. Implementations: MemoryStorage (the
// development server) and SqliteStorage (the embedded default).
//
// Writes are submitted, not performed: Submit queues a batch and returns its
// sequence number at once, and WhenDurable says when that batch (and every
// earlier one) is safely stored. Reads (Get, Keys, Scan) already see every
// submitted batch, durable or not, so a caller that submits under its own
// lock keeps a consistent view without waiting for the disk. Batches are
// applied in submission order, each atomically. After a failed commit (a
// full disk, an I/O error) the storage refuses writes and reads see only
// what is durable: the caller's in-memory state may be ahead of the disk, so
// the caller reloads it from the storage and then calls Recover, which lets
// writes through again.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::store {

using Bytes = std::vector<uint8_t>;

// One change: a value to store under `key`, or nullopt to delete it.
struct Write {
  std::string key;
  std::optional<Bytes> value;
};

class Storage {
 public:
  virtual ~Storage() = default;

  virtual Result<std::optional<Bytes>> Get(const std::string& key) = 0;
  // Every key that starts with `prefix`, sorted bytewise.
  virtual Result<std::vector<std::string>> Keys(const std::string& prefix) = 0;
  // Calls `visit` with each key that starts with `prefix` and its value, in
  // key order; stops early when `visit` returns false.
  virtual Result<void> Scan(const std::string& prefix,
                            const std::function<bool(const std::string&, const Bytes&)>& visit) = 0;

  // Queues `writes` as one batch; returns its sequence number (from 1).
  // kIo if an earlier commit failed.
  virtual Result<uint64_t> Submit(std::vector<Write> writes) = 0;
  // Calls `done(true)` once batch `seq` and all before it are durable, or
  // `done(false)` if one of them failed; at once (on this thread) if that is
  // already known, else later on the storage's own thread. `done` must be
  // quick and must not call back into the storage.
  virtual void WhenDurable(uint64_t seq, std::function<void(bool)> done) = 0;
  virtual bool IsDurable(uint64_t seq) = 0;

  // Batches submitted, and transactions that committed them (metrics).
  virtual uint64_t submitted() const = 0;
  virtual uint64_t transactions() const = 0;

  // "inmem" or "sqlite", as sys/seal-status reports it.
  virtual std::string type() const = 0;

  // The reason of the failed commit that stopped writes, or nothing.
  virtual std::optional<std::string> Failure() { return std::nullopt; }
  // Lets writes through again after a failure, once the caller's state
  // agrees with what is stored. kIo if the storage sees it cannot write yet
  // (no free space); the next commit is the real test.
  virtual Result<void> Recover() { return {}; }
  // `on_failure` is called, on the storage's thread, with the reason of
  // each failed commit (for the log). Set it before submitting.
  virtual void SetFailureHandler(std::function<void(const std::string&)> on_failure) {
    (void)on_failure;
  }

  // Submits and waits: for start-up and administrative writes.
  Result<void> Commit(std::vector<Write> writes);
};

}  // namespace tresor::store
