#include "store/etcd/etcd_storage.h"

#include <map>

#include "store/etcd/etcd_membership.h"
#include "store/etcd/etcd_watch.h"
#include "store/prefix_range.h"

namespace tresor::store {
namespace {

// Keys per page of a listing, and records per page of a scan (values can
// be large: etcd takes up to 1.5 MiB each by default).
constexpr int64_t kListPage = 1000;
constexpr int64_t kScanPage = 64;
// Transactions per etcd Txn (each a nested Txn: one of the outer Txn's
// operations, under etcd's default --max-txn-ops of 128), and Txns on
// their way at once.
constexpr size_t kBatchMembers = 32;
constexpr size_t kBatchesInFlight = 1;

std::string After(const std::string& key) { return key + std::string(1, '\0'); }

// The last write to each key, in the order of those last writes: etcd
// refuses a transaction that names one key twice.
std::vector<Write> LastWritePerKey(std::vector<Write> writes) {
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < writes.size(); ++i) last[writes[i].key] = i;
  if (last.size() == writes.size()) return writes;
  std::vector<Write> out;
  for (size_t i = 0; i < writes.size(); ++i) {
    if (last[writes[i].key] == i) out.push_back(std::move(writes[i]));
  }
  return out;
}

}  // namespace

EtcdStorage::EtcdStorage(EtcdOptions options, std::unique_ptr<EtcdClient> client)
    : options_(std::move(options)),
      client_(std::move(client)),
      batch_(TxnBatch::Limits{kBatchMembers, max_value_bytes(), kBatchesInFlight},
             [this](const std::vector<const Txn*>& txns) { return SendBatch(txns); }) {}

Result<std::unique_ptr<EtcdStorage>> EtcdStorage::Open(const EtcdOptions& options) {
  if (options.prefix.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "etcd: the key prefix must not be empty");
  }
  TRESOR_ASSIGN_OR_RETURN(auto client, EtcdClient::Create(options));
  std::unique_ptr<EtcdStorage> s(new EtcdStorage(options, std::move(client)));
  TRESOR_RETURN_IF_ERROR(s->client_->Connect());
  TRESOR_RETURN_IF_ERROR(s->Revision());  // and answers
  return s;
}

Result<etcdserverpb::RangeResponse> EtcdStorage::RangePage(const std::string& prefix,
                                                           const std::string& from, size_t limit,
                                                           bool keys_only, int64_t revision) {
  etcdserverpb::RangeRequest request;
  request.set_key(from);
  request.set_revision(revision);
  request.set_range_end(PrefixEnd(prefix));
  request.set_limit(static_cast<int64_t>(limit));
  request.set_keys_only(keys_only);
  etcdserverpb::RangeResponse response;
  TRESOR_RETURN_IF_ERROR(client_->Call("range", true, [&](auto& m, auto& context) {
    return m.kv->Range(&context, request, &response);
  }));
  return response;
}

Result<std::optional<Record>> EtcdStorage::Read(const std::string& key) {
  etcdserverpb::RangeRequest request;
  request.set_key(options_.prefix + key);
  etcdserverpb::RangeResponse response;
  TRESOR_RETURN_IF_ERROR(client_->Call("read", true, [&](auto& m, auto& context) {
    return m.kv->Range(&context, request, &response);
  }));
  if (response.kvs_size() == 0) return std::optional<Record>();
  const auto& kv = response.kvs(0);
  return std::optional<Record>(Record{Bytes(kv.value().begin(), kv.value().end()),
                                      static_cast<uint64_t>(kv.mod_revision())});
}

Result<std::vector<std::string>> EtcdStorage::List(const std::string& prefix,
                                                   const std::string& start_after, size_t limit) {
  const std::string full = options_.prefix + prefix;
  std::string from = ListStart(full, start_after.empty() ? "" : options_.prefix + start_after);
  if (!start_after.empty() && from != full) from = After(from);
  std::vector<std::string> keys;
  while (limit == 0 || keys.size() < limit) {
    const size_t want = limit == 0 ? kListPage : std::min<size_t>(kListPage, limit - keys.size());
    TRESOR_ASSIGN_OR_RETURN(auto page, RangePage(full, from, want, true));
    for (const auto& kv : page.kvs()) {
      std::string key = kv.key().substr(options_.prefix.size());
      if (key != start_after) keys.push_back(std::move(key));
    }
    if (!page.more() || page.kvs_size() == 0) break;
    from = After(page.kvs(page.kvs_size() - 1).key());
  }
  return keys;
}

Result<void> EtcdStorage::Scan(
    const std::string& prefix,
    const std::function<bool(const std::string&, const Record&)>& visit) {
  const std::string full = options_.prefix + prefix;
  std::string from = full;
  int64_t revision = 0;  // every page at the first one's: one consistent view
  while (true) {
    TRESOR_ASSIGN_OR_RETURN(auto page, RangePage(full, from, kScanPage, false, revision));
    revision = page.header().revision();
    for (const auto& kv : page.kvs()) {
      const Record record{Bytes(kv.value().begin(), kv.value().end()),
                          static_cast<uint64_t>(kv.mod_revision())};
      if (!visit(kv.key().substr(options_.prefix.size()), record)) return {};
    }
    if (!page.more() || page.kvs_size() == 0) return {};
    from = After(page.kvs(page.kvs_size() - 1).key());
  }
}

