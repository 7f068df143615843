// Which keys this process wrote, and at which revision, until the store's
// watch brings those writes back. A cache fed by the watch asks IsNews
// before applying a change: a change older than this node's own later
// write to the same key must not overwrite what the cache already holds
// (the watch delivers it, in order, before the node's own).
//
// Callers hold the lock of the cache they update around both Wrote (when
// they write) and IsNews (when they apply), so neither slips between the
// other's check and use. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tresor::store {

class LocalWrites {
 public:
  void Wrote(const std::string& key, uint64_t revision) {
    const std::lock_guard lock(mutex_);
    uint64_t& at = latest_[key];
    if (revision > at) at = revision;
  }
  // True unless this process wrote `key` at `revision` or later; forgets
  // the key once the watch has caught up with its write.
  bool IsNews(const std::string& key, uint64_t revision) {
    const std::lock_guard lock(mutex_);
    auto it = latest_.find(key);
    if (it == latest_.end()) return true;
    if (it->second > revision) return false;
    const bool news = it->second < revision;
    latest_.erase(it);
    return news;
  }
  // True if this process wrote `key` at `revision` or later (IsNews would
  // say no), without forgetting anything: to skip work before IsNews.
  bool Covers(const std::string& key, uint64_t revision) {
    const std::lock_guard lock(mutex_);
    auto it = latest_.find(key);
    return it != latest_.end() && it->second >= revision;
  }
  void Clear() {
    const std::lock_guard lock(mutex_);
    latest_.clear();
  }
  size_t size() {
    const std::lock_guard lock(mutex_);
    return latest_.size();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, uint64_t> latest_;
};

}  // namespace tresor::store
