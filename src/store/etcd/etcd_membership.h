// Membership of the nodes on one etcd prefix. A thread per node keeps a
// lease alive (renewed every third of its TTL); the node's entry,
// `cluster/nodes/NAME`, and, for the leader, `cluster/leader` (its name, a
// newline, and what it said of itself) are held under it, so a node that dies or is cut off loses
// both when its lease expires and another node takes the leader key within one more renewal period.
// A node counts itself leader only until its lease could have expired (from the time it asked for
// the last renewal), so that it stops before anyone else can start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/etcd/etcd_client.h"
#include "store/membership.h"

namespace tresor::store {

class EtcdStorage;

inline constexpr char kNodesPrefix[] = "cluster/nodes/";
inline constexpr char kLeaderKey[] = "cluster/leader";

class EtcdMembership final : public Membership {
 public:
  EtcdMembership(EtcdStorage& storage, std::string prefix, std::string name, std::string info,
                 std::chrono::seconds ttl);
  ~EtcdMembership() override;

  bool Leading() const override;
  Member Leader() const override;
  Result<std::vector<Member>> Members() override;

 private:
  void Run();
  // Renews (or takes) the lease, then tries for the leader key.
  void Beat();
  Result<void> Grant();
  Result<int64_t> KeepAlive(int64_t lease);  // the TTL left, 0 if the lease is gone
  Result<void> Campaign(int64_t lease);

  EtcdStorage& storage_;
  EtcdClient& client_;
  std::string prefix_;
  std::string name_;
  std::string info_;
  std::chrono::seconds ttl_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int64_t lease_ = 0;  // 0: none held
  std::chrono::steady_clock::time_point valid_until_;
  bool holds_leader_key_ = false;
  Member leader_;
  std::thread thread_;
};

}  // namespace tresor::store
