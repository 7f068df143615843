#include "store/watch_hub.h"

#include <algorithm>

namespace tresor::store {
namespace {

// What a change costs the history: its keys and values, and some overhead.
size_t Weight(const Change& change) {
  size_t n = 64;
  for (const Write& w : change.writes) n += 32 + w.key.size() + (w.value ? w.value->size() : 0);
  return n;
}

// The part of `change` under `prefix` (all of it for "").
const Change* Filter(const Change& change, const std::string& prefix, Change& scratch) {
  if (prefix.empty()) return &change;
  scratch = Change{change.revision, {}, std::nullopt};
  for (const Write& w : change.writes) {
    if (w.key.starts_with(prefix)) scratch.writes.push_back(w);
  }
  return scratch.writes.empty() ? nullptr : &scratch;
}

// Deliveries a watcher gets before the hub looks at the others.
constexpr size_t kDeliveryRound = 256;

}  // namespace

class WatchHub::Handle final : public Watch {
 public:
  Handle(WatchHub& hub, uint64_t id) : hub_(hub), id_(id) {}
  ~Handle() override { hub_.Cancel(id_); }

 private:
  WatchHub& hub_;
  uint64_t id_;
};

WatchHub::WatchHub(size_t max_bytes) : max_bytes_(max_bytes) {
  thread_ = std::thread([this] { Run(); });
}

WatchHub::~WatchHub() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WatchHub::Start(uint64_t revision) {
  const std::lock_guard lock(mutex_);
  start_ = latest_ = revision;
}

void WatchHub::Publish(uint64_t revision, const std::vector<Write>& writes) {
  auto change = std::make_shared<const Change>(Change{revision, writes, std::nullopt});
  {
    const std::lock_guard lock(mutex_);
    history_bytes_ += Weight(*change);
    history_.push_back(std::move(change));
    latest_ = revision;
    while (history_.size() > 1 && history_bytes_ > max_bytes_) {
      history_bytes_ -= Weight(*history_.front());
      start_ = history_.front()->revision;
      history_.pop_front();
    }
  }
  wake_.notify_all();
}

void WatchHub::Compact(uint64_t revision) {
  {
    const std::lock_guard lock(mutex_);
    while (!history_.empty() && history_.front()->revision <= revision) {
      history_bytes_ -= Weight(*history_.front());
      history_.pop_front();
    }
    start_ = std::max(start_, std::min(revision, latest_));
  }
  wake_.notify_all();
}

std::unique_ptr<Watch> WatchHub::Subscribe(const std::string& prefix, uint64_t after,
                                           std::function<void(const Change&)> on_change) {
  uint64_t id = 0;
  {
    const std::lock_guard lock(mutex_);
    id = next_id_++;
    auto w = std::make_shared<Watcher>();
    w->prefix = prefix;
    w->after = after;
    w->on_change = std::move(on_change);
    watchers_.emplace(id, std::move(w));
  }
  wake_.notify_all();
  return std::make_unique<Handle>(*this, id);
}

void WatchHub::Cancel(uint64_t id) {
  std::unique_lock lock(mutex_);
  auto it = watchers_.find(id);
  if (it != watchers_.end()) {
    it->second->cancelled = true;
    watchers_.erase(it);
  }
  if (std::this_thread::get_id() == thread_id_) return;  // from within its own callback
  delivered_.wait(lock, [&] { return delivering_ != id; });
}

bool WatchHub::Pending(const Watcher& w) const {
  return !w.failed && (w.after < start_ || w.after < latest_);
}

void WatchHub::Run() {
  std::unique_lock lock(mutex_);
  thread_id_ = std::this_thread::get_id();
  while (true) {
    wake_.wait(lock, [&] {
      return stopping_ || std::any_of(watchers_.begin(), watchers_.end(),
                                      [&](const auto& w) { return Pending(*w.second); });
    });
    if (stopping_) return;
    const std::vector<std::pair<const uint64_t, std::shared_ptr<Watcher>>> watchers(
        watchers_.begin(), watchers_.end());
    for (const auto& [id, w] : watchers) {
      if (!watchers_.contains(id) || !Pending(*w)) continue;
      std::vector<std::shared_ptr<const Change>> batch;
      std::optional<Change> compacted;
      if (w->after < start_) {
        compacted = Change{};
        compacted->error =
            Error{ErrorCode::kCompacted, "revision " + std::to_string(w->after + 1) +
                                             " is no longer kept (the history starts after " +
                                             std::to_string(start_) + ")"};
        w->failed = true;
      } else {
        auto it = std::upper_bound(history_.begin(), history_.end(), w->after,
                                   [](uint64_t after, const std::shared_ptr<const Change>& c) {
                                     return after < c->revision;
                                   });
        for (; it != history_.end() && batch.size() < kDeliveryRound; ++it) batch.push_back(*it);
      }
      delivering_ = id;
      lock.unlock();
      if (compacted) {
        w->on_change(*compacted);
      } else {
        Change scratch;
        for (const auto& change : batch) {
          if (w->cancelled) break;
          if (const Change* part = Filter(*change, w->prefix, scratch)) w->on_change(*part);
        }
      }
      lock.lock();
      if (!batch.empty()) w->after = batch.back()->revision;
      delivering_ = 0;
      delivered_.notify_all();
    }
  }
}

}  // namespace tresor::store
