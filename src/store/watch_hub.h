// The watch of an in-process store (memory, SQLite): the store publishes
// each durable change in revision order; the hub keeps a bounded history
// of them and delivers, on a thread of its own, to every watcher from the
// revision it asked for. A watcher that asks for history older than the
// hub keeps gets kCompacted, as from etcd after a compaction.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "store/storage.h"

namespace tresor::store {

class WatchHub {
 public:
  // Keeps the latest changes up to `max_bytes` in all (at least the last).
  explicit WatchHub(size_t max_bytes = size_t{64} << 20);
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // Sets the revision the history starts after (the store's revision when
  // it was opened). Before any Publish.
  void Start(uint64_t revision);
  // Publishes a change; revisions increase from one call to the next.
  void Publish(uint64_t revision, const std::vector<Write>& writes);
  // Drops the history up to `revision` (at most the latest published).
  void Compact(uint64_t revision);
  std::unique_ptr<Watch> Subscribe(const std::string& prefix, uint64_t after,
                                   std::function<void(const Change&)> on_change);

 private:
  struct Watcher {
    std::string prefix;
    uint64_t after = 0;  // the last revision delivered (or skipped)
    std::function<void(const Change&)> on_change;
    bool failed = false;  // told kCompacted; nothing more
    std::atomic<bool> cancelled{false};
  };
  class Handle;
  void Run();
  void Cancel(uint64_t id);
  bool Pending(const Watcher& w) const;  // has something to be told

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable delivered_;
  std::deque<std::shared_ptr<const Change>> history_;
  size_t history_bytes_ = 0;
  size_t max_bytes_;
  uint64_t start_ = 0;  // history holds the changes after this revision
  uint64_t latest_ = 0;
  std::map<uint64_t, std::shared_ptr<Watcher>> watchers_;
  uint64_t next_id_ = 1;
  uint64_t delivering_ = 0;  // the id whose callback runs now, 0 for none
  std::thread::id thread_id_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tresor::store
