// Background work on a period: calls `work` at once and then every `period`
// on a thread of its own until destroyed (the destructor wakes the thread
// and joins it). The constructor returns once the first call is done, so
// that a server which says it is ready has run every path it runs alone.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tresor::server {

class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> work)
      : thread_([this, period, work = std::move(work)] {
          work();
          std::unique_lock lock(mutex_);
          started_ = true;
          cv_.notify_all();
          while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
            lock.unlock();
            work();
            lock.lock();
          }
        }) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return started_; });
  }
  ~Ticker() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace tresor::server
