#include "store/memory_storage.h"

#include <mutex>

namespace tresor::store {

Result<std::optional<Bytes>> MemoryStorage::Get(const std::string& key) {
  const std::shared_lock lock(mutex_);
  auto it = records_.find(key);
  if (it == records_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

Result<std::vector<std::string>> MemoryStorage::Keys(const std::string& prefix) {
  const std::shared_lock lock(mutex_);
  std::vector<std::string> keys;
  for (auto it = records_.lower_bound(prefix);
       it != records_.end() && it->first.starts_with(prefix); ++it) {
    keys.push_back(it->first);
  }
  return keys;
}

Result<void> MemoryStorage::Scan(
    const std::string& prefix, const std::function<bool(const std::string&, const Bytes&)>& visit) {
  const std::shared_lock lock(mutex_);
  for (auto it = records_.lower_bound(prefix);
       it != records_.end() && it->first.starts_with(prefix); ++it) {
    if (!visit(it->first, it->second)) break;
  }
  return {};
}

Result<uint64_t> MemoryStorage::Submit(std::vector<Write> writes) {
  const std::unique_lock lock(mutex_);
  for (auto& w : writes) {
    if (w.value) {
      records_[w.key] = std::move(*w.value);
    } else {
      records_.erase(w.key);
    }
  }
  return ++seq_;
}

void MemoryStorage::WhenDurable(uint64_t, std::function<void(bool)> done) { done(true); }
bool MemoryStorage::IsDurable(uint64_t) { return true; }

uint64_t MemoryStorage::submitted() const {
  const std::shared_lock lock(mutex_);
  return seq_;
}

}  // namespace tresor::store
