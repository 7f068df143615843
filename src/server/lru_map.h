// A map from path to value that keeps at most `limit` entries, dropping the
// least recently used one when a new one would exceed it: the KV engines'
// cache of keys read from storage. Lookups and insertions count as uses;
// iteration in path order (for listing) does not. Not thread-safe: the
// owner's lock guards it.
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <string>
#include <string_view>

#include "crypto/result.h"

namespace tresor::server {

template <typename Value>
class LruMap {
 public:
  // `limit` of at least 1.
  explicit LruMap(size_t limit) : limit_(limit) {
    TRESOR_CHECK(limit >= 1, "an LRU map holds at least one entry");
  }

  // The value at `key`, now the most recently used; null if absent.
  Value* Find(std::string_view key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    recency_.splice(recency_.begin(), recency_, it->second.used);
    return &it->second.value;
  }

  // Sets `key` to `value` (inserting or replacing), makes it the most
  // recently used and drops the least recently used entries past the limit.
  // The reference stays valid until that key is dropped.
  Value& Put(const std::string& key, Value value) {
    auto [it, inserted] = entries_.try_emplace(key);
    it->second.value = std::move(value);
    if (inserted) {
      it->second.used = recency_.insert(recency_.begin(), &it->first);
    } else {
      recency_.splice(recency_.begin(), recency_, it->second.used);
    }
    while (entries_.size() > limit_) {
      entries_.erase(entries_.find(*recency_.back()));
      recency_.pop_back();
    }
    return it->second.value;
  }

  // Drops `key` if present.
  void Erase(std::string_view key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    recency_.erase(it->second.used);
    entries_.erase(it);
  }

  size_t size() const { return entries_.size(); }

  // Calls `f(key, value)` for each entry whose key starts with `prefix`, in
  // key order, without counting as uses.
  template <typename F>
  void ForEachWithPrefix(std::string_view prefix, F f) const {
    for (auto it = entries_.lower_bound(prefix);
         it != entries_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
      f(it->first, it->second.value);
    }
  }

 private:
  struct Entry {
    Value value{};
    std::list<const std::string*>::iterator used;
  };
  size_t limit_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::list<const std::string*> recency_;  // entries_' keys, most recently used first
};

}  // namespace tresor::server
