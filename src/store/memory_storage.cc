#include "store/memory_storage.h"

#include <mutex>

#include "store/prefix_range.h"

namespace tresor::store {

Result<std::optional<Record>> MemoryStorage::Read(const std::string& key) {
  const std::shared_lock lock(mutex_);
  auto it = records_.find(key);
  if (it == records_.end()) return std::optional<Record>();
  return std::optional<Record>(it->second);
}

Result<std::vector<std::string>> MemoryStorage::List(const std::string& prefix,
                                                     const std::string& start_after, size_t limit) {
  const std::shared_lock lock(mutex_);
  std::vector<std::string> keys;
  const std::string& from = ListStart(prefix, start_after);
  for (auto it = records_.lower_bound(from);
       it != records_.end() && it->first.starts_with(prefix) && (limit == 0 || keys.size() < limit);
       ++it) {
    if (it->first != start_after) keys.push_back(it->first);
  }
  return keys;
}

Result<void> MemoryStorage::Scan(
    const std::string& prefix,
    const std::function<bool(const std::string&, const Record&)>& visit) {
  const std::shared_lock lock(mutex_);
  for (auto it = records_.lower_bound(prefix);
       it != records_.end() && it->first.starts_with(prefix); ++it) {
    if (!visit(it->first, it->second)) break;
  }
  return {};
}

Result<TxnResult> MemoryStorage::Transact(Txn txn) {
  if (max_write_bytes_ != 0) {
    size_t bytes = 0;
    for (const Write& w : txn.writes) bytes += w.key.size() + (w.value ? w.value->size() : 0);
    if (bytes > max_write_bytes_) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "a transaction of " + std::to_string(bytes) +
                           " bytes, more than the store takes in one (" +
                           std::to_string(max_write_bytes_) + ")");
    }
  }
  const std::unique_lock lock(mutex_);
  for (size_t i = 0; i < txn.conditions.size(); ++i) {
    const Condition& c = txn.conditions[i];
    auto it = records_.find(c.key);
    const uint64_t at = it == records_.end() ? 0 : it->second.revision;
    if (at != c.revision) return TxnResult{false, revision_, i};
  }
  // Deleting what is absent changes nothing (and takes no revision).
  std::erase_if(txn.writes, [&](const Write& w) { return !w.value && !records_.contains(w.key); });
  if (txn.writes.empty()) return TxnResult{true, revision_, 0};
  const uint64_t revision = ++revision_;
  for (const Write& w : txn.writes) {
    if (w.value) {
      records_[w.key] = Record{*w.value, revision};
    } else {
      records_.erase(w.key);
    }
  }
  ++applied_;
  hub_.Publish(revision, txn.writes);
  return TxnResult{true, revision, 0};
}

void MemoryStorage::WhenDurable(uint64_t, std::function<void(bool)> done) { done(true); }
bool MemoryStorage::IsDurable(uint64_t) { return true; }

Result<uint64_t> MemoryStorage::Revision() {
  const std::shared_lock lock(mutex_);
  return revision_;
}

Result<std::unique_ptr<Watch>> MemoryStorage::WatchPrefix(
    const std::string& prefix, uint64_t after, std::function<void(const Change&)> on_change) {
  return hub_.Subscribe(prefix, after, std::move(on_change));
}

Result<void> MemoryStorage::Compact(uint64_t revision) {
  {
    const std::shared_lock lock(mutex_);
    if (revision > revision_) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "cannot compact to revision " + std::to_string(revision) +
                           ", beyond the current " + std::to_string(revision_));
    }
  }
  hub_.Compact(revision);
  return {};
}

uint64_t MemoryStorage::submitted() const {
  const std::shared_lock lock(mutex_);
  return applied_;
}

}  // namespace tresor::store
