#include "store/etcd/etcd_watch.h"

#include "store/prefix_range.h"

namespace tresor::store {

EtcdWatch::EtcdWatch(EtcdClient& client, std::string store_prefix, const std::string& prefix,
                     uint64_t after, std::function<void(const Change&)> on_change)
    : client_(client),
      store_prefix_(std::move(store_prefix)),
      key_(store_prefix_ + prefix),
      on_change_(std::move(on_change)),
      next_(after + 1) {
  reader_ = std::thread([this] { Run(); });
  guard_ = std::thread([this] { Guard(); });
}

EtcdWatch::~EtcdWatch() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  wake_.notify_all();
  guard_.join();
  if (std::this_thread::get_id() == reader_.get_id()) {
    reader_.detach();  // destroyed from its own callback: it returns once that does
  } else {
    reader_.join();
  }
}

void EtcdWatch::Run() {
  while (true) {
    const size_t at = client_.current();
    if (!Stream(client_.member(at))) return;
    client_.Skip(at);
    std::unique_lock lock(mutex_);
    // A pause, so that a cluster with no member up is not asked in a loop.
    wake_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_; });
    if (stopping_) return;
  }
}

void EtcdWatch::Guard() {
  const auto timeout = client_.request_timeout();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, timeout / 4, [&] { return stopping_; });
    if (stopping_ || context_ == nullptr) continue;
    // Two progress requests unanswered: the member is dead or frozen. The
    // node moves on before a request sent to it meanwhile times out, so
    // that a client that retries on another node finds it moved.
    if (std::chrono::steady_clock::now() - heard_ > timeout / 2) {
      context_->TryCancel();  // the reader moves on to the next member
    } else if (ask_progress_) {
      ask_progress_();
    }
  }
}

bool EtcdWatch::Stream(EtcdClient::Member& member) {
  grpc::ClientContext context;
  auto stream = member.watch->Watch(&context);
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return false;
    context_ = &context;
    heard_ = std::chrono::steady_clock::now();
  }
  etcdserverpb::WatchRequest create;
  auto* request = create.mutable_create_request();
  request->set_key(key_);
  request->set_range_end(PrefixEnd(key_));
  request->set_start_revision(static_cast<int64_t>(next_));
  request->set_progress_notify(true);
  bool ok = stream->Write(create);
  if (ok) {
    const std::lock_guard lock(mutex_);
    ask_progress_ = [s = stream.get()] {
      etcdserverpb::WatchRequest progress;
      progress.mutable_progress_request();
      return s->Write(progress);
    };
  }
  bool over = false;
  etcdserverpb::WatchResponse response;
  while (ok && stream->Read(&response)) {
    client_.Heard();
    {
      const std::lock_guard lock(mutex_);
      heard_ = std::chrono::steady_clock::now();
      if (stopping_) break;
    }
    if (response.compact_revision() > 0) {
      Change gone;
      gone.error =
          Error{ErrorCode::kCompacted, "revision " + std::to_string(next_) +
                                           " is no longer kept (etcd compacted up to " +
                                           std::to_string(response.compact_revision()) + ")"};
      on_change_(gone);
      over = true;
      break;
    }
    if (response.canceled()) break;  // opened again, on the next member
    Deliver(response);
  }
  {
    const std::lock_guard lock(mutex_);
    context_ = nullptr;
    ask_progress_ = nullptr;
    over = over || stopping_;
  }
  context.TryCancel();
  (void)stream->Finish();
  return !over;
}

void EtcdWatch::Deliver(const etcdserverpb::WatchResponse& response) {
  Change change;
  const auto flush = [&] {
    if (change.writes.empty()) return;
    on_change_(change);
    next_ = change.revision + 1;
    change.writes.clear();
  };
  for (const auto& event : response.events()) {
    const auto revision = static_cast<uint64_t>(event.kv().mod_revision());
    if (revision < next_) continue;  // already delivered before a reconnection
    if (revision != change.revision) {
      flush();
      change.revision = revision;
    }
    Write w;
    w.key = event.kv().key().substr(store_prefix_.size());
    if (event.type() == etcdserverpb::Event::PUT) {
      w.value = Bytes(event.kv().value().begin(), event.kv().value().end());
    }
    change.writes.push_back(std::move(w));
  }
  flush();
}

}  // namespace tresor::store
