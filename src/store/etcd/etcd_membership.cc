#include "store/etcd/etcd_membership.h"

#include "store/etcd/etcd_storage.h"

namespace tresor::store {

EtcdMembership::EtcdMembership(EtcdStorage& storage, std::string prefix, std::string name,
                               std::string info, std::chrono::seconds ttl)
    : storage_(storage),
      client_(storage.client()),
      prefix_(std::move(prefix)),
      name_(std::move(name)),
      info_(std::move(info)),
      ttl_(std::max(ttl, std::chrono::seconds(1))) {
  thread_ = std::thread([this] { Run(); });
}

EtcdMembership::~EtcdMembership() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (lease_ == 0) return;
  // The entry and the leader key go with the lease: another node takes
  // over at once instead of after the TTL.
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease_);
  etcdserverpb::LeaseRevokeResponse response;
  (void)client_.Call("lease revoke", true, [&](auto& m, auto& context) {
    return m.lease->LeaseRevoke(&context, request, &response);
  });
}

bool EtcdMembership::Leading() const {
  const std::lock_guard lock(mutex_);
  return holds_leader_key_ && std::chrono::steady_clock::now() < valid_until_;
}

Member EtcdMembership::Leader() const {
  const std::lock_guard lock(mutex_);
  return leader_;
}

Result<std::vector<Member>> EtcdMembership::Members() {
  std::vector<Member> members;
  TRESOR_RETURN_IF_ERROR(storage_.Scan(kNodesPrefix, [&](const std::string& key, const Record& r) {
    members.push_back(
        Member{key.substr(sizeof(kNodesPrefix) - 1), std::string(r.value.begin(), r.value.end())});
    return true;
  }));
  return members;
}

void EtcdMembership::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Beat();
    lock.lock();
    wake_.wait_for(lock, ttl_ / 3, [&] { return stopping_; });
  }
}

void EtcdMembership::Beat() {
  int64_t lease = 0;
  {
    const std::lock_guard lock(mutex_);
    // Unrenewed past its TTL, the lease is gone on etcd's side too.
    if (lease_ != 0 && std::chrono::steady_clock::now() >= valid_until_) lease_ = 0;
    lease = lease_;
  }
  if (lease == 0) {
    if (!Grant()) return;
  } else {
    const auto asked = std::chrono::steady_clock::now();
    auto left = KeepAlive(lease);
    if (!left) return;  // no answer: still valid until valid_until_
    const std::lock_guard lock(mutex_);
    if (*left <= 0) {
      lease_ = 0;
      holds_leader_key_ = false;
      return;
    }
    valid_until_ = asked + std::chrono::seconds(*left);
  }
  {
    const std::lock_guard lock(mutex_);
    lease = lease_;
  }
  (void)Campaign(lease);
}

Result<void> EtcdMembership::Grant() {
  const auto asked = std::chrono::steady_clock::now();
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl_.count());
  etcdserverpb::LeaseGrantResponse response;
  TRESOR_RETURN_IF_ERROR(client_.Call("lease grant", true, [&](auto& m, auto& context) {
    return m.lease->LeaseGrant(&context, request, &response);
  }));
  if (!response.error().empty() || response.id() == 0) {
    return MakeError(ErrorCode::kIo, "etcd lease grant: " + response.error());
  }
  // The node's entry, under the new lease (replacing one a previous run of
  // this node left behind).
  etcdserverpb::TxnRequest put;
  auto* entry = put.add_success()->mutable_request_put();
  entry->set_key(prefix_ + kNodesPrefix + name_);
  entry->set_value(info_);
  entry->set_lease(response.id());
  etcdserverpb::TxnResponse answer;
  TRESOR_RETURN_IF_ERROR(client_.Call("node entry", true, [&](auto& m, auto& context) {
    return m.kv->Txn(&context, put, &answer);
  }));
  const std::lock_guard lock(mutex_);
  lease_ = response.id();
  valid_until_ = asked + std::chrono::seconds(response.ttl());
  holds_leader_key_ = false;
  return {};
}

Result<int64_t> EtcdMembership::KeepAlive(int64_t lease) {
  etcdserverpb::LeaseKeepAliveResponse response;
  TRESOR_RETURN_IF_ERROR(client_.Call("lease renewal", true, [&](auto& m, auto& context) {
    auto stream = m.lease->LeaseKeepAlive(&context);
    etcdserverpb::LeaseKeepAliveRequest request;
    request.set_id(lease);
    const bool answered = stream->Write(request) && stream->WritesDone() && stream->Read(&response);
    grpc::Status status = stream->Finish();
    if (!answered && status.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no answer");
    return status;
  }));
  return response.ttl();
}

Result<void> EtcdMembership::Campaign(int64_t lease) {
  // The leader key if nobody holds it; else who does.
  const std::string key = prefix_ + kLeaderKey;
  etcdserverpb::TxnRequest request;
  auto* absent = request.add_compare();
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_target(etcdserverpb::Compare::MOD);
  absent->set_key(key);
  absent->set_mod_revision(0);
  auto* put = request.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value(name_ + "\n" + info_);
  put->set_lease(lease);
  request.add_failure()->mutable_request_range()->set_key(key);
  etcdserverpb::TxnResponse response;
  TRESOR_RETURN_IF_ERROR(client_.Call("leader key", false, [&](auto& m, auto& context) {
    return m.kv->Txn(&context, request, &response);
  }));
  const std::lock_guard lock(mutex_);
  if (lease != lease_) return {};  // lost meanwhile
  if (response.succeeded()) {
    holds_leader_key_ = true;
    leader_ = Member{name_, info_};
    return {};
  }
  if (response.responses_size() == 0 || response.responses(0).response_range().kvs_size() ==
                                            0) {  // gone between the compare and the read
    holds_leader_key_ = false;
    leader_ = Member{};
    return {};
  }
  const auto& held = response.responses(0).response_range().kvs(0);
  // Ours if under our lease (a put whose answer was lost, then retried).
  holds_leader_key_ = held.lease() == lease;
  const std::string& value = held.value();
  const size_t newline = value.find('\n');
  leader_ = Member{value.substr(0, newline),
                   newline == std::string::npos ? "" : value.substr(newline + 1)};
  return {};
}

}  // namespace tresor::store
