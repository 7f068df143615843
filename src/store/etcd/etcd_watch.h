// A watch on an etcd prefix that outlives its member: it reads the stream
// on one thread while a second asks for progress every quarter request
// timeout, and when nothing at all arrives for half a request timeout (a
// dead or frozen member) the stream is cancelled and opened again on the
// next member, from the revision after the last one delivered; the node's
// calls move to that member too.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/etcd/etcd_client.h"
#include "store/storage.h"

namespace tresor::store {

class EtcdWatch final : public Watch {
 public:
  // Watches `store_prefix` + `prefix`; keys are delivered without `store_prefix`.
  EtcdWatch(EtcdClient& client, std::string store_prefix, const std::string& prefix, uint64_t after,
            std::function<void(const Change&)> on_change);
  ~EtcdWatch() override;

 private:
  void Run();
  void Guard();
  // Reads one stream until it ends; false once the watch is over for good.
  bool Stream(EtcdClient::Member& member);
  void Deliver(const etcdserverpb::WatchResponse& response);

  EtcdClient& client_;
  std::string store_prefix_;
  std::string key_;
  std::function<void(const Change&)> on_change_;
  uint64_t next_;  // the first revision not yet delivered

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  grpc::ClientContext* context_ = nullptr;       // the open stream's, for cancelling
  std::function<bool()> ask_progress_;           // writes a progress request on it
  std::chrono::steady_clock::time_point heard_;  // when it last said anything
  std::thread reader_;
  std::thread guard_;
};

}  // namespace tresor::store
