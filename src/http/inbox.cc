#include "http/inbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <utility>

namespace tresor::http {

Inbox::Inbox() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Inbox::~Inbox() { ::close(wake_fd_); }

void Inbox::Post(int fd, uint64_t serial, Response response) {
  const std::lock_guard lock(mutex_);
  if (closed_) return;
  letters_.push_back(Letter{fd, serial, std::move(response)});
  Wake();
}

void Inbox::Hand(int fd) {
  ++load;
  const std::lock_guard lock(mutex_);
  if (closed_) {
    ::close(fd);
    return;
  }
  arrivals_.push_back(fd);
  Wake();
}

std::vector<Inbox::Letter> Inbox::TakeLetters() {
  const std::lock_guard lock(mutex_);
  return std::exchange(letters_, {});
}

std::vector<int> Inbox::TakeArrivals() {
  const std::lock_guard lock(mutex_);
  return std::exchange(arrivals_, {});
}

void Inbox::Wake() {
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void Inbox::Close() {
  const std::lock_guard lock(mutex_);
  closed_ = true;
  for (int fd : arrivals_) ::close(fd);
  arrivals_.clear();
}

}  // namespace tresor::http
