// The storage contract (store/storage.h), held against every backend: the
// same tests run on memory, SQLite and etcd. Revisions are compared with
// each other, never with fixed numbers: on etcd they are shared with
// whatever else the cluster holds.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/conformance_backends.h"

namespace tresor::store {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }
std::string S(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Collects what a watch delivers; waits for it without fixed sleeps.
class Recorder {
 public:
  std::function<void(const Change&)> Callback() {
    return [this](const Change& c) {
      const std::lock_guard lock(mutex_);
      changes_.push_back(c);
      cv_.notify_all();
    };
  }
  // The first `n` changes, once they arrived (a generous limit only guards
  // against a hang).
  std::vector<Change> WaitFor(size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return changes_.size() >= n; });
    return changes_;
  }
  // What arrived so far.
  std::vector<Change> Now() {
    const std::lock_guard lock(mutex_);
    return changes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Change> changes_;
};

// "key=value" or "key deleted", for comparing changes.
std::vector<std::string> Describe(const Change& c) {
  std::vector<std::string> out;
  for (const Write& w : c.writes) {
    std::string line = w.key;
    if (w.value) {
      line += '=';
      line += S(*w.value);
    } else {
      line += " deleted";
    }
    out.push_back(std::move(line));
  }
  return out;
}

class Conformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto made = GetParam().make();
    ASSERT_TRUE(made.has_value()) << made.error().message;
    s_ = std::move(made->storage);
    p_ = made->prefix;  // every key of a test is under it
  }
  // Writes and waits until durable; the transaction's revision.
  uint64_t Put(const std::string& key, const std::string& value) {
    auto r = s_->Commit(Txn{{}, {{p_ + key, B(value)}}});
    EXPECT_TRUE(r.has_value()) << r.error().message;
    EXPECT_TRUE(r->applied);
    return r->revision;
  }
  std::optional<Record> At(const std::string& key) {
    auto r = s_->Read(p_ + key);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return *r;
  }
  std::vector<std::string> List(const std::string& prefix, const std::string& after = "",
                                size_t limit = 0) {
    auto r = s_->List(p_ + prefix, after.empty() ? "" : p_ + after, limit);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    std::vector<std::string> out;
    for (const std::string& k : *r) out.push_back(k.substr(p_.size()));
    return out;
  }
  uint64_t Revision() { return s_->Revision().value(); }

  std::unique_ptr<Storage> s_;
  std::string p_;
};

TEST_P(Conformance, AbsentKeysReadAsNothing) {
  EXPECT_FALSE(At("missing").has_value());
  EXPECT_EQ(List(""), std::vector<std::string>{});
}

TEST_P(Conformance, EachWriteGetsANewRevisionThatItsRecordsCarry) {
  const uint64_t before = Revision();
  auto r = s_->Commit(Txn{{}, {{p_ + "a", B("1")}, {p_ + "b", B("2")}}}).value();
  EXPECT_TRUE(r.applied);
  EXPECT_GT(r.revision, before);
  EXPECT_EQ(At("a")->revision, r.revision);
  EXPECT_EQ(At("b")->revision, r.revision);
  EXPECT_EQ(S(At("a")->value), "1");
  const uint64_t second = Put("a", "3");
  EXPECT_GT(second, r.revision);
  EXPECT_EQ(At("a")->revision, second);
  EXPECT_EQ(At("b")->revision, r.revision);
  EXPECT_GE(Revision(), second);
}

TEST_P(Conformance, CreateIfAbsentWinsOnce) {
  const Txn create{{{p_ + "init", 0}}, {{p_ + "init", B("first")}}};
  auto first = s_->Commit(create).value();
  EXPECT_TRUE(first.applied);
  auto second = s_->Commit(Txn{{{p_ + "init", 0}}, {{p_ + "init", B("second")}}}).value();
  EXPECT_FALSE(second.applied);
  EXPECT_EQ(second.failed, 0u);
  EXPECT_GE(second.revision, first.revision);
  EXPECT_EQ(S(At("init")->value), "first");
  EXPECT_EQ(At("init")->revision, first.revision);
}

TEST_P(Conformance, ConditionOnRevisionHoldsOnlyForTheLatest) {
  const uint64_t v1 = Put("k", "1");
  const uint64_t v2 = Put("k", "2");
  auto stale = s_->Commit(Txn{{{p_ + "k", v1}}, {{p_ + "k", B("stale")}}}).value();
  EXPECT_FALSE(stale.applied);
  EXPECT_EQ(S(At("k")->value), "2");
  auto fresh = s_->Commit(Txn{{{p_ + "k", v2}}, {{p_ + "k", B("3")}}}).value();
  EXPECT_TRUE(fresh.applied);
  EXPECT_EQ(At("k")->revision, fresh.revision);
  // A revision condition on an absent key fails; "absent" on a present one too.
  EXPECT_FALSE(s_->Commit(Txn{{{p_ + "none", v2}}, {}}).value().applied);
  EXPECT_FALSE(s_->Commit(Txn{{{p_ + "k", 0}}, {}}).value().applied);
}

