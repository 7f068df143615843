// Unmounting: the mount's records go in one batch with the table's change,
// changes in flight on the unmounted engine are refused, and a new mount
// at the same path starts empty.
#include "server/mounts.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/records.h"
#include "store/memory_storage.h"

namespace tresor::server {
namespace {

// A request to `mount`'s engine at `rest` (after the mount's path).
http::Response Call(const Mount& mount, const char* method, const std::string& rest,
                    const Json& body = Json::object()) {
  http::Request request;
  request.method = method;
  return mount.engine->Handle(request, rest, body);
}

class MountsTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Mount> Find(const std::string& path) {
    std::string rest;
    return mounts_.Find(path, &rest);
  }
  std::vector<std::string> Stored(const std::string& prefix) {
    return barrier_.Keys(prefix).value();
  }

  std::shared_ptr<store::MemoryStorage> storage_ = std::make_shared<store::MemoryStorage>();
  store::Barrier barrier_{storage_, store::Keyring::Generate()};
  MountTable mounts_{barrier_};
};

TEST_F(MountsTest, UnmountingDeletesTheRecordsAndChangesTheTableInOneBatch) {
  ASSERT_TRUE(mounts_.Load());
  ASSERT_TRUE(mounts_.Add("team", "kv", 2, "team secrets"));
  ASSERT_TRUE(mounts_.Add("old", "kv", 1, ""));
  const auto team = Find("team/x");
  ASSERT_NE(team, nullptr);
  for (const char* path : {"a", "b/c", "d", "a"}) {
    ASSERT_EQ(Call(*team, "POST", std::string("data/") + path, Json{{"data", {{"k", "v"}}}}).status,
              200);
  }
  ASSERT_EQ(Call(*Find("old/x"), "POST", "keep", Json{{"k", "v"}}).status, 204);
  // Each key's metadata (a new key's one version in it), and a's versions.
  ASSERT_EQ(Stored("kv/team/").size(), 5u);
  const uint64_t before = storage_->submitted();
  ASSERT_TRUE(mounts_.Remove("team"));
  EXPECT_EQ(storage_->submitted(), before + 1);
  EXPECT_EQ(Stored("kv/team/"), std::vector<std::string>{});
  EXPECT_EQ(Stored("kv/old/"), std::vector<std::string>{"kv/old/d/keep"});
  const auto table = GetRecord(barrier_, "core/mounts").value();
  ASSERT_TRUE(table.has_value());
  EXPECT_FALSE(table->contains("team/"));
  EXPECT_TRUE(table->contains("old/"));
  EXPECT_EQ(Find("team/x"), nullptr);
}

TEST_F(MountsTest, ChangesThroughAnUnmountedEngineAreRefused) {
  ASSERT_TRUE(mounts_.Load());
  ASSERT_TRUE(mounts_.Add("v2", "kv", 2, ""));
  ASSERT_TRUE(mounts_.Add("v1", "kv", 1, ""));
  // Held as a request in flight would hold them.
  const auto v2 = Find("v2/x");
  const auto v1 = Find("v1/x");
  ASSERT_EQ(Call(*v2, "POST", "data/k", Json{{"data", {{"k", "v"}}}}).status, 200);
  ASSERT_TRUE(mounts_.Remove("v2/"));
  ASSERT_TRUE(mounts_.Remove("v1/"));
  const Json body{{"data", {{"k", "v"}}}, {"versions", {1}}};
  for (const http::Response& out :
       {Call(*v2, "POST", "data/k", body), Call(*v2, "POST", "data/new", body),
        Call(*v2, "DELETE", "data/k"), Call(*v2, "POST", "destroy/k", body),
        Call(*v2, "POST", "metadata/k"), Call(*v2, "DELETE", "metadata/k"),
        Call(*v2, "POST", "config", Json{{"max_versions", 3}}),
        Call(*v1, "POST", "k", Json{{"k", "v"}}), Call(*v1, "DELETE", "k")}) {
    EXPECT_EQ(out.status, 404);
    EXPECT_EQ(out.body, "{\"errors\":[\"the secrets engine was unmounted\"]}\n");
  }
  EXPECT_EQ(Stored("kv/"), std::vector<std::string>{});
}

TEST_F(MountsTest, AMountAtAnUnmountedPathStartsEmpty) {
  ASSERT_TRUE(mounts_.Load());
  ASSERT_EQ(Call(*Find("secret/x"), "POST", "data/k", Json{{"data", {{"k", "v"}}}}).status, 200);
  ASSERT_TRUE(mounts_.Remove("secret"));
  ASSERT_TRUE(mounts_.Add("secret", "kv", 2, ""));
  EXPECT_EQ(Call(*Find("secret/x"), "GET", "data/k").status, 404);
  EXPECT_EQ(Call(*Find("secret/x"), "LIST", "metadata/").status, 404);
}

TEST_F(MountsTest, UnmountingAPathWithNoMountIsNotFound) {
  ASSERT_TRUE(mounts_.Load());
  const auto removed = mounts_.Remove("nothing");
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(removed.error().message, "no secrets engine is mounted at nothing/");
}

}  // namespace
}  // namespace tresor::server
