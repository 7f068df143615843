// KV version 2's records: a key's metadata in one record and each version's
// data in a record of its own, so that no record grows with the history;
// versions trimmed or destroyed take their records with them; a new key's
// first version is kept inline, in the metadata record (one record per new
// key), as was every version before the split; such a record is read as it
// is and split by the key's next write.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/kv/kv2.h"
#include "server/records.h"
#include "store/memory_storage.h"

namespace tresor::server {
namespace {

class Kv2LayoutTest : public ::testing::Test {
 protected:
  std::vector<std::string> Stored() { return barrier_.Keys("kv/secret/").value(); }
  Json Record(const std::string& key) { return GetRecord(barrier_, key).value().value(); }
  KvOutcome Put(KvV2& kv, const std::string& path, const std::string& value) {
    return kv.Write(path, Json{{"data", {{"v", value}}}});
  }
  static Json Data(const KvOutcome& out) { return Json::parse(out.data); }

  std::shared_ptr<store::MemoryStorage> storage_ = std::make_shared<store::MemoryStorage>();
  store::Barrier barrier_{storage_, store::Keyring::Generate()};
};

TEST_F(Kv2LayoutTest, EachVersionHasARecordOfItsOwnAndTheMetadataNoData) {
  KvV2 kv(&barrier_, "kv/secret/");
  ASSERT_TRUE(kv.WriteMetadata("app/db", Json{{"max_versions", 2}}).status == 204);
  for (const char* value : {"one", "two", "three"}) ASSERT_EQ(Put(kv, "app/db", value).status, 200);
  // Version 1 was trimmed (max_versions 2), and its record with it.
  EXPECT_EQ(Stored(), (std::vector<std::string>{"kv/secret/k/app/db",
                                                "kv/secret/v/app/db\x1f"
                                                "2",
                                                "kv/secret/v/app/db\x1f"
                                                "3"}));
  const Json meta = Record("kv/secret/k/app/db");
  EXPECT_EQ(meta["layout"], 2);
  EXPECT_FALSE(meta["versions"]["3"].contains("data"));
  EXPECT_EQ(Record("kv/secret/v/app/db\x1f"
                   "3"),
            (Json{{"v", "three"}}));
  ASSERT_EQ(kv.Destroy("app/db", Json{{"versions", {2}}}).status, 204);
  EXPECT_EQ(Stored(), (std::vector<std::string>{"kv/secret/k/app/db",
                                                "kv/secret/v/app/db\x1f"
                                                "3"}));
  // Another mount object on the same store (a restart, another node) reads
  // the data back from the version records.
  KvV2 fresh(&barrier_, "kv/secret/");
  EXPECT_EQ(Data(fresh.Read("app/db", 0))["data"], (Json{{"v", "three"}}));
  EXPECT_EQ(fresh.Read("app/db", 2).status, 404);  // destroyed
  ASSERT_EQ(fresh.DeleteMetadata("app/db").status, 204);
  EXPECT_EQ(Stored(), std::vector<std::string>{});
  EXPECT_EQ(kv.Write("bad\x01path", Json{{"data", {{"v", "x"}}}}).status, 400);
}

TEST_F(Kv2LayoutTest, ANewKeysFirstVersionIsInlineUntilTheNextWrite) {
  KvV2 kv(&barrier_, "kv/secret/");
  ASSERT_EQ(Put(kv, "app/new", "first").status, 200);
  EXPECT_EQ(Stored(), std::vector<std::string>{"kv/secret/k/app/new"});
  const Json meta = Record("kv/secret/k/app/new");
  EXPECT_FALSE(meta.contains("layout"));
  EXPECT_EQ(meta["versions"]["1"]["data"], (Json{{"v", "first"}}));
  KvV2 other(&barrier_, "kv/secret/");  // another node, or after a restart
  EXPECT_EQ(Data(other.Read("app/new", 0))["data"], (Json{{"v", "first"}}));
  // The next write, from either, gives both versions a record of their own.
  ASSERT_EQ(Put(kv, "app/new", "second").status, 200);
  EXPECT_EQ(Stored(), (std::vector<std::string>{"kv/secret/k/app/new",
                                                "kv/secret/v/app/new\x1f"
                                                "1",
                                                "kv/secret/v/app/new\x1f"
                                                "2"}));
  EXPECT_EQ(Record("kv/secret/k/app/new")["layout"], 2);
  KvV2 fresh(&barrier_, "kv/secret/");
  EXPECT_EQ(Data(fresh.Read("app/new", 1))["data"], (Json{{"v", "first"}}));
  EXPECT_EQ(Data(fresh.Read("app/new", 2))["data"], (Json{{"v", "second"}}));
  // Destroying an inline first version rewrites the metadata without it.
  ASSERT_EQ(Put(kv, "app/gone", "secret").status, 200);
  ASSERT_EQ(kv.Destroy("app/gone", Json{{"versions", {1}}}).status, 204);
  EXPECT_FALSE(Record("kv/secret/k/app/gone")["versions"]["1"].contains("data"));
  EXPECT_EQ(KvV2(&barrier_, "kv/secret/").Read("app/gone", 1).status, 404);
  // Written again after its metadata was deleted, a key is new again.
  ASSERT_EQ(kv.DeleteMetadata("app/new").status, 204);
  ASSERT_EQ(Put(kv, "app/new", "again").status, 200);
  EXPECT_EQ(Record("kv/secret/k/app/new")["versions"]["1"]["data"], (Json{{"v", "again"}}));
}

TEST(Kv2InlineTest, InlineDataThatWouldNotFitWithTheNextVersionMovesOutFirst) {
  // A store that takes at most 4,000 bytes in one write, as etcd 1.5 MiB.
  auto storage = std::make_shared<store::MemoryStorage>(size_t{1} << 20, 4000);
  store::Barrier barrier(storage, store::Keyring::Generate());
  KvV2 kv(&barrier, "kv/secret/");
  ASSERT_EQ(kv.Write("big", Json{{"data", {{"v", std::string(2500, 'a')}}}}).status, 200);
  EXPECT_EQ(barrier.Keys("kv/secret/").value(), std::vector<std::string>{"kv/secret/k/big"});
  // Version 1 moved to a record of its own, then version 2 written.
  ASSERT_EQ(kv.Write("big", Json{{"data", {{"v", std::string(2500, 'b')}}}}).status, 200);
  EXPECT_EQ(barrier.Keys("kv/secret/").value(), (std::vector<std::string>{"kv/secret/k/big",
                                                                          "kv/secret/v/big\x1f"
                                                                          "1",
                                                                          "kv/secret/v/big\x1f"
                                                                          "2"}));
  KvV2 fresh(&barrier, "kv/secret/");
  EXPECT_EQ(Json::parse(fresh.Read("big", 1).data)["data"]["v"], std::string(2500, 'a'));
  EXPECT_EQ(Json::parse(fresh.Read("big", 2).data)["data"]["v"], std::string(2500, 'b'));
  // A version too large on its own is refused, with nothing written.
  EXPECT_EQ(kv.Write("big", Json{{"data", {{"v", std::string(4000, 'c')}}}}).status, 413);
  EXPECT_EQ(Json::parse(fresh.Read("big", 0).data)["data"]["v"], std::string(2500, 'b'));
}

TEST_F(Kv2LayoutTest, ARecordFromBeforeTheSplitIsReadAndSplitByTheNextWrite) {
  const Json legacy{{"created_time", "2026-01-01T00:00:00.000000000Z"},
                    {"updated_time", "2026-01-02T00:00:00.000000000Z"},
                    {"current_version", 2},
                    {"oldest_version", 1},
                    {"max_versions", 0},
                    {"cas_required", false},
                    {"delete_version_after", "0s"},
                    {"custom_metadata", nullptr},
                    {"versions",
                     {{"1",
                       {{"created_time", "2026-01-01T00:00:00.000000000Z"},
                        {"deletion_time", ""},
                        {"destroyed", false},
                        {"data", {{"v", "old"}}}}},
                      {"2",
                       {{"created_time", "2026-01-02T00:00:00.000000000Z"},
                        {"deletion_time", ""},
                        {"destroyed", false},
                        {"data", {{"v", "older layout"}}}}}}}};
  PutRecord(barrier_, "kv/secret/k/legacy", legacy);
  KvV2 kv(&barrier_, "kv/secret/");
  EXPECT_EQ(Data(kv.Read("legacy", 1))["data"], (Json{{"v", "old"}}));
  EXPECT_EQ(Data(kv.Read("legacy", 0))["data"], (Json{{"v", "older layout"}}));
  ASSERT_EQ(Put(kv, "legacy", "new").status, 200);
  EXPECT_EQ(Stored(), (std::vector<std::string>{"kv/secret/k/legacy",
                                                "kv/secret/v/legacy\x1f"
                                                "1",
                                                "kv/secret/v/legacy\x1f"
                                                "2",
                                                "kv/secret/v/legacy\x1f"
                                                "3"}));
  EXPECT_FALSE(Record("kv/secret/k/legacy")["versions"]["1"].contains("data"));
  KvV2 fresh(&barrier_, "kv/secret/");
  for (const auto& [n, value] : {std::pair{1, "old"}, {2, "older layout"}, {3, "new"}}) {
    EXPECT_EQ(Data(fresh.Read("legacy", n))["data"], (Json{{"v", value}})) << n;
  }
}

}  // namespace
}  // namespace tresor::server