TEST_P(Conformance, AFailedConditionWritesNothingAndNamesTheFirstThatFailed) {
  const uint64_t a = Put("a", "1");
  Put("b", "1");
  const uint64_t before = Revision();
  auto r = s_->Commit(Txn{{{p_ + "a", a}, {p_ + "b", 0}, {p_ + "c", 12345}},
                          {{p_ + "a", B("x")}, {p_ + "new", B("x")}, {p_ + "b", std::nullopt}}})
               .value();
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(S(At("a")->value), "1");
  EXPECT_FALSE(At("new").has_value());
  EXPECT_TRUE(At("b").has_value());
  EXPECT_EQ(Revision(), before);
}

TEST_P(Conformance, ATransactionWithoutWritesTakesNoRevision) {
  const uint64_t a = Put("a", "1");
  auto r = s_->Commit(Txn{{{p_ + "a", a}}, {}}).value();
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.revision, Revision());
  EXPECT_EQ(Revision(), a);
}

TEST_P(Conformance, DeletingRemovesAndDeletingTheAbsentChangesNothing) {
  Put("a", "1");
  const uint64_t del = s_->Commit(Txn{{}, {{p_ + "a", std::nullopt}}}).value().revision;
  EXPECT_FALSE(At("a").has_value());
  auto again = s_->Commit(Txn{{}, {{p_ + "a", std::nullopt}}}).value();
  EXPECT_TRUE(again.applied);
  EXPECT_EQ(again.revision, del);
  EXPECT_EQ(Revision(), del);
}

TEST_P(Conformance, ListingIsSortedPerPrefixAndPaginated) {
  s_->Commit(Txn{{},
                 {{p_ + "d/b", B("")},
                  {p_ + "d/a", B("")},
                  {p_ + "d/c/x", B("")},
                  {p_ + "d0", B("")},
                  {p_ + "e", B("")}}})
      .value();
  EXPECT_EQ(List("d/"), (std::vector<std::string>{"d/a", "d/b", "d/c/x"}));
  EXPECT_EQ(List("d"), (std::vector<std::string>{"d/a", "d/b", "d/c/x", "d0"}));
  EXPECT_EQ(List("d/", "", 2), (std::vector<std::string>{"d/a", "d/b"}));
  EXPECT_EQ(List("d/", "d/b", 2), (std::vector<std::string>{"d/c/x"}));
  EXPECT_EQ(List("d/", "d/a0"), (std::vector<std::string>{"d/b", "d/c/x"}));
  EXPECT_EQ(List("d/", "d/c/x"), std::vector<std::string>{});
}

TEST_P(Conformance, ScanGivesValuesAndRevisionsInKeyOrder) {
  const uint64_t r1 = Put("s/b", "B");
  const uint64_t r2 = Put("s/a", "A");
  Put("t", "T");
  std::vector<std::string> seen;
  ASSERT_TRUE(s_->Scan(p_ + "s/", [&](const std::string& key, const Record& r) {
                  seen.push_back(key.substr(p_.size()) + "=" + S(r.value) + "@" +
                                 (r.revision == r1   ? "r1"
                                  : r.revision == r2 ? "r2"
                                                     : "?"));
                  return true;
                }).has_value());
  EXPECT_EQ(seen, (std::vector<std::string>{"s/a=A@r2", "s/b=B@r1"}));
  seen.clear();
  ASSERT_TRUE(s_->Scan(p_ + "s/", [&](const std::string& key, const Record&) {
                  seen.push_back(key);
                  return false;
                }).has_value());
  EXPECT_EQ(seen.size(), 1u);
}

TEST_P(Conformance, AWatchDeliversEveryChangeUnderItsPrefixInOrder) {
  const uint64_t start = Revision();
  Recorder rec;
  auto watch = s_->WatchPrefix(p_ + "w/", start, rec.Callback());
  ASSERT_TRUE(watch.has_value()) << watch.error().message;
  const uint64_t r1 = Put("w/a", "1");
  Put("elsewhere", "x");
  const uint64_t r2 =
      s_->Commit(Txn{{}, {{p_ + "w/b", B("2")}, {p_ + "w/a", std::nullopt}, {p_ + "x", B("3")}}})
          .value()
          .revision;
  const uint64_t r3 = Put("w/c", "3");
  auto got = rec.WaitFor(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].revision, r1);
  EXPECT_EQ(Describe(got[0]), (std::vector<std::string>{p_ + "w/a=1"}));
  EXPECT_EQ(got[1].revision, r2);
  auto second = Describe(got[1]);
  std::sort(second.begin(), second.end());
  EXPECT_EQ(second, (std::vector<std::string>{p_ + "w/a deleted", p_ + "w/b=2"}));
  EXPECT_EQ(got[2].revision, r3);
  for (const Change& c : got) EXPECT_FALSE(c.error.has_value());
}

