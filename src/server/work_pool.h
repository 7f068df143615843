// A bounded pool of threads for expensive work that requests ask for
// (password hashing): at most `threads` jobs run at once and at most
// `queue_limit` wait, so a flood of such requests is refused (the caller
// answers 429) instead of taking the threads that serve everything else.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tresor::server {

class WorkPool {
 public:
  WorkPool(size_t threads, size_t queue_limit);
  ~WorkPool();  // runs no more jobs; waits for the running ones
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `job`; false (and `job` dropped) if `queue_limit` jobs already
  // wait. Thread-safe.
  bool Submit(std::function<void()> job);

  // Jobs waiting, not counting those running.
  size_t waiting();

 private:
  void Run();

  const size_t queue_limit_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tresor::server
