#include "store/txn_batch.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

namespace tresor::store {
namespace {

Txn Put(const std::string& key, size_t bytes = 1) {
  return Txn{{}, {Write{key, Bytes(bytes, 'x')}}};
}

Txn PutIfAbsent(const std::string& key) { return Txn{{Condition{key, 0}}, {Write{key, Bytes{1}}}}; }

// A sender that records each batch's keys (the first write of each member)
// and holds the first batch until released; member i of batch b gets
// revision 100 * b + i.
class Recorder {
 public:
  TxnBatch::Sender sender() {
    return [this](const std::vector<const Txn*>& txns) {
      size_t b;
      {
        const std::lock_guard lock(mutex_);
        b = sent_.size();
        sent_.emplace_back();
        for (const Txn* t : txns) sent_.back().push_back(t->writes.at(0).key);
      }
      if (b == 0) release_.get_future().wait();
      std::vector<Result<TxnResult>> results;
      for (size_t i = 0; i < txns.size(); ++i) results.push_back(TxnResult{true, 100 * b + i, 0});
      return results;
    };
  }
  void Release() { release_.set_value(); }
  std::vector<std::vector<std::string>> sent() {
    const std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::vector<std::string>> sent_;
  std::promise<void> release_;
};

// Submits `txn` on a thread of its own once `batch` holds `before`
// waiting transactions, and waits until it is queued too.
std::thread SubmitInTurn(TxnBatch& batch, Txn txn, size_t before, Result<TxnResult>* out) {
  while (batch.waiting() != before) std::this_thread::yield();
  std::thread t(
      [&batch, txn = std::move(txn), out]() mutable { *out = batch.Submit(std::move(txn)); });
  while (batch.waiting() != before + 1) std::this_thread::yield();
  return t;
}

TEST(TxnBatchTest, ALoneTransactionIsSentAtOnceAndGetsItsResult) {
  Recorder recorder;
  recorder.Release();
  TxnBatch batch(TxnBatch::Limits{}, recorder.sender());
  auto result = batch.Submit(Put("a"));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->applied);
  EXPECT_EQ(result->revision, 0u);
  EXPECT_EQ(recorder.sent(), (std::vector<std::vector<std::string>>{{"a"}}));
  EXPECT_EQ(batch.batches(), 1u);
}

// While one batch is out (in_flight 1), the transactions that arrive go
// together in the next, in the order they came, each with its own result.
TEST(TxnBatchTest, TransactionsThatWaitGoTogetherInOrder) {
  Recorder recorder;
  TxnBatch batch(TxnBatch::Limits{32, 1 << 20, 1}, recorder.sender());
  Result<TxnResult> first = MakeError(ErrorCode::kInternal, "unset");
  std::thread t0([&] { first = batch.Submit(Put("first")); });
  while (recorder.sent().empty()) std::this_thread::yield();
  std::vector<Result<TxnResult>> results(3, MakeError(ErrorCode::kInternal, "unset"));
  std::vector<std::thread> threads;
  const std::vector<std::string> keys{"k0", "k1", "k2"};
  for (size_t i = 0; i < 3; ++i)
    threads.push_back(SubmitInTurn(batch, Put(keys[i]), i, &results[i]));
  recorder.Release();
  t0.join();
  for (auto& t : threads) t.join();
  EXPECT_EQ(recorder.sent(),
            (std::vector<std::vector<std::string>>{{"first"}, {"k0", "k1", "k2"}}));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->revision, 0u);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(results[i]) << i;
    EXPECT_EQ(results[i]->revision, 100 + i);
  }
  EXPECT_EQ(batch.batches(), 2u);
}

// A transaction whose condition reads a key an earlier member writes (or
// that writes a key an earlier member touches) starts the next batch;
// limits on members and bytes do too, and one larger than the byte limit
// still goes, alone.
TEST(TxnBatchTest, ClashesAndLimitsStartTheNextBatch) {
  Recorder recorder;
  TxnBatch batch(TxnBatch::Limits{3, 100, 1}, recorder.sender());
  std::thread t0([&] { (void)batch.Submit(Put("first")); });
  while (recorder.sent().empty()) std::this_thread::yield();
  std::vector<Txn> txns;
  txns.push_back(Put("a"));
  txns.push_back(PutIfAbsent("a"));  // reads a: clash
  txns.push_back(Put("b"));
  txns.push_back(Put("b2"));
  txns.push_back(Put("c"));  // 4th member: over the limit of 3
  txns.push_back(Put("d", 60));
  txns.push_back(Put("e", 60));   // 60 + 60 bytes: over 100
  txns.push_back(Put("f", 500));  // alone
  std::vector<Result<TxnResult>> results(txns.size(), MakeError(ErrorCode::kInternal, "unset"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < txns.size(); ++i) {
    threads.push_back(SubmitInTurn(batch, std::move(txns[i]), i, &results[i]));
  }
  recorder.Release();
  t0.join();
  for (auto& t : threads) t.join();
  EXPECT_EQ(recorder.sent(), (std::vector<std::vector<std::string>>{
                                 {"first"}, {"a"}, {"a", "b", "b2"}, {"c", "d"}, {"e"}, {"f"}}));
  for (const auto& r : results) EXPECT_TRUE(r);
}

// An error from the sender reaches each member of the batch.
TEST(TxnBatchTest, AnErrorReachesEveryMember) {
  TxnBatch batch(TxnBatch::Limits{}, [](const std::vector<const Txn*>& txns) {
    return std::vector<Result<TxnResult>>(txns.size(),
                                          MakeError(ErrorCode::kUnavailable, "no answer"));
  });
  auto result = batch.Submit(Put("a"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message, "no answer");
}

}  // namespace
}  // namespace tresor::store
