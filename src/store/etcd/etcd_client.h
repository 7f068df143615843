// A connection to an etcd cluster: one gRPC channel per member endpoint,
// every call under a deadline, and a move to the next member when one is
// dead or frozen (its calls time out) so that a stuck member never hangs a
// caller for longer than the request timeout per member tried.
//
// Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "etcd.grpc.pb.h"
#include "store/etcd/etcd_options.h"

namespace tresor::store {

class EtcdClient {
 public:
  // Makes the channels (no connection yet). kInvalidArgument for a
  // malformed endpoint; kIo for a certificate file that cannot be read.
  static Result<std::unique_ptr<EtcdClient>> Create(const EtcdOptions& options);

  struct Member {
    std::string endpoint;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<etcdserverpb::KV::Stub> kv;
    std::unique_ptr<etcdserverpb::Watch::Stub> watch;
    std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  };

  // Runs `call(member, context)` on the current member, moving on to the
  // next while the call fails for want of an answer (unavailable, deadline
  // exceeded) and `retry` allows it, each member tried once. The error
  // names the endpoints and what the last one said: kUnavailable if no
  // member answered, kIo for a refusal.
  Result<void> Call(const char* what, bool retry,
                    const std::function<grpc::Status(Member&, grpc::ClientContext&)>& call);

  // The member to use now (for streams), and a way to move past it.
  size_t current() const { return current_.load(); }
  Member& member(size_t i) { return members_[i % members_.size()]; }
  void Skip(size_t from) { current_.compare_exchange_strong(from, (from + 1) % members_.size()); }
  size_t size() const { return members_.size(); }
  // Waits up to the dial timeout for a connection to some member (from
  // the current one on); kUnavailable naming them all if none accepts.
  Result<void> Connect();
  // A context with the request deadline (or `timeout`) set.
  void Prepare(grpc::ClientContext& context) const;
  std::chrono::milliseconds request_timeout() const { return options_.request_timeout; }
  std::string Describe() const;  // "etcd at a:2379, b:2379"
  // Records that a member answered (a call, a watch message), and how
  // long ago one last did.
  void Heard();
  std::chrono::steady_clock::duration Silence() const;

 private:
  explicit EtcdClient(EtcdOptions options) : options_(std::move(options)) {}

  EtcdOptions options_;
  std::vector<Member> members_;
  std::atomic<size_t> current_{0};
  std::atomic<std::chrono::steady_clock::rep> heard_{
      std::chrono::steady_clock::now().time_since_epoch().count()};
};

// True for the statuses that mean "no answer", after which another member
// may answer.
bool IsUnanswered(const grpc::Status& status);

}  // namespace tresor::store
