// Path patterns, key patterns and file globs of .tresor.toml rules, and the
// rules parser's errors.
#include "cli/rules.h"

#include <gtest/gtest.h>

#include "sealed/policy.h"

namespace tresor {
namespace {

using cli::FileGlobMatches;
using sealed::PathUnder;

TEST(PathUnder, MatchesSubtreesSegmentBySegment) {
  EXPECT_TRUE(PathUnder("backend_b.hpe3par_password", "backend_b"));
  EXPECT_TRUE(PathUnder("backend_b", "backend_b"));
  EXPECT_TRUE(PathUnder("backend_b.x", "backend_*"));
  EXPECT_FALSE(PathUnder("backend_bb.x", "backend_b"));
  EXPECT_FALSE(PathUnder("backend", "backend.x"));
  EXPECT_TRUE(PathUnder("db.users[3].password", "db.users[*].password"));
  EXPECT_TRUE(PathUnder("db.users[3].password", "db.users[3]"));
  EXPECT_FALSE(PathUnder("db.users[3].password", "db.users[2]"));
  EXPECT_FALSE(PathUnder("db.users", "db.users[*]"));
  // A key holding a dot is one segment; a pattern reaches it with '?' or '*'.
  EXPECT_TRUE(PathUnder("\"a.b\".c", "a?b"));
  EXPECT_FALSE(PathUnder("\"a.b\".c", "a.b"));
  EXPECT_FALSE(PathUnder("a.b.c", ""));
}

TEST(KeyPattern, ExtendedRegexWithOptionalIgnoreCase) {
  auto p = sealed::KeyPattern::Compile("(?i)pass(word)?$|^token$");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->Matches("hpe3par_PASSWORD"));
  EXPECT_TRUE(p->Matches("db_pass"));
  EXPECT_TRUE(p->Matches("TOKEN"));
  EXPECT_FALSE(p->Matches("passwords"));
  EXPECT_FALSE(p->Matches("tokens"));
  auto bad = sealed::KeyPattern::Compile("(");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(Policy, SealsByKeyAndSubtree) {
  sealed::Policy policy;
  policy.keys.emplace(*sealed::KeyPattern::Compile("password"));
  policy.only = {"secrets"};
  EXPECT_TRUE(policy.Seals("secrets.db.password"));
  EXPECT_TRUE(policy.Seals("secrets.users[0].password"));
  EXPECT_TRUE(policy.Seals("secrets.password[1]"));  // the key of an array element
  EXPECT_FALSE(policy.Seals("secrets.db.user"));
  EXPECT_FALSE(policy.Seals("server.password"));
}

TEST(Policy, GroupForTakesTheFirstMatchingSubtreeElseTheDefault) {
  sealed::Policy policy;
  policy.groups.push_back({"default", {}, {}, {}});
  policy.groups.push_back({"b", {"backend_b", "shared.b*"}, {}, {}});
  EXPECT_EQ(policy.GroupFor("backend_b.x"), nullptr);  // does not assign groups
  policy.assigns_groups = true;
  EXPECT_EQ(policy.GroupFor("backend_b.x")->name, "b");
  EXPECT_EQ(policy.GroupFor("shared.bucket.key")->name, "b");
  EXPECT_EQ(policy.GroupFor("backend_a.x")->name, "default");
}

TEST(FileGlob, SegmentsAndDoubleStar) {
  EXPECT_TRUE(FileGlobMatches("*.env", "deploy/prod/app.env"));  // no '/': the name alone
  EXPECT_FALSE(FileGlobMatches("*.env", "app.envx"));
  EXPECT_TRUE(FileGlobMatches("etc/*.conf", "etc/cinder.conf"));
  EXPECT_FALSE(FileGlobMatches("etc/*.conf", "etc/sub/cinder.conf"));
  EXPECT_TRUE(FileGlobMatches("etc/**/*.conf", "etc/cinder.conf"));
  EXPECT_TRUE(FileGlobMatches("etc/**/*.conf", "etc/a/b/cinder.conf"));
  EXPECT_TRUE(FileGlobMatches("**/prod/*.yaml", "x/prod/app.yaml"));
  EXPECT_FALSE(FileGlobMatches("**/prod/*.yaml", "x/dev/app.yaml"));
  EXPECT_FALSE(FileGlobMatches("*.env", ".env"));  // a leading dot is matched explicitly
  EXPECT_TRUE(FileGlobMatches(".env", ".env"));
}

TEST(Rules, ParsesRulesAndGroups) {
  auto rules = cli::ParseRules(R"([[rule]]
path = "etc/*.conf"
recipients = ["age1a", "age1b"]
recipients_files = ["keys/ops.txt"]
keys = "password$"
only = ["secrets", "db"]

[[rule.group]]
name = "backend_b"
paths = ["backend_b"]
recipients = ["age1c"]

[[rule]]
recipients = ["age1d"]
)");
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_EQ(rules->size(), 2u);
  const cli::Rule& r = (*rules)[0];
  EXPECT_EQ(r.path, "etc/*.conf");
  EXPECT_EQ(r.recipients, (std::vector<std::string>{"age1a", "age1b"}));
  EXPECT_EQ(r.recipient_files, (std::vector<std::string>{"keys/ops.txt"}));
  EXPECT_EQ(r.keys, "password$");
  EXPECT_EQ(r.only, (std::vector<std::string>{"secrets", "db"}));
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].name, "backend_b");
  EXPECT_EQ(r.groups[0].paths, (std::vector<std::string>{"backend_b"}));
  EXPECT_EQ(r.groups[0].recipients, (std::vector<std::string>{"age1c"}));
  EXPECT_EQ((*rules)[1].recipients, (std::vector<std::string>{"age1d"}));
}

TEST(Rules, ErrorsSayWhere) {
  auto unknown = cli::ParseRules("[[rule]]\npath = \"x\"\nkeyz = \"y\"\n");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "3:8: rule[0].keyz: unknown setting (see docs/rules.md)");
  auto number = cli::ParseRules("[[rule]]\npath = 3\n");
  ASSERT_FALSE(number.has_value());
  EXPECT_EQ(number.error().message, "2:8: rule[0].path: must be a string");
  auto top = cli::ParseRules("recipients = [\"a\"]\n");
  ASSERT_FALSE(top.has_value());
  EXPECT_EQ(top.error().message,
            "1:15: recipients[0]: unknown setting: rules are [[rule]] tables (see docs/rules.md)");
  auto syntax = cli::ParseRules("[[rule]\n");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_EQ(syntax.error().code, ErrorCode::kSyntax);
}

}  // namespace
}  // namespace tresor
