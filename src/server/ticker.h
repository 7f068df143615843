// Background work on a period: calls `work` every `period` on a thread of
// its own until destroyed (the destructor wakes the thread and joins it).
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
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
            lock.unlock();
            work();
            lock.lock();
          }
        }) {}
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
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace tresor::server
