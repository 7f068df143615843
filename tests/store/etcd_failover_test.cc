// A frozen etcd member (SIGSTOP: its sockets stay open, nothing answers)
// must not hang reads, writes or watches: each call has a deadline and the
// client moves to the next member. TRESOR_ETCD_PIDS names the members'
// processes, in the order of TRESOR_ETCD_ENDPOINTS.
#include <gtest/gtest.h>
#include <signal.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>

#include "store/etcd/etcd_storage.h"

namespace tresor::store {

EtcdOptions TestEtcdOptions(const std::string& prefix);

namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::vector<pid_t> MemberPids() {
  std::vector<pid_t> pids;
  const char* env = std::getenv("TRESOR_ETCD_PIDS");
  std::stringstream list(env != nullptr ? env : "");
  for (std::string p; std::getline(list, p, ',');) pids.push_back(std::stoi(p));
  return pids;
}

// Freezes a member for its lifetime.
class Frozen {
 public:
  explicit Frozen(pid_t pid) : pid_(pid) { ::kill(pid_, SIGSTOP); }
  ~Frozen() { ::kill(pid_, SIGCONT); }

 private:
  pid_t pid_;
};

class EtcdFailover : public ::testing::Test {
 protected:
  void SetUp() override {
    pids_ = MemberPids();
    ASSERT_EQ(pids_.size(), 3u) << "TRESOR_ETCD_PIDS";
    EtcdOptions options =
        TestEtcdOptions("failover/" + std::to_string(::getpid()) + "/" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/");
    // Room for an election (the test cluster's timeout is 1 s) within one call.
    options.request_timeout = std::chrono::milliseconds(3000);
    auto s = EtcdStorage::Open(options);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    s_ = std::move(*s);
    ASSERT_EQ(s_->client().current(), 0u);  // the first member is the one frozen below
  }

  std::vector<pid_t> pids_;
  std::unique_ptr<EtcdStorage> s_;
};

TEST_F(EtcdFailover, AFrozenMemberDoesNotStopReadsOrWrites) {
  ASSERT_TRUE(s_->Commit({{"k", B("before")}}).has_value());
  const Frozen frozen(pids_[0]);
  auto written = s_->Commit(Txn{{}, {{"k", B("during")}}});
  ASSERT_TRUE(written.has_value()) << written.error().message;
  EXPECT_NE(s_->client().current(), 0u);
  auto read = s_->Read("k");
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ((*read)->value, B("during"));
  EXPECT_EQ((*read)->revision, written->revision);
  // Conditional writes go to the member that answers now.
  auto cas = s_->Transact(Txn{{{"k", written->revision}}, {{"k", B("cas")}}});
  ASSERT_TRUE(cas.has_value()) << cas.error().message;
  EXPECT_TRUE(cas->applied);
}

TEST_F(EtcdFailover, AWatchMovesOnWhenItsMemberFreezes) {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Change> seen;
  auto watch = s_->WatchPrefix("w/", s_->Revision().value(), [&](const Change& c) {
    const std::lock_guard lock(mutex);
    seen.push_back(c);
    cv.notify_all();
  });
  ASSERT_TRUE(watch.has_value());
  const uint64_t first = s_->Commit(Txn{{}, {{"w/a", B("1")}}}).value().revision;
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return seen.size() >= 1; }));
  }
  const Frozen frozen(pids_[0]);
  auto second = s_->Commit(Txn{{}, {{"w/b", B("2")}}});
  ASSERT_TRUE(second.has_value()) << second.error().message;
  // The watch moves to another member and delivers the write. (A write
  // whose answer was late may be retried, and so seen twice: under load
  // there may be more changes, but in order and ending with this one.)
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] {
    return !seen.empty() && seen.back().revision >= second->revision;
  }));
  EXPECT_EQ(seen.front().revision, first);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i].revision, seen[i - 1].revision);
  const Change& last = seen.back();
  EXPECT_EQ(last.revision, second->revision);
  ASSERT_EQ(last.writes.size(), 1u);
  EXPECT_EQ(last.writes[0].key, "w/b");
  EXPECT_EQ(last.writes[0].value, B("2"));
  EXPECT_FALSE(last.error.has_value());
}

TEST(EtcdOpen, ANonexistentClusterIsNamedInTheError) {
  EtcdOptions options;
  options.endpoints = {"127.0.0.1:1"};
  options.dial_timeout = std::chrono::milliseconds(300);
  auto s = EtcdStorage::Open(options);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(s.error().message,
            "etcd at 127.0.0.1:1: no member accepted a connection within 300 ms");
}

TEST(EtcdOpen, AMalformedEndpointIsRefused) {
  EtcdOptions options;
  options.endpoints = {"https://etcd.example/"};
  auto s = EtcdStorage::Open(options);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().message, "etcd endpoint \"https://etcd.example/\": expected host:port");
}

TEST(EtcdOpen, AMissingCertificateIsNamed) {
  EtcdOptions options;
  options.endpoints = {"https://127.0.0.1:2379"};
  options.ca_file = "/nonexistent/ca.pem";
  auto s = EtcdStorage::Open(options);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_EQ(s.error().message, "etcd CA file /nonexistent/ca.pem: cannot be read");
}

}  // namespace
}  // namespace tresor::store
