// Storage on an etcd v3 cluster, for several tresor nodes sharing one store.
// Keys live under a prefix; record revisions are etcd's mod revisions, the
// store's revision is etcd's, and a transaction is one etcd Txn whose
// compares are the conditions. A write is durable when etcd acknowledges
// it (a majority has it on disk). The watch is etcd's, resumed on another
// member after a disconnect.
//
// Transactions that callers make at once go to etcd together, each nested
// in one etcd Txn with its own compares (store/txn_batch.h): etcd 3.4 costs
// about as much per Txn as per put, so a busy node's writes cost it a
// fraction of their number. Those that apply together share a revision.
//
// Outcomes: a transaction no member answered in time is kUnavailable and
// its outcome unknown; unconditional ones are retried on the next member
// (writing the same values twice is harmless), conditional ones are not.
//
// Thread-safe.
#pragma once

#include <memory>

#include "store/etcd/etcd_client.h"
#include "store/storage.h"
#include "store/txn_batch.h"

namespace tresor::store {

class EtcdStorage final : public Storage {
 public:
  // Connects and checks the cluster answers. kUnavailable if no member
  // does within the dial timeout.
  static Result<std::unique_ptr<EtcdStorage>> Open(const EtcdOptions& options);

  Result<std::optional<Record>> Read(const std::string& key) override;
  Result<std::vector<std::string>> List(const std::string& prefix, const std::string& start_after,
                                        size_t limit) override;
  Result<void> Scan(const std::string& prefix,
                    const std::function<bool(const std::string&, const Record&)>& visit) override;
  Result<TxnResult> Transact(Txn txn) override;
  void WhenDurable(uint64_t revision, std::function<void(bool)> done) override;
  bool IsDurable(uint64_t revision) override;
  Result<uint64_t> Revision() override;
  Result<std::unique_ptr<Watch>> WatchPrefix(const std::string& prefix, uint64_t after,
                                             std::function<void(const Change&)> on_change) override;
  Result<void> Compact(uint64_t revision) override;
  uint64_t submitted() const override { return submitted_; }
  uint64_t transactions() const override { return transactions_; }
  std::string type() const override { return "etcd"; }
  // The request limit less room for the key and the transaction around it.
  size_t max_value_bytes() const override {
    return options_.max_request_bytes > 8192 ? options_.max_request_bytes - 8192 : 0;
  }
  bool remote() const override { return true; }
  // When no member has answered anything (a call, the watch's progress
  // reports, every quarter request timeout) for two request timeouts.
  std::optional<std::string> Unreachable() override;

  std::unique_ptr<Membership> Join(const std::string& name, const std::string& info) override;

  EtcdClient& client() { return *client_; }

  // Sends these transactions as one etcd Txn, each nested with its own
  // compares (what Transact does with those that arrive together; one by
  // one if etcd refuses the whole). One result per transaction.
  std::vector<Result<TxnResult>> SendBatch(const std::vector<const Txn*>& txns);

 private:
  EtcdStorage(EtcdOptions options, std::unique_ptr<EtcdClient> client);
  etcdserverpb::TxnRequest Request(const Txn& txn) const;
  static TxnResult Outcome(const Txn& txn, const etcdserverpb::TxnResponse& response,
                           uint64_t revision);
  Result<TxnResult> SendOne(const Txn& txn);

  // One page of a range: keys from `from` (inclusive) below the prefix's
  // end, as of `revision` (0: the latest).
  Result<etcdserverpb::RangeResponse> RangePage(const std::string& prefix, const std::string& from,
                                                size_t limit, bool keys_only, int64_t revision = 0);

  EtcdOptions options_;
  std::unique_ptr<EtcdClient> client_;
  std::atomic<uint64_t> transactions_{0};  // etcd Txns
  std::atomic<uint64_t> submitted_{0};     // tresor transactions in them
  TxnBatch batch_;
};

}  // namespace tresor::store