TEST_P(Conformance, AWatchResumesFromARevision) {
  const uint64_t r1 = Put("w/a", "1");
  const uint64_t r2 = Put("w/b", "2");
  const uint64_t r3 = Put("w/c", "3");
  Recorder rec;
  auto watch = s_->WatchPrefix(p_ + "w/", r1, rec.Callback()).value();
  auto got = rec.WaitFor(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].revision, r2);
  EXPECT_EQ(got[1].revision, r3);
  const uint64_t r4 = Put("w/d", "4");
  got = rec.WaitFor(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].revision, r4);
}

TEST_P(Conformance, AWatchFromCompactedHistoryIsTold) {
  const uint64_t r1 = Put("w/a", "1");
  const uint64_t r2 = Put("w/a", "2");
  Put("w/a", "3");
  ASSERT_TRUE(s_->Compact(r2).has_value());
  Recorder rec;
  auto watch = s_->WatchPrefix(p_ + "w/", r1 - 1, rec.Callback()).value();
  auto got = rec.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].error.has_value());
  EXPECT_EQ(got[0].error->code, ErrorCode::kCompacted);
  // Records are untouched, and a watch from the compacted revision on works.
  EXPECT_EQ(S(At("w/a")->value), "3");
  Recorder after;
  auto resumed = s_->WatchPrefix(p_ + "w/", r2, after.Callback()).value();
  got = after.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].error.has_value());
  EXPECT_EQ(Describe(got[0]), (std::vector<std::string>{p_ + "w/a=3"}));
}

TEST_P(Conformance, AStoppedWatchDeliversNothingMore) {
  Recorder rec;
  auto watch = s_->WatchPrefix(p_ + "w/", Revision(), rec.Callback()).value();
  Put("w/a", "1");
  ASSERT_EQ(rec.WaitFor(1).size(), 1u);
  watch.reset();
  Put("w/b", "2");
  // A second watch sees the write; the stopped one, by then, did not.
  Recorder other;
  auto second = s_->WatchPrefix(p_ + "w/", Revision() - 1, other.Callback()).value();
  ASSERT_EQ(other.WaitFor(1).size(), 1u);
  EXPECT_EQ(rec.Now().size(), 1u);
}

TEST_P(Conformance, CompareAndSwapFromSeveralThreadsLosesNoIncrement) {
  constexpr int kThreads = 4;
  constexpr int kEach = 100;
  Put("counter", "0");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach;) {
        auto r = s_->Read(p_ + "counter").value();
        const int n = std::stoi(S(r->value));
        auto done = s_->Transact(Txn{{{p_ + "counter", r->revision}},
                                     {{p_ + "counter", B(std::to_string(n + 1))}}})
                        .value();
        if (done.applied) ++i;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(S(At("counter")->value), std::to_string(kThreads * kEach));
}

// Many writers at once (a remote store sends them together): each gets its
// own outcome, and of those racing to create one key exactly one wins.
TEST_P(Conformance, ConcurrentTransactionsEachGetTheirOwnOutcome) {
  constexpr int kThreads = 8;
  constexpr int kEach = 20;
  std::vector<std::thread> threads;
  std::atomic<int> created{0}, refused{0}, winner{-1};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string mine = p_ + "own/" + std::to_string(t) + "/";
      for (int i = 0; i < kEach; ++i) {
        const std::string key = mine + std::to_string(i);
        auto r = s_->Transact(Txn{{{key, 0}}, {{key, B(std::to_string(t))}}});
        if (r && r->applied) ++created;
        if (i != kEach / 2) continue;
        auto race = s_->Transact(
            Txn{{{mine, 0}, {p_ + "shared", 0}}, {{p_ + "shared", B(std::to_string(t))}}});
        if (race && race->applied) winner = t;
        if (race && !race->applied && race->failed == 1) ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), kThreads * kEach);
  EXPECT_EQ(refused.load(), kThreads - 1);
  ASSERT_GE(winner.load(), 0);
  EXPECT_EQ(S(At("shared")->value), std::to_string(winner.load()));
  EXPECT_EQ(List("own/").size(), static_cast<size_t>(kThreads * kEach));
}

TEST_P(Conformance, WhenDurableReportsEveryAppliedRevision) {
  auto r = s_->Transact(Txn{{}, {{p_ + "d", B("1")}}}).value();
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<bool> durable;
  s_->WhenDurable(r.revision, [&](bool ok) {
    const std::lock_guard lock(mutex);
    durable = ok;
    cv.notify_all();
  });
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return durable.has_value(); });
  EXPECT_TRUE(*durable);
  EXPECT_TRUE(s_->IsDurable(r.revision));
}

INSTANTIATE_TEST_SUITE_P(Backends, Conformance, ::testing::ValuesIn(Backends()),
                         [](const auto& backend) { return backend.param.name; });

}  // namespace
}  // namespace tresor::store
