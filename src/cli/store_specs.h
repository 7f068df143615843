// Server stores named on the command line (sqlite:DIR,
// etcd:HOST:PORT[,...], config:server.toml), and what the commands that
// open them directly (migrate, snapshot) share: counting, digests, a
// progress line and writes in batches.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "store/snapshot.h"
#include "store/storage.h"

namespace tresor::cli {

struct OpenedStore {
  std::string name;  // as the user wrote it
  std::shared_ptr<store::Storage> storage;
};

// How a command opens the store.
enum class StoreUse {
  kSource,   // read, and must exist
  kTarget,   // written
  kReading,  // read beside a server that runs on it (SQLite: no lock taken)
};

// The parts of a spec: its kind ("sqlite", "etcd", "config") and the rest;
// kInvalidArgument for anything else.
Result<std::pair<std::string, std::string>> SplitStoreSpec(const std::string& spec);

Result<OpenedStore> OpenStoreSpec(const std::string& spec, const std::string& prefix, StoreUse use);

// The records of a store but the membership keys.
Result<uint64_t> CountRecords(store::Storage& storage);
Result<store::SnapshotSummary> DigestOf(store::Storage& storage, const char* what, uint64_t total);

// Writes into a store in transactions of at most `records` records and
// `bytes` bytes: by default 64 and 1 MiB, under etcd's default limits of 128
// operations and 1.5 MiB a request; SQLite takes more at once.
struct BatchLimits {
  size_t records = 64;
  size_t bytes = 1 << 20;
};

class BatchedWrites {
 public:
  BatchedWrites(store::Storage& to, std::string name, BatchLimits limits = BatchLimits())
      : to_(to), name_(std::move(name)), limits_(limits) {}
  Result<void> Add(std::string key, store::Bytes value);
  Result<void> Flush();

 private:
  store::Storage& to_;
  std::string name_;
  BatchLimits limits_;
  std::vector<store::Write> batch_;
  size_t bytes_ = 0;
};

}  // namespace tresor::cli
