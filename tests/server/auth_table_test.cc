// The table of auth methods against a store: the form stored before several
// mounts still loads, mounts do not nest, each keeps its records under
// auth/PATH/ and takes them with it when disabled, and another node's change
// to the table reaches this one.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "server/auth/table.h"
#include "server/records.h"
#include "store/memory_storage.h"

namespace tresor::server::auth {
namespace {

using Json = nlohmann::json;

http::Request Post(const std::string& body) {
  http::Request request;
  request.method = "POST";
  request.body = body;
  return request;
}

class AuthTableTest : public ::testing::Test {
 protected:
  Services Make() {
    return Services{&barrier_, [] { return int64_t{1'000'000}; }, nullptr};
  }
  std::vector<std::string> Keys(const std::string& prefix) {
    return storage_->Keys(prefix).value();
  }

  std::shared_ptr<store::MemoryStorage> storage_ = std::make_shared<store::MemoryStorage>();
  store::Barrier barrier_{storage_, store::Keyring::Generate()};
};

TEST_F(AuthTableTest, TheFormStoredBeforeSeveralMountsLoads) {
  PutRecord(barrier_, "core/auth-methods",
            Json{{"userpass", true},
                 {"approle", false},
                 {"jwt", true},
                 {"descriptions", {{"jwt", "CI jobs"}}}});
  Table table(Make());
  ASSERT_TRUE(table.Load());
  EXPECT_EQ(
      table.Describe(),
      (Json{{"token/",
             {{"type", "token"}, {"description", "token based credentials"}, {"local", false}}},
            {"userpass/", {{"type", "userpass"}, {"description", ""}, {"local", false}}},
            {"jwt/", {{"type", "jwt"}, {"description", "CI jobs"}, {"local", false}}}}));
}

TEST_F(AuthTableTest, MountsDoNotNestAndEachKeepsItsRecordsUnderItsPath) {
  Table table(Make());
  ASSERT_TRUE(table.Load());
  ASSERT_TRUE(table.Enable("corp/staff", "userpass", ""));
  ASSERT_TRUE(table.Enable("corp/machines", "approle", ""));
  EXPECT_EQ(table.Enable("corp", "userpass", "").error().message,
            "path is already in use at corp/machines/");
  EXPECT_EQ(table.Enable("corp/staff/x", "jwt", "").error().message,
            "path is already in use at corp/staff/");
  EXPECT_EQ(table.Enable("tok", "ldap", "").error().message,
            "only the userpass, approle and jwt auth methods can be enabled, not \"ldap\"");

  std::string rest;
  auto staff = table.Find("auth/corp/staff/users/alice", &rest);
  ASSERT_NE(staff, nullptr);
  EXPECT_EQ(staff->path, "corp/staff/");
  EXPECT_EQ(rest, "users/alice");
  EXPECT_EQ(table.Find("auth/corp/other/x", &rest), nullptr);
  EXPECT_EQ(table.Find("auth/corp/staffer/x", &rest), nullptr);

  EXPECT_EQ(staff->method->Handle(Post(""), "users/alice", Json{{"password", "pw"}}).status, 204);
  EXPECT_EQ(Keys("auth/"), (std::vector<std::string>{"auth/corp/staff/user/alice"}));

  // Disabled, its records go; enabled again, it starts empty.
  ASSERT_TRUE(table.Disable("corp/staff/"));
  EXPECT_EQ(Keys("auth/"), std::vector<std::string>{});
  EXPECT_EQ(table.Find("auth/corp/staff/users/alice", &rest), nullptr);
  ASSERT_TRUE(table.Enable("corp/staff", "userpass", ""));
  bool blocks = false;
  auto login =
      table.At("corp/staff")
          ->method->LogIn(Post(""), "login/alice", Json{{"password", "pw"}}, true, &blocks);
  EXPECT_EQ(login.error().message, "invalid username or password");
}

TEST_F(AuthTableTest, AnotherNodesChangesReachThisOne) {
  Table mine(Make()), theirs(Make());
  ASSERT_TRUE(mine.Load());
  ASSERT_TRUE(theirs.Load());
  ASSERT_TRUE(theirs.Enable("corp", "userpass", "staff"));
  std::string rest;
  ASSERT_EQ(theirs.Find("auth/corp/users/bob", &rest)
                ->method->Handle(Post(""), rest, Json{{"password", "bob-pw"}})
                .status,
            204);
  // What the watch brings, in revision order: the table, then the user.
  mine.Reset(GetRecordAt(barrier_, "core/auth-methods")->record,
             GetRecordAt(barrier_, "core/auth-methods")->revision);
  const std::string key = "auth/corp/user/bob";
  ASSERT_TRUE(mine.Caches(key));
  mine.Changed(key, 1'000, GetRecord(barrier_, key).value());
  bool blocks = false;
  auto login = mine.At("corp")->method->LogIn(Post(""), "login/bob", Json{{"password", "bob-pw"}},
                                              true, &blocks);
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_EQ(login->display_name, "bob");
  EXPECT_EQ(mine.At("corp")->description, "staff");
  // Gone there, gone here.
  ASSERT_TRUE(theirs.Disable("corp"));
  mine.Reset(GetRecordAt(barrier_, "core/auth-methods")->record,
             GetRecordAt(barrier_, "core/auth-methods")->revision);
  EXPECT_EQ(mine.At("corp"), nullptr);
}

TEST_F(AuthTableTest, TwoNodesEnablingAtOnceBothKeepTheirMount) {
  Table mine(Make()), theirs(Make());
  ASSERT_TRUE(mine.Load());
  ASSERT_TRUE(theirs.Load());
  ASSERT_TRUE(theirs.Enable("corp", "userpass", ""));
  // Mine has not seen theirs: its conditional write fails, it reads the
  // table again and adds its mount to it.
  ASSERT_TRUE(mine.Enable("machines", "approle", ""));
  ASSERT_TRUE(theirs.Load());
  for (Table* table : {&mine, &theirs}) {
    EXPECT_NE(table->At("corp"), nullptr);
    EXPECT_NE(table->At("machines"), nullptr);
  }
  EXPECT_EQ(mine.Enable("corp/x", "jwt", "").error().message, "path is already in use at corp/");
}

TEST_F(AuthTableTest, AMovedMountKeepsItsRecordsWhereTheyAreOnEveryNode) {
  Table mine(Make()), theirs(Make());
  ASSERT_TRUE(mine.Load());
  ASSERT_TRUE(theirs.Load());
  ASSERT_TRUE(mine.Enable("corp", "userpass", "staff"));
  ASSERT_TRUE(theirs.Load());
  std::string rest;
  ASSERT_EQ(mine.Find("auth/corp/users/bob", &rest)
                ->method->Handle(Post(""), rest, Json{{"password", "bob-pw"}})
                .status,
            204);
  const std::string key = "auth/corp/user/bob";
  theirs.Changed(key, 1'000, GetRecord(barrier_, key).value());
  const auto theirs_before = theirs.At("corp")->method;

  EXPECT_EQ(mine.Move("corp", "token").error().message, "path is already in use at token/");
  EXPECT_EQ(mine.Move("nothing", "x").error().message,
            "no auth method is enabled at auth/nothing/");
  EXPECT_EQ(mine.Move("corp", "a b").error().message, "invalid auth path \"a b/\"");
  ASSERT_TRUE(mine.Move("corp", "staff/users"));
  EXPECT_EQ(mine.At("corp"), nullptr);
  ASSERT_NE(mine.At("staff/users"), nullptr);
  EXPECT_EQ(mine.At("staff/users")->description, "staff");
  EXPECT_EQ(Keys("auth/"), (std::vector<std::string>{key}));  // nothing copied
  bool blocks = false;
  auto login =
      mine.At("staff/users")
          ->method->LogIn(Post(""), "login/bob", Json{{"password", "bob-pw"}}, true, &blocks);
  ASSERT_TRUE(login) << login.error().message;

  // The other node keeps its instance, and what it holds, at the new path.
  theirs.Reset(GetRecordAt(barrier_, "core/auth-methods")->record,
               GetRecordAt(barrier_, "core/auth-methods")->revision);
  EXPECT_EQ(theirs.At("corp"), nullptr);
  ASSERT_NE(theirs.At("staff/users"), nullptr);
  EXPECT_EQ(theirs.At("staff/users")->method, theirs_before);
  EXPECT_TRUE(theirs.Caches(key));

  // A method enabled at the old path, or around the records, gets a place
  // of its own: the moved one's records stay, and go only with it.
  ASSERT_TRUE(mine.Enable("corp", "userpass", ""));
  ASSERT_TRUE(mine.Enable("corp-x", "approle", ""));
  EXPECT_TRUE(mine.At("corp")->storage.starts_with("auth/~"));
  EXPECT_EQ(mine.At("corp")->storage.size(), 23u);
  EXPECT_EQ(mine.At("corp-x")->storage, "auth/corp-x/");
  EXPECT_EQ(Keys("auth/"), (std::vector<std::string>{key}));
  Table restarted(Make());
  ASSERT_TRUE(restarted.Load());
  EXPECT_EQ(restarted.At("corp")->storage, mine.At("corp")->storage);
  EXPECT_EQ(restarted.At("staff/users")->storage, "auth/corp/");
  ASSERT_TRUE(mine.Disable("staff/users"));
  EXPECT_EQ(Keys("auth/"), std::vector<std::string>{});
}

}  // namespace
}  // namespace tresor::server::auth
