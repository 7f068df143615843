#include "store/txn_batch.h"

#include <set>
#include <string>

namespace tresor::store {
namespace {

size_t SizeOf(const Txn& txn) {
  size_t bytes = 0;
  for (const Condition& c : txn.conditions) bytes += c.key.size();
  for (const Write& w : txn.writes) bytes += w.key.size() + (w.value ? w.value->size() : 0);
  return bytes;
}

}  // namespace

Result<TxnResult> TxnBatch::Submit(Txn txn) {
  Pending pending;
  pending.bytes = SizeOf(txn);
  pending.txn = std::move(txn);
  std::unique_lock lock(mutex_);
  queue_.push_back(&pending);
  while (!pending.result) {
    if (in_flight_ >= limits_.in_flight || queue_.empty()) {
      answered_.wait(lock);
      continue;
    }
    std::vector<Pending*> batch = TakeLocked();
    ++in_flight_;
    ++batches_;
    lock.unlock();
    std::vector<const Txn*> txns;
    txns.reserve(batch.size());
    for (const Pending* p : batch) txns.push_back(&p->txn);
    std::vector<Result<TxnResult>> results = send_(txns);
    lock.lock();
    --in_flight_;
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
    answered_.notify_all();
  }
  return std::move(*pending.result);
}

std::vector<TxnBatch::Pending*> TxnBatch::TakeLocked() {
  std::vector<Pending*> batch;
  std::set<std::string_view> written, touched;
  size_t bytes = 0;
  while (!queue_.empty() && batch.size() < limits_.members) {
    Pending* next = queue_.front();
    if (!batch.empty() && bytes + next->bytes > limits_.bytes) break;
    bool clash = false;
    for (const Condition& c : next->txn.conditions) clash = clash || written.contains(c.key);
    for (const Write& w : next->txn.writes) clash = clash || touched.contains(w.key);
    if (clash) break;  // the next batch: order kept
    for (const Condition& c : next->txn.conditions) touched.insert(c.key);
    for (const Write& w : next->txn.writes) {
      written.insert(w.key);
      touched.insert(w.key);
    }
    bytes += next->bytes;
    batch.push_back(next);
    queue_.pop_front();
  }
  return batch;
}

uint64_t TxnBatch::batches() const {
  const std::lock_guard lock(mutex_);
  return batches_;
}

size_t TxnBatch::waiting() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace tresor::store
