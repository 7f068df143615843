#include "age/chunk_workers.h"

#include <algorithm>

namespace tresor::age {

ChunkWorkers::ChunkWorkers(const crypto::SecretBytes& key) {
  const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, kMaxWorkers);
  for (size_t i = 0; i < workers; ++i) {
    auto aead =
        crypto::ChaCha20Poly1305::Create(key.Reveal(), crypto::ChaCha20Poly1305::Use::kBulk);
    TRESOR_CHECK(aead.has_value(), "payload key has the wrong size");
    aeads_.push_back(std::move(*aead));
  }
  for (size_t i = 1; i < workers; ++i) helpers_.emplace_back([this, i] { HelperLoop(i); });
}

ChunkWorkers::~ChunkWorkers() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& helper : helpers_) helper.join();
}

void ChunkWorkers::Start(size_t count, const Task& task) {
  {
    std::lock_guard lock(mutex_);
    task_ = &task;
    count_ = count;
    next_.store(0, std::memory_order_relaxed);
    busy_helpers_ = helpers_.size();
    ++generation_;
  }
  wake_.notify_all();
}

void ChunkWorkers::Finish() {
  Drain(0);
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return busy_helpers_ == 0; });
  task_ = nullptr;
}

void ChunkWorkers::Drain(size_t worker) {
  for (size_t i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1)) {
    (*task_)(aeads_[worker], i);
  }
}

void ChunkWorkers::HelperLoop(size_t worker) {
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    Drain(worker);
    {
      std::lock_guard lock(mutex_);
      --busy_helpers_;
    }
    done_.notify_one();
  }
}

}  // namespace tresor::age
