// What other threads hand one of the server's workers: deferred responses
// on their way back to its loop, and connections another worker accepted
// for it. Each hand-over wakes the worker through its eventfd.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "http/response.h"

namespace tresor::http {

class Inbox {
 public:
  Inbox();  // with its own eventfd
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // The eventfd the worker's epoll watches.
  int wake_fd() const { return wake_fd_; }
  // The worker's connections, counted when they are handed over, so the
  // next accept already sees them.
  std::atomic<size_t> load{0};

  struct Letter {
    int fd;
    uint64_t serial;
    Response response;
  };
  // A deferred response for connection `fd` (`serial` tells a reused fd).
  void Post(int fd, uint64_t serial, Response response);
  // An accepted connection, counted in `load`.
  void Hand(int fd);
  std::vector<Letter> TakeLetters();
  std::vector<int> TakeArrivals();
  void Wake();
  // The worker stops: later letters are dropped, connections not yet taken
  // are closed.
  void Close();

 private:
  std::mutex mutex_;
  int wake_fd_;
  bool closed_ = false;
  std::vector<Letter> letters_;
  std::vector<int> arrivals_;
};

}  // namespace tresor::http
