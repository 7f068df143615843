// AppRole against a store: secret IDs kept as HMACs, their uses, TTLs and
// CIDR blocks, role IDs unique, a deleted role's secret IDs gone; the
// clock is the test's.
#include "server/approle/approle.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "server/approle/cidr.h"
#include "store/memory_storage.h"

namespace tresor::server::approle {
namespace {

using Json = nlohmann::json;

class AppRoleTest : public ::testing::Test {
 protected:
  std::string RoleId(const std::string& name) { return app_.ReadRole(name).value()->role_id; }
  std::string Dump() {
    std::string all;
    const std::vector<std::string> keys = storage_->Keys("").value();
    for (const auto& key : keys) {
      all += key + "\n";
      const auto value = storage_->Get(key).value().value();
      all.append(value.begin(), value.end());
    }
    return all;
  }

  int64_t now_ = 1'000'000;
  std::shared_ptr<store::MemoryStorage> storage_ = std::make_shared<store::MemoryStorage>();
  store::Barrier barrier_{storage_, store::Keyring::Generate()};
  AppRole app_{&barrier_, "auth/approle/", [this] { return now_; }};
};

TEST_F(AppRoleTest, ASecretIdLogsInUntilItsUsesAreSpentAndIsStoredAsAnHmac) {
  ASSERT_TRUE(app_.WriteRole("web", Json{{"token_policies", "a, b"}, {"secret_id_num_uses", 2}}));
  const auto made = app_.NewSecretId("web", Json::object()).value();
  EXPECT_EQ(made.second.num_uses, 2);
  EXPECT_EQ(Dump().find(made.first), std::string::npos);  // only its HMAC is a key
  const std::string role_id = RoleId("web");
  auto first = app_.Login(role_id, made.first, "127.0.0.1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->name, "web");
  EXPECT_EQ(first->policies, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(app_.LookupSecretId("web", made.first).value()->num_uses, 1);
  ASSERT_TRUE(app_.Login(role_id, made.first, "127.0.0.1"));
  auto spent = app_.Login(role_id, made.first, "127.0.0.1");
  ASSERT_FALSE(spent);
  EXPECT_EQ(spent.error().code, ErrorCode::kRefused);
  EXPECT_EQ(spent.error().message, "invalid role or secret ID");
  EXPECT_FALSE(app_.LookupSecretId("web", made.first).value());
  EXPECT_TRUE(app_.ListAccessors("web").value().empty());
}

TEST_F(AppRoleTest, ASecretIdExpiresWithItsTtl) {
  ASSERT_TRUE(app_.WriteRole("web", Json{{"secret_id_ttl", "10m"}}));
  const auto made = app_.NewSecretId("web", Json::object()).value();
  EXPECT_EQ(made.second.expiration_time, now_ + 600);
  now_ += 599;
  ASSERT_TRUE(app_.Login(RoleId("web"), made.first, "10.1.2.3"));
  now_ += 1;
  EXPECT_EQ(app_.Login(RoleId("web"), made.first, "10.1.2.3").error().code, ErrorCode::kRefused);
  EXPECT_FALSE(app_.LookupSecretId("web", made.first).value());  // removed on the way
  auto longer = app_.NewSecretId("web", Json{{"ttl", "1h"}});
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.error().message, "ttl is longer than the role's secret_id_ttl");
}

TEST_F(AppRoleTest, CidrBlocksOfTheRoleAndOfTheSecretIdBothApply) {
  ASSERT_TRUE(app_.WriteRole("web", Json{{"secret_id_bound_cidrs", {"10.0.0.0/8"}}}));
  const auto narrow = app_.NewSecretId("web", Json{{"cidr_list", "10.1.0.0/16"}}).value();
  const std::string role_id = RoleId("web");
  EXPECT_TRUE(app_.Login(role_id, narrow.first, "10.1.9.9"));
  EXPECT_FALSE(app_.Login(role_id, narrow.first, "10.2.0.1"));
  EXPECT_FALSE(app_.Login(role_id, narrow.first, "192.168.0.1"));
  EXPECT_TRUE(app_.Login(role_id, narrow.first, "::ffff:10.1.0.1"));
  auto bad = app_.WriteRole("web", Json{{"secret_id_bound_cidrs", "10.0.0.0/33"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "secret_id_bound_cidrs: bad CIDR block \"10.0.0.0/33\"");
}

TEST_F(AppRoleTest, WithoutBindSecretIdACidrBoundIsRequired) {
  auto none = app_.WriteRole("svc", Json{{"bind_secret_id", false}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "at least one constraint should be enabled on the role (bind_secret_id or "
            "secret_id_bound_cidrs)");
  ASSERT_TRUE(app_.WriteRole(
      "svc", Json{{"bind_secret_id", "false"}, {"secret_id_bound_cidrs", "127.0.0.1/32"}}));
  EXPECT_TRUE(app_.Login(RoleId("svc"), "", "127.0.0.1"));
  EXPECT_FALSE(app_.Login(RoleId("svc"), "", "127.0.0.2"));
}

TEST_F(AppRoleTest, RoleIdsAreUniqueAndADeletedRoleTakesItsSecretIdsWithIt) {
  ASSERT_TRUE(app_.WriteRole("a", Json::object()));
  ASSERT_TRUE(app_.WriteRole("b", Json::object()));
  ASSERT_TRUE(app_.SetRoleId("a", "my-role-id"));
  auto taken = app_.SetRoleId("b", "my-role-id");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().message, "role_id is in use by another role");
  std::vector<std::string> secrets;
  for (int i = 0; i < 150; ++i) secrets.push_back(app_.NewSecretId("a", Json::object())->first);
  EXPECT_EQ(app_.ListAccessors("a").value().size(), 150u);
  ASSERT_TRUE(app_.Login("my-role-id", secrets[7], "127.0.0.1"));
  ASSERT_TRUE(app_.DeleteRole("a"));
  EXPECT_FALSE(app_.Login("my-role-id", secrets[7], "127.0.0.1"));
  EXPECT_TRUE(app_.ListAccessors("a").value().empty());
  EXPECT_EQ(storage_->Keys("auth/approle/secret-id/").value().size(), 0u);
  EXPECT_EQ(app_.ListRoles().value(), (std::vector<std::string>{"b"}));
  EXPECT_EQ(app_.DeleteRole("a").error().code, ErrorCode::kNotFound);
}

TEST_F(AppRoleTest, SettingsItDoesNotBuildAreRefused) {
  for (const char* name : {"token_bound_cidrs", "token_period", "token_explicit_max_ttl"}) {
    auto refused = app_.WriteRole("web", Json{{name, "1h"}});
    ASSERT_FALSE(refused) << name;
    EXPECT_EQ(refused.error().message, std::string(name) + " is not supported");
  }
  EXPECT_FALSE(app_.WriteRole("bad/name", Json::object()));
  EXPECT_FALSE(app_.WriteRole("web", Json{{"secret_id_num_uses", -1}}));
}

TEST_F(AppRoleTest, MetadataTextIsParsedWithTheBodysLimits) {
  ASSERT_TRUE(app_.WriteRole("web", Json::object()));
  const std::string deep(200000, '[');  // would overflow a recursive parser's stack
  auto refused = app_.NewSecretId("web", Json{{"metadata", deep}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "metadata: nesting deeper than 300");
  auto made = app_.NewSecretId("web", Json{{"metadata", R"({"host":"a"})"}});
  ASSERT_TRUE(made);
  EXPECT_EQ(made->second.metadata.at("host"), "a");
}

TEST(CidrTest, ParsesAndMatches) {
  EXPECT_TRUE(Cidr::Parse("127.0.0.1")->Contains("127.0.0.1"));
  EXPECT_FALSE(Cidr::Parse("127.0.0.1")->Contains("127.0.0.2"));
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0")->Contains("8.8.8.8"));
  EXPECT_TRUE(Cidr::Parse("2001:db8::/32")->Contains("2001:db8:1::1"));
  EXPECT_FALSE(Cidr::Parse("2001:db8::/32")->Contains("2001:db9::1"));
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/8")->Contains("not an address"));
  for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/x", "300.0.0.0/8", "::/129", "a/8"}) {
    EXPECT_FALSE(Cidr::Parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace tresor::server::approle