etcdserverpb::TxnRequest EtcdStorage::Request(const Txn& txn) const {
  etcdserverpb::TxnRequest request;
  for (const Condition& c : txn.conditions) {
    auto* compare = request.add_compare();
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_target(etcdserverpb::Compare::MOD);
    compare->set_key(options_.prefix + c.key);
    compare->set_mod_revision(static_cast<int64_t>(c.revision));
    // When a condition fails, its key's revision says which.
    auto* range = request.add_failure()->mutable_request_range();
    range->set_key(options_.prefix + c.key);
    range->set_keys_only(true);
  }
  for (const Write& w : txn.writes) {
    auto* op = request.add_success();
    if (w.value) {
      auto* put = op->mutable_request_put();
      put->set_key(options_.prefix + w.key);
      put->set_value(std::string(w.value->begin(), w.value->end()));
    } else {
      op->mutable_request_delete_range()->set_key(options_.prefix + w.key);
    }
  }
  return request;
}

// Which condition failed: the failure branch read each condition's key.
TxnResult EtcdStorage::Outcome(const Txn& txn, const etcdserverpb::TxnResponse& response,
                               uint64_t revision) {
  if (response.succeeded()) return TxnResult{true, revision, 0};
  for (size_t i = 0;
       i < txn.conditions.size() && i < static_cast<size_t>(response.responses_size()); ++i) {
    const auto& range = response.responses(static_cast<int>(i)).response_range();
    const uint64_t at =
        range.kvs_size() == 0 ? 0 : static_cast<uint64_t>(range.kvs(0).mod_revision());
    if (at != txn.conditions[i].revision) return TxnResult{false, revision, i};
  }
  return TxnResult{false, revision, 0};
}

Result<TxnResult> EtcdStorage::Transact(Txn txn) {
  txn.writes = LastWritePerKey(std::move(txn.writes));
  return batch_.Submit(std::move(txn));
}

Result<TxnResult> EtcdStorage::SendOne(const Txn& txn) {
  const etcdserverpb::TxnRequest request = Request(txn);
  etcdserverpb::TxnResponse response;
  // Retried on another member only when doing it twice is harmless.
  TRESOR_RETURN_IF_ERROR(client_->Call(
      "transaction", txn.conditions.empty(),
      [&](auto& m, auto& context) { return m.kv->Txn(&context, request, &response); }));
  ++transactions_;
  ++submitted_;
  return Outcome(txn, response, static_cast<uint64_t>(response.header().revision()));
}

// Several transactions as one etcd Txn, each nested with its own compares:
// one revision for all that apply. Refused as a whole (a cluster with a
// lower --max-txn-ops or --max-request-bytes than assumed), they are sent
// one by one.
std::vector<Result<TxnResult>> EtcdStorage::SendBatch(const std::vector<const Txn*>& txns) {
  std::vector<Result<TxnResult>> results;
  results.reserve(txns.size());
  if (txns.size() == 1) {
    results.push_back(SendOne(*txns[0]));
    return results;
  }
  etcdserverpb::TxnRequest request;
  bool retry = true;
  for (const Txn* txn : txns) {
    *request.add_success()->mutable_request_txn() = Request(*txn);
    retry = retry && txn->conditions.empty();
  }
  etcdserverpb::TxnResponse response;
  auto sent = client_->Call("transaction", retry, [&](auto& m, auto& context) {
    return m.kv->Txn(&context, request, &response);
  });
  if (!sent && sent.error().code != ErrorCode::kUnavailable) {
    for (const Txn* txn : txns) results.push_back(SendOne(*txn));
    return results;
  }
  ++transactions_;
  submitted_ += txns.size();
  const auto revision = static_cast<uint64_t>(response.header().revision());
  for (size_t i = 0; i < txns.size(); ++i) {
    if (!sent) {
      results.push_back(sent.error());
    } else if (static_cast<int>(i) >= response.responses_size()) {
      results.push_back(MakeError(ErrorCode::kIo, "etcd: a batched transaction went unanswered"));
    } else {
      results.push_back(
          Outcome(*txns[i], response.responses(static_cast<int>(i)).response_txn(), revision));
    }
  }
  return results;
}

std::optional<std::string> EtcdStorage::Unreachable() {
  const auto silence = client_->Silence();
  if (silence < 2 * options_.request_timeout) return std::nullopt;
  return client_->Describe() + ": no answer for " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(silence).count()) + " s";
}

void EtcdStorage::WhenDurable(uint64_t, std::function<void(bool)> done) { done(true); }
bool EtcdStorage::IsDurable(uint64_t) { return true; }

Result<uint64_t> EtcdStorage::Revision() {
  etcdserverpb::RangeRequest request;
  request.set_key(options_.prefix);
  request.set_count_only(true);
  etcdserverpb::RangeResponse response;
  TRESOR_RETURN_IF_ERROR(client_->Call("revision", true, [&](auto& m, auto& context) {
    return m.kv->Range(&context, request, &response);
  }));
  return static_cast<uint64_t>(response.header().revision());
}

Result<std::unique_ptr<Watch>> EtcdStorage::WatchPrefix(
    const std::string& prefix, uint64_t after, std::function<void(const Change&)> on_change) {
  return std::unique_ptr<Watch>(
      new EtcdWatch(*client_, options_.prefix, prefix, after, std::move(on_change)));
}

std::unique_ptr<Membership> EtcdStorage::Join(const std::string& name, const std::string& info) {
  return std::make_unique<EtcdMembership>(*this, options_.prefix, name, info, options_.lease_ttl);
}

Result<void> EtcdStorage::Compact(uint64_t revision) {
  etcdserverpb::CompactionRequest request;
  request.set_revision(static_cast<int64_t>(revision));
  etcdserverpb::CompactionResponse response;
  return client_->Call("compaction", true, [&](auto& m, auto& context) {
    return m.kv->Compact(&context, request, &response);
  });
}

}  // namespace tresor::store
