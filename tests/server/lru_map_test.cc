// The KV cache: the least recently used entry goes first, listing does not
// count as a use, and a KV v2 mount over storage reads storage only for keys
// that fell out of its cache.
#include "server/lru_map.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "server/kv/kv2.h"
#include "store/memory_storage.h"

namespace tresor::server {
namespace {

std::vector<std::string> Keys(const LruMap<int>& map, std::string_view prefix = "") {
  std::vector<std::string> keys;
  map.ForEachWithPrefix(prefix, [&](const std::string& key, int) { keys.push_back(key); });
  return keys;
}

TEST(LruMap, DropsTheLeastRecentlyUsedEntry) {
  LruMap<int> map(2);
  map.Put("a", 1);
  map.Put("b", 2);
  ASSERT_NE(map.Find("a"), nullptr);  // b is now the least recently used
  map.Put("c", 3);
  EXPECT_EQ(Keys(map), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(map.Find("b"), nullptr);
  EXPECT_EQ(*map.Find("a"), 1);
  EXPECT_EQ(map.size(), 2u);
}

TEST(LruMap, PuttingAnExistingKeyReplacesItAndCountsAsAUse) {
  LruMap<int> map(2);
  map.Put("a", 1);
  map.Put("b", 2);
  EXPECT_EQ(map.Put("a", 10), 10);
  map.Put("c", 3);
  EXPECT_EQ(Keys(map), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(*map.Find("a"), 10);
}

TEST(LruMap, ListingIsInKeyOrderAndIsNotAUse) {
  LruMap<int> map(3);
  map.Put("dir/b", 2);
  map.Put("dir/a", 1);
  map.Put("dir0", 0);
  EXPECT_EQ(Keys(map, "dir/"), (std::vector<std::string>{"dir/a", "dir/b"}));
  map.Put("e", 4);  // dir/b was put first and only listed since
  EXPECT_EQ(Keys(map), (std::vector<std::string>{"dir/a", "dir0", "e"}));
}

TEST(LruMap, ALimitOfOneKeepsTheNewestEntry) {
  LruMap<int> map(1);
  int& kept = map.Put("a", 1);
  EXPECT_EQ(kept, 1);
  map.Put("b", 2);
  EXPECT_EQ(Keys(map), std::vector<std::string>{"b"});
}

// Memory storage that counts reads of single records.
class CountingStorage : public store::Storage {
 public:
  Result<std::optional<store::Record>> Read(const std::string& key) override {
    ++gets;
    return inner_.Read(key);
  }
  Result<std::vector<std::string>> List(const std::string& prefix, const std::string& start_after,
                                        size_t limit) override {
    return inner_.List(prefix, start_after, limit);
  }
  Result<void> Scan(
      const std::string& prefix,
      const std::function<bool(const std::string&, const store::Record&)>& visit) override {
    return inner_.Scan(prefix, visit);
  }
  Result<store::TxnResult> Transact(store::Txn txn) override {
    return inner_.Transact(std::move(txn));
  }
  void WhenDurable(uint64_t revision, std::function<void(bool)> done) override {
    inner_.WhenDurable(revision, std::move(done));
  }
  bool IsDurable(uint64_t revision) override { return inner_.IsDurable(revision); }
  Result<uint64_t> Revision() override { return inner_.Revision(); }
  Result<std::unique_ptr<store::Watch>> WatchPrefix(
      const std::string& prefix, uint64_t after,
      std::function<void(const store::Change&)> on_change) override {
    return inner_.WatchPrefix(prefix, after, std::move(on_change));
  }
  Result<void> Compact(uint64_t revision) override { return inner_.Compact(revision); }
  uint64_t submitted() const override { return inner_.submitted(); }
  uint64_t transactions() const override { return inner_.transactions(); }
  std::string type() const override { return "counting"; }

  std::atomic<int> gets{0};

 private:
  store::MemoryStorage inner_;
};

TEST(KvV2Cache, OnlyKeysThatFellOutOfTheCacheAreReadFromStorage) {
  auto storage = std::make_shared<CountingStorage>();
  store::Barrier barrier(storage, store::Keyring::Generate());
  KvV2 kv(&barrier, "kv/secret/", 2);
  for (const char* path : {"a", "b", "c"}) {
    ASSERT_EQ(kv.Write(path, Json{{"data", {{"v", path}}}}).status, 200);
  }
  EXPECT_EQ(kv.cached_keys(), 2u);  // b and c
  const auto reads_of = [&](const char* path) {
    const int before = storage->gets;
    EXPECT_EQ(kv.Read(path, 0).status, 200) << path;
    return storage->gets - before;
  };
  EXPECT_EQ(reads_of("c"), 0);
  EXPECT_EQ(reads_of("b"), 0);
  EXPECT_EQ(reads_of("a"), 1);  // drops c, the least recently used
  EXPECT_EQ(reads_of("a"), 0);
  EXPECT_EQ(reads_of("b"), 0);
  EXPECT_EQ(reads_of("c"), 1);  // drops a
  EXPECT_EQ(reads_of("b"), 0);
  EXPECT_EQ(kv.cached_keys(), 2u);
  EXPECT_EQ(kv.Read("missing", 0).status, 404);
  EXPECT_EQ(kv.cached_keys(), 2u);  // "missing" remembered, c dropped
  EXPECT_EQ(reads_of("b"), 0);
}

}  // namespace
}  // namespace tresor::server
