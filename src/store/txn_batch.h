// Group commit for a remote store: transactions submitted while others are
// on their way go together in the next round trip, so that many concurrent
// writers cost the store a few large requests instead of many small ones
// (etcd 3.4 spends as much on each Txn as on a put of several keys).
//
// A batch keeps submission order and never holds two transactions that
// touch a key one of them writes: each member's conditions are checked
// against the store as it was before the batch, which is then the same as
// checking them one after another. At most `in_flight` batches are sent at
// once; a caller whose transaction waits is the one that sends it when a
// slot frees (no thread of its own).
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "store/storage.h"

namespace tresor::store {

class TxnBatch {
 public:
  struct Limits {
    size_t members = 32;         // transactions per batch
    size_t bytes = 1024 * 1024;  // keys and values per batch (one larger goes alone)
    size_t in_flight = 2;        // batches sent at once
  };
  // Sends a batch; returns one result per transaction, in order.
  using Sender = std::function<std::vector<Result<TxnResult>>(const std::vector<const Txn*>&)>;

  TxnBatch(Limits limits, Sender send) : limits_(limits), send_(std::move(send)) {}

  // Returns when the batch holding `txn` has been answered.
  Result<TxnResult> Submit(Txn txn);

  uint64_t batches() const;  // sent so far
  size_t waiting() const;    // transactions not yet sent

 private:
  struct Pending {
    Txn txn;
    size_t bytes = 0;
    std::optional<Result<TxnResult>> result;
  };
  // The next batch from the front of the queue.
  std::vector<Pending*> TakeLocked();

  const Limits limits_;
  const Sender send_;
  mutable std::mutex mutex_;
  std::condition_variable answered_;
  std::deque<Pending*> queue_;
  size_t in_flight_ = 0;
  uint64_t batches_ = 0;
};

}  // namespace tresor::store
