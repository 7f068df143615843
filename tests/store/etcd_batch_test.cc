// Transactions sent together as one etcd Txn (store/txn_batch.h): each
// keeps its own outcome, and a batch that etcd refuses as a whole (larger
// than its --max-request-bytes) is sent one by one. Runs on the cluster
// tests/cluster/etcd_storage_test.py starts.
#include <gtest/gtest.h>
#include <unistd.h>

#include "store/etcd/etcd_storage.h"

namespace tresor::store {

EtcdOptions TestEtcdOptions(const std::string& prefix);

namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::unique_ptr<EtcdStorage> Open(size_t max_request_bytes = 1536 * 1024) {
  EtcdOptions options =
      TestEtcdOptions("batch/" + std::to_string(::getpid()) + "/" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/");
  options.max_request_bytes = max_request_bytes;
  auto s = EtcdStorage::Open(options);
  EXPECT_TRUE(s.has_value()) << s.error().message;
  return s ? std::move(*s) : nullptr;
}

TEST(EtcdBatch, EachTransactionOfABatchKeepsItsOwnOutcome) {
  auto s = Open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Transact(Txn{{}, {{"taken", B("old")}}}).value().applied);
  const Txn a{{{"a", 0}}, {{"a", B("1")}, {"a-data", B("1d")}}};
  const Txn b{{{"b", 0}, {"taken", 0}}, {{"b", B("2")}, {"taken", B("new")}}};
  const Txn c{{}, {{"c", B("3")}}};
  const uint64_t before = s->transactions();
  auto results = s->SendBatch({&a, &b, &c});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(s->transactions(), before + 1);  // one etcd Txn
  EXPECT_TRUE(results[0]->applied);
  EXPECT_FALSE(results[1]->applied);
  EXPECT_EQ(results[1]->failed, 1u);  // "taken" exists
  EXPECT_TRUE(results[2]->applied);
  EXPECT_EQ(results[0]->revision, results[2]->revision);  // applied together
  EXPECT_EQ(s->Read("a").value()->revision, results[0]->revision);
  EXPECT_EQ(s->Read("a-data").value()->value, B("1d"));
  EXPECT_EQ(s->Read("c").value()->value, B("3"));
  EXPECT_FALSE(s->Read("b").value().has_value());
  EXPECT_EQ(s->Read("taken").value()->value, B("old"));
}

// tresor is told etcd takes 4 MiB; etcd takes 1.5 MiB: three 700 KB
// transactions together are refused, and go one by one.
TEST(EtcdBatch, ABatchEtcdRefusesGoesOneByOne) {
  auto s = Open(4 << 20);
  ASSERT_TRUE(s);
  const Bytes big(700 * 1024, 'v');
  const Txn a{{{"a", 0}}, {{"a", big}}}, b{{{"b", 0}}, {{"b", big}}}, c{{}, {{"c", big}}};
  const uint64_t before = s->transactions();
  auto results = s->SendBatch({&a, &b, &c});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->applied);
  }
  EXPECT_EQ(s->transactions(), before + 3);
  EXPECT_LT(results[0]->revision, results[1]->revision);
  EXPECT_LT(results[1]->revision, results[2]->revision);
  for (const char* key : {"a", "b", "c"}) EXPECT_EQ(s->Read(key).value()->value.size(), big.size());
}

}  // namespace
}  // namespace tresor::store
